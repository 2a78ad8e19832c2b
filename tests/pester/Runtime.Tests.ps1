# How the module behaves where users run it: stopping with Ctrl+C, loading into a fresh PowerShell,
# talking to the real local server, and keeping the key out of everything it writes.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:stub = Start-StubServer
    $script:server = Start-HumanloopTestServer
    $script:modulePath = (Get-Module Humanloop).Path

    function Measure-Stop {
        <# Runs $Script in its own runspace, waits until $Ready says it is in flight, then stops it. #>
        param([string] $Script, [scriptblock] $Ready)
        $shell = [powershell]::Create()
        try {
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $null = $shell.AddScript("Import-Module '$modulePath'; $Script")
            $async = $shell.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while (-not (& $Ready $output) -and [datetime]::UtcNow -lt $deadline -and -not $async.IsCompleted) {
                Start-Sleep -Milliseconds 20
            }
            (& $Ready $output) | Should -BeTrue -Because 'the call should be in flight before it is stopped'
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $watch.Stop()
            [pscustomobject]@{ Elapsed = $watch.Elapsed; Output = @($output); State = $shell.InvocationStateInfo.State }
        }
        finally {
            $shell.Dispose()
        }
    }
}

AfterAll {
    Disconnect-Humanloop
    $stub, $server | Stop-ReadyProcess
}

Describe 'Ctrl+C' {
    BeforeEach {
        Reset-Stub $stub
    }

    It 'stops a stalled stream promptly, keeping the chunks already written' {
        Add-StubResponse $stub @{ events = @((New-ChunkEvent -Output 'first words')); stall_after_events = 1 }

        $stopped = Measure-Stop -Script "New-HumanloopCompletion -ProjectId pr_1 -Stream -ApiKey '$TestApiKey' -BaseUri '$($stub.Uri)'" -Ready { param($out) $out.Count -ge 1 }

        $stopped.State | Should -Be 'Stopped'
        $stopped.Output[0].Output | Should -Be 'first words'
        $stopped.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(2))
        Write-Host "    stop during a stalled stream took $([int]$stopped.Elapsed.TotalMilliseconds) ms"
    }

    It 'stops a request that is waiting for its response' {
        Add-StubResponse $stub @{ delay_ms = 60000; body = (New-CompletionBody) }

        $stopped = Measure-Stop -Script "New-HumanloopCompletion -ProjectId pr_1 -ApiKey '$TestApiKey' -BaseUri '$($stub.Uri)'" -Ready { (Get-StubRequest $stub).Count -ge 1 }

        $stopped.State | Should -Be 'Stopped'
        $stopped.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(2))
        Write-Host "    stop during a pending request took $([int]$stopped.Elapsed.TotalMilliseconds) ms"
    }
}

Describe 'The real local server' {
    BeforeAll {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
        $script:inline = @{ Project = 'pester-runtime'; Model = 'mock-small'; Provider = 'mock'; PromptTemplate = 'Describe {{thing}} briefly.' }
    }

    It 'answers an inline-config completion with typed output and usage' {
        $response = New-HumanloopCompletion @inline -Inputs @{ thing = 'a lighthouse' }

        $response | Should -BeOfType Humanloop.CompletionResponse
        $response.Output | Should -Match 'lighthouse'
        $response.Data[0].Id | Should -Match '^data_'
        $response.ProjectId | Should -Match '^pr_'
        $response.Usage.TotalTokens | Should -BeGreaterThan 0
    }

    It 'streams chunks whose deltas join to the same text the assembled response holds' {
        $chunks = New-HumanloopCompletion @inline -Inputs @{ thing = 'a harbour' } -NumSamples 2 -Stream -ResponseVariable whole

        $chunks.Count | Should -BeGreaterThan 2
        foreach ($sample in $whole.Data) {
            (($chunks | Where-Object Index -EQ $sample.Index).Output -join '') | Should -BeExactly $sample.RawOutput
            $sample.FinishReason | Should -BeIn 'stop', 'length'
        }
    }

    It 'reports a missing template input as a 422 naming it' {
        New-HumanloopCompletion @inline -Inputs @{ other = 1 } -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.422,*'
        $failures[0].ErrorDetails.Message | Should -BeLike '*body.inputs.thing*'
    }

    It 'rejects a wrong key with PermissionDenied' {
        New-HumanloopCompletion @inline -Inputs @{ thing = 'x' } -ApiKey 'hl_wrong_key_000000000' -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
    }
}

