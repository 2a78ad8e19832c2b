# Retries, timeouts, cancellation, settings, proxies and secrets, against the real local server with
# fault injection on (and the recording stub where a proxy is needed).

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer -Arguments '--enable-faults'
    $script:stub = Start-StubServer
    $script:inline = @{ Project = 'reliability'; Model = 'mock-1'; Provider = 'mock'; PromptTemplate = 'Describe {{thing}}.' }
}

AfterAll {
    Disconnect-Humanloop
    $server, $stub | Stop-ReadyProcess
}

Describe 'Retries' {
    BeforeEach {
        Clear-ServerFault $server
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
        $savedRetries = $env:HUMANLOOP_MAX_RETRIES
    }

    AfterEach {
        $env:HUMANLOOP_MAX_RETRIES = $savedRetries
    }

    It 'retries a 429 after the server''s hint, warning with the status and the wait' {
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'status'; status = 429; retry_after_ms = 300 }

        $response = New-HumanloopCompletion @inline -Inputs @{ thing = 'rain' } -WarningVariable warnings -WarningAction SilentlyContinue

        $response.Attempts | Should -Be 2
        Get-ServerRequestCount $server | Should -Be 2
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -Match '429 Too Many Requests; retrying in \d+\.\d s \(retry 1 of 2\)'
    }

    It 'fails at once on a 429 asking for an hour, carrying the hint' {
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'status'; status = 429; retry_after = '3600' }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        New-HumanloopCompletion @inline -Inputs @{ thing = 'rain' } -ErrorVariable failures -ErrorAction SilentlyContinue

        $watch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(5))
        $failures[0].Exception.RetryAfter | Should -Be ([timespan]::FromHours(1))
        $failures[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        Get-ServerRequestCount $server | Should -Be 1
    }

    It 'gives up on a burst longer than its retries, with the attempts in the error' {
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'status'; status = 503; count = 2 }

        New-HumanloopCompletion @inline -Inputs @{ thing = 'rain' } -MaxRetries 1 -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.503,*'
        $failures[0].Exception.Attempts | Should -Be 2
        $failures[0].ErrorDetails.Message | Should -BeLike '*(after 2 attempts)*'
        Get-ServerRequestCount $server | Should -Be 2
    }

    It 'takes the retry count from the parameter, then the connection, then HUMANLOOP_MAX_RETRIES' {
        $env:HUMANLOOP_MAX_RETRIES = '0'
        Disconnect-Humanloop
        $env:HUMANLOOP_API_KEY, $savedKey = $TestApiKey, $env:HUMANLOOP_API_KEY
        try {
            Add-ServerFault $server @{ path = '/v4/completion'; fault = 'status'; status = 503; count = 100 }

            New-HumanloopCompletion @inline -BaseUri $server.Uri -Inputs @{ thing = 'a' } -ErrorAction SilentlyContinue
            $fromEnvironment = Get-ServerRequestCount $server

            Connect-Humanloop -BaseUri $server.Uri -MaxRetries 1 -SkipCheck
            New-HumanloopCompletion @inline -Inputs @{ thing = 'b' } -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $fromConnection = (Get-ServerRequestCount $server) - $fromEnvironment

            New-HumanloopCompletion @inline -Inputs @{ thing = 'c' } -MaxRetries 2 -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $fromParameter = (Get-ServerRequestCount $server) - $fromEnvironment - $fromConnection

            @($fromEnvironment, $fromConnection, $fromParameter) | Should -Be @(1, 2, 3)
            (Get-HumanloopContext).MaxRetriesSource | Should -Be 'Connection'
        }
        finally {
            $env:HUMANLOOP_API_KEY = $savedKey
        }
    }

    It 'rejects an unusable HUMANLOOP_MAX_RETRIES, naming it' {
        $env:HUMANLOOP_MAX_RETRIES = 'lots'
        { New-HumanloopCompletion @inline -Inputs @{ thing = 'a' } } | Should -Throw -ExpectedMessage '*HUMANLOOP_MAX_RETRIES*lots*0 to 10*'
    }

    It 'writes exactly one result or one error per input, in order, without duplicates' {
        # Input 2 is invalid (missing template input); input 4 meets a burst longer than its retries.
        $inputs = @{ thing = 'one' }, @{ wrong = 'two' }, @{ thing = 'three' }, @{ thing = 'four' }, @{ thing = 'five' }
        $outputs = [System.Collections.Generic.List[object]]::new()
        $failures = [System.Collections.Generic.List[object]]::new()
        $index = 0
        foreach ($item in $inputs) {
            $index++
            if ($index -eq 4) { Add-ServerFault $server @{ path = '/v4/completion'; fault = 'status'; status = 502; count = 2 } }
            $result = New-HumanloopCompletion @inline -Inputs $item -MaxRetries 1 -ErrorVariable +failed -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            if ($result) { $outputs.Add($result) }
        }
        foreach ($record in $failed) { $failures.Add($record) }

        $outputs.Data.Inputs.thing | Should -Be @('one', 'three', 'five')
        $failures.Count | Should -Be 2
        $failures[0].TargetObject.wrong | Should -Be 'two'
        $failures[1].TargetObject.thing | Should -Be 'four'
        $logs = Invoke-RestMethod -NoProxy -Uri "$($server.Uri)/logs?project_id=$($outputs[0].ProjectId)&size=100" -Headers @{ 'X-API-KEY' = $TestApiKey }
        @($logs.records | Where-Object { $_.inputs.thing -in 'one', 'three', 'five' }).Count | Should -Be 3
    }
}