Describe 'A fresh PowerShell process' {
    It 'imports the built module and streams from the local server' {
        $script = @'
$ErrorActionPreference = 'Stop'
Import-Module ./output/Humanloop
$chunks = New-HumanloopCompletion -Project fresh -Model mock-small -Provider mock -PromptTemplate 'Say {{word}}' -Inputs @{ word = 'otter' } -Stream -ResponseVariable whole
"chunks=$($chunks.Count) type=$($chunks[0].GetType().FullName) finish=$($whole.Data[0].FinishReason)"
"text=$($whole.Output)"
'@
        $result = Invoke-FreshPwsh -Script $script -Environment @{ HUMANLOOP_API_KEY = $TestApiKey; HUMANLOOP_BASE_URL = $server.Uri }

        $result.Errors | Should -BeNullOrEmpty
        $result.ExitCode | Should -Be 0
        $result.Output | Should -Match 'type=Humanloop\.CompletionChunk'
        $result.Output | Should -Match 'finish=(stop|length)'
        $result.Output | Should -Match 'text=.*otter'
    }

    It 'imports without running a script or loading another module, and still offers the aliases, ids and views' {
        # What keeps the import light (benchmarked in bench/, never timed here): a script module, type data or
        # a command from another module on the import path would each cost more than the assembly itself.
        $script = @'
Import-Module ./output/Humanloop
"modules=$((Get-Module).Name -join ',') nested=$((Get-Module Humanloop).NestedModules.Count)"
"alias=$((Get-Command Should-HumanloopEqual).ResolvedCommand.Name)"
"ids=$(([Humanloop.Evaluation]@{ Id = 'ev_1' }).EvaluationId),$(([Humanloop.ProjectModelConfig]@{ Config = [Humanloop.ModelConfig]@{ Id = 'config_1' } }).ModelConfigId)"
"view=$(@(Get-FormatData -TypeName Humanloop.Project).Count)"
'@
        $result = Invoke-FreshPwsh -Script $script

        $result.Errors | Should -BeNullOrEmpty
        ($result.Output -split "`r?`n" | Where-Object { $_ }) | Should -Be @(
            'modules=Humanloop nested=0'
            'alias=Assert-HumanloopEqual'
            'ids=ev_1,config_1'
            'view=1'
        )
    }
}

Describe 'Secrets' {
    It 'keeps the API key and provider keys out of every stream, error and context view' {
        $canary = 'hl_canary_' + [guid]::NewGuid().ToString('N')
        $providerCanary = 'sk-canary-' + [guid]::NewGuid().ToString('N')
        Reset-Stub $stub
        Add-StubResponse $stub @(
            @{ status = 503; body = @{ detail = "overloaded; your key was $canary" } }
            @{ status = 401; body = @{ detail = "bad key $canary" } }
        )

        Connect-Humanloop -ApiKey $canary -BaseUri $stub.Uri -SkipCheck
        # -Debug on a compiled cmdlet means Inquire (a prompt); the preference variable shows debug text without one.
        $DebugPreference = 'Continue'
        $everything = & {
            Get-HumanloopContext | Format-List | Out-String
            New-HumanloopCompletion -ProjectId pr_1 -ProviderApiKeys @{ openai = $providerCanary } -MaxRetries 1 -Verbose
        } *>&1 | ForEach-Object { $_ | Out-String; if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.Exception.ToString(); $_.ErrorDetails.Message } } | Out-String
        $DebugPreference = 'SilentlyContinue'

        $everything | Should -Not -BeNullOrEmpty
        $everything.Contains('X-API-KEY: ****' + $canary.Substring($canary.Length - 4)) | Should -BeTrue -Because 'debug output shows the masked key'
        $everything | Should -Not -BeLike "*$canary*"
        $everything | Should -Not -BeLike "*$providerCanary*"
        ($Error | ForEach-Object { $_.ToString(); $_.Exception.ToString() } | Out-String) | Should -Not -BeLike "*$canary*"
        (Get-StubRequest $stub)[0].headers.'X-API-KEY' | Should -Be $canary
        Disconnect-Humanloop
    }
}