Describe 'Work nobody reads any more' {
    It 'stops paging when Select-Object -First has what it needs' {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
        $project = New-HumanloopProject -Name "paging-$([guid]::NewGuid().ToString('N'))"
        $inProject = $inline.Clone()
        $inProject.Remove('Project')
        1..5 | ForEach-Object { $null = New-HumanloopCompletion @inProject -ProjectId $project.Id -Inputs @{ thing = "item $_" } }
        Clear-ServerFault $server

        $first = Get-HumanloopLog -ProjectId $project.Id -PageSize 1 | Select-Object -First 1
        Start-Sleep -Milliseconds 300

        $first | Should -BeOfType Humanloop.Log
        Get-ServerRequestCount $server '/v4/logs' | Should -BeLessOrEqual 2
    }
}

Describe 'Timeouts and broken streams' {
    BeforeEach {
        Clear-ServerFault $server
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
    }

    It 'times out an attempt that gets no response' {
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'stall_before_headers' }

        New-HumanloopCompletion @inline -Inputs @{ thing = 'x' } -TimeoutSec 1 -MaxRetries 0 -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Timeout,*'
        $failures[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
    }

    It 'ends a stalled stream with an OperationTimeout error after the idle limit, keeping its chunks' {
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'stall_mid_stream'; after_events = 2 }

        $chunks = New-HumanloopCompletion @inline -Inputs @{ thing = 'x' } -Stream -StreamIdleTimeoutSec 1 -ErrorVariable failures -ErrorAction SilentlyContinue

        $chunks.Count | Should -Be 2
        $failures[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $failures[0].Exception.Message | Should -BeLike '*after 2 chunk(s)*'
    }

    It 'reports a stream cut mid-way and a malformed chunk, without retrying either' -ForEach @(
        @{ Fault = 'cut_mid_stream'; ErrorId = 'Humanloop.Stream.Incomplete' }
        @{ Fault = 'malformed_chunk'; ErrorId = 'Humanloop.Stream.Malformed' }
    ) {
        Add-ServerFault $server @{ path = '/v4/completion'; fault = $Fault; after_events = 1 }

        $chunks = New-HumanloopCompletion @inline -Inputs @{ thing = 'x' } -Stream -ErrorVariable failures -ErrorAction SilentlyContinue

        $chunks.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        Get-ServerRequestCount $server | Should -Be 1
    }

    It 'stops promptly during a backoff wait' {
        Add-ServerFault $server @{ path = '/v4/completion-deployed'; fault = 'status'; status = 503; retry_after = '30' }
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$((Get-Module Humanloop).Path)'; New-HumanloopCompletion -ProjectId pr_x -ApiKey '$TestApiKey' -BaseUri '$($server.Uri)' -WarningAction SilentlyContinue")
            $async = $shell.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(20)
            while ((Get-ServerRequestCount $server '/v4/completion-deployed') -lt 1 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            Start-Sleep -Milliseconds 200
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $watch.Stop()

            $async.IsCompleted | Should -BeTrue
            $watch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(2))
            Write-Host "    stop during a 30 s backoff took $([int]$watch.Elapsed.TotalMilliseconds) ms"
            Get-ServerRequestCount $server '/v4/completion-deployed' | Should -Be 1
        }
        finally {
            $shell.Dispose()
        }
    }
}

Describe 'Transport security and proxies' {
    BeforeEach {
        Reset-Stub $stub
        Disconnect-Humanloop
    }

    It 'refuses http:// to another host unless explicitly allowed, saying why' {
        { New-HumanloopCompletion -ProjectId pr_1 -ApiKey $TestApiKey -BaseUri 'http://humanloop.example/v4' } |
            Should -Throw -ExpectedMessage '*unencrypted*-AllowUnencryptedAuthentication*'
        { Connect-Humanloop -ApiKey $TestApiKey -BaseUri 'http://humanloop.example/v4' } | Should -Throw -ErrorId 'Humanloop.Connection.InvalidSetting,*'
        (Get-HumanloopContext).IsConnected | Should -BeFalse
    }

    It 'sends calls and streams through the connection''s proxy' {
        Add-StubResponse $stub @(
            @{ body = (New-CompletionBody -Output 'via proxy') }
            @{ events = @((New-ChunkEvent -Output 'streamed via proxy' -FinishReason 'stop')) }
        )
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri 'http://humanloop.example/v4' -Proxy $stub.Uri -AllowUnencryptedAuthentication -SkipCheck

        (New-HumanloopCompletion -ProjectId pr_1).Output | Should -Be 'via proxy'
        (New-HumanloopCompletion -ProjectId pr_1 -Stream).Output | Should -Be 'streamed via proxy'

        $seen = Get-StubRequest $stub
        $seen.headers.Host | Should -Be @('humanloop.example', 'humanloop.example')
        $seen.path | Should -Be @('/v4/completion-deployed', '/v4/completion-deployed')
        (Get-HumanloopContext).Proxy | Should -Be "$($stub.Uri)/"
    }

    It 'answers a proxy''s challenge with -ProxyCredential' {
        Add-StubResponse $stub @(
            @{ status = 407; headers = @{ 'Proxy-Authenticate' = 'Basic realm="corp"' }; body = @{ detail = 'proxy login' } }
            @{ body = (New-CompletionBody -Output 'authorized') }
        )
        $credential = [pscredential]::new('proxyuser', (ConvertTo-SecureString 'proxy-pass' -AsPlainText -Force))
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri 'http://humanloop.example/v4' -Proxy $stub.Uri -ProxyCredential $credential -AllowUnencryptedAuthentication -SkipCheck

        (New-HumanloopCompletion -ProjectId pr_1).Output | Should -Be 'authorized'

        (Get-StubRequest $stub)[1].headers.'Proxy-Authorization' | Should -Be ('Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('proxyuser:proxy-pass')))
    }

    It 'honours HTTP_PROXY and NO_PROXY from the environment' {
        Add-StubResponse $stub @{ body = (New-CompletionBody -Output 'environment proxy') }
        $script = "Import-Module ./output/Humanloop; (New-HumanloopCompletion -ProjectId pr_1 -BaseUri http://humanloop.example/v4 -AllowUnencryptedAuthentication -MaxRetries 0 -ErrorAction Stop).Output"

        $proxied = Invoke-FreshPwsh -Script $script -Environment @{ HUMANLOOP_API_KEY = $TestApiKey; http_proxy = $stub.Uri }
        $bypassed = Invoke-FreshPwsh -Script $script -Environment @{ HUMANLOOP_API_KEY = $TestApiKey; http_proxy = $stub.Uri; no_proxy = 'humanloop.example' }

        $proxied.Output.Trim() | Should -Be 'environment proxy'
        $bypassed.ExitCode | Should -Not -Be 0
        $bypassed.Errors | Should -BeLike '*humanloop.example*'
        (Get-StubRequest $stub).Count | Should -Be 1
    }
}

Describe 'A canary key' {
    It 'appears in no output stream, error, exception, context view or transcript of any cmdlet' {
        $canary = 'hl_canary_' + [guid]::NewGuid().ToString('N')
        Clear-ServerFault $server
        Add-ServerFault $server @{ fault = 'status'; status = 500; count = 10000; body = "{`"detail`": `"the server echoes $canary`"}" }
        $transcript = Join-Path $TestDrive 'transcript.txt'
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $sample = @{ [string] = 'canary-value'; [string[]] = @('canary-value'); [int] = 1; [double] = 0.5; [uri] = 'http://127.0.0.1:1/'
            [psobject] = @{ a = 1 }; [hashtable] = @{ a = 1 }; [object] = 'canary-value'; [datetime] = [datetime]'2026-01-01' }
        # Parameters whose type takes values the cmdlet then refuses before sending: a value it sends instead.
        $valid = @{ 'Add-HumanloopEvaluationResult' = @{ Value = 0.5 }; 'Invoke-HumanloopEvaluation' = @{ ModelConfigId = 'config_canary' } }

        Start-Transcript -Path $transcript | Out-Null
        $DebugPreference = 'Continue'
        try {
            # Every cmdlet that can send a key, plus the ones that show the context.
            $sweep = Get-Command -Module Humanloop -CommandType Cmdlet | Where-Object { $_.Parameters.ContainsKey('ApiKey') -or $_.Name -eq 'Get-HumanloopContext' }
            $everything = foreach ($command in $sweep) {
                $set = @($command.ParameterSets | Where-Object IsDefault) + @($command.ParameterSets) | Select-Object -First 1
                $arguments = @{}
                foreach ($parameter in ($set.Parameters | Where-Object { $_.IsMandatory -and $_.Name -notin $common })) {
                    $type = $parameter.ParameterType
                    $arguments[$parameter.Name] = if ($type.IsEnum) { [enum]::GetValues($type)[0] } elseif ($sample.ContainsKey($type)) { $sample[$type] } else { 'canary-value' }
                }
                if ($set.Parameters.Name -contains 'ProjectId' -and -not $arguments.ContainsKey('ProjectId')) { $arguments.ProjectId = 'pr_canary' }
                if ($valid.ContainsKey($command.Name)) { foreach ($entry in $valid[$command.Name].GetEnumerator()) { $arguments[$entry.Key] = $entry.Value } }
                if ($command.Parameters.ContainsKey('ApiKey')) { $arguments.ApiKey = $canary }
                if ($command.Parameters.ContainsKey('BaseUri')) { $arguments.BaseUri = $server.Uri }
                if ($command.Parameters.ContainsKey('MaxRetries')) { $arguments.MaxRetries = 1 }
                if ($command.Parameters.ContainsKey('Confirm')) { $arguments.Confirm = $false }
                # A terminating error (a run that cannot proceed) is checked like any other record.
                & { try { & $command.Name @arguments -Verbose -ErrorAction Continue -WarningAction Continue *>&1 } catch { $_ } } 2>&1 |
                    ForEach-Object { $_ | Out-String; if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.FullyQualifiedErrorId; $_.Exception.ToString(); $_.ErrorDetails.Message; $_.TargetObject | Out-String } }
                Get-HumanloopContext | Format-List * | Out-String
            }
        }
        finally {
            $DebugPreference = 'SilentlyContinue'
            Stop-Transcript | Out-Null
            Disconnect-Humanloop
        }

        $sent = (Invoke-RestMethod -NoProxy -Uri (($server.Uri -replace '/v4$', '') + '/_faults') -Headers @{ 'X-API-KEY' = $script:TestApiKey }).requests.PSObject.Properties.Value | Measure-Object -Sum
        $sent.Sum | Should -BeGreaterOrEqual 2 -Because 'the canary key must actually have been sent'
        ($everything | Out-String) | Should -Not -BeLike "*$canary*"
        ($Error | ForEach-Object { $_ | Out-String; $_.Exception.ToString() } | Out-String) | Should -Not -BeLike "*$canary*"
        Get-Content -Raw $transcript | Should -Not -BeLike "*$canary*"
        Get-ChildItem $TestDrive -Recurse -File | ForEach-Object { Get-Content -Raw $_.FullName } | Out-String | Should -Not -BeLike "*$canary*"
        ($everything | Out-String) | Should -BeLike '*Humanloop.Http.500*' -Because 'the calls should have failed at the server, not earlier'
    }
}
