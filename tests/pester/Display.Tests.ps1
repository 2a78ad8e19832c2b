# What a person sees at the prompt: the whole text of a result, a stream that reads like typing, confirm
# prompts that name what they are about, -NoSave, what -ResponseVariable keeps after Ctrl+C, and an
# experiment that has not run yet.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    $script:stub = Start-StubServer
    $script:modulePath = (Get-Module Humanloop).Path
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

    $script:inline = @{ Project = 'pester-display'; Provider = 'mock'; Model = 'mock-1' }
    $script:longPrompt = 'Write a limerick about the otters of {{place}} for our sign, in words plain enough for visitors of every age to read'

    function script:Get-Unwrapped {
        <# The text as the formatter wrote it at $Width columns, with its line breaks taken out, and its lines. #>
        param([Parameter(Mandatory)] $InputObject, [int] $Width = 100)
        $text = $InputObject | Out-String -Width $Width
        [pscustomobject]@{ Joined = $text -replace '\r?\n', ''; Lines = @($text -split '\r?\n') }
    }
}

AfterAll {
    Disconnect-Humanloop
    $server, $stub | Stop-ReadyProcess
}

Describe 'A completion or chat result shown at the prompt' {
    It 'shows the whole text of a completion, wrapped, with its finish reason, tokens and log id below it' {
        $response = New-HumanloopCompletion @inline -PromptTemplate $longPrompt -Inputs @{ place = 'the river Thames by the old stone bridge' }
        $response.Output.Length | Should -BeGreaterThan 100 -Because 'the text must be longer than a line to show the wrapping'

        $shown = Get-Unwrapped $response

        $shown.Joined | Should -BeLike "*$($response.Output)*"
        $shown.Lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 100 }
        $shown.Joined | Should -BeLike "*stop · $($response.Usage) · log $($response.LogId)*"
    }

    It 'shows every sample of a multi-sample result, each with its finish reason and log id' {
        $response = New-HumanloopCompletion @inline -PromptTemplate $longPrompt -Inputs @{ place = 'the sea' } -NumSamples 2

        $shown = Get-Unwrapped $response

        foreach ($sample in $response.Data) {
            $shown.Joined.Contains("[$($sample.Index)] $($sample.Output)") | Should -BeTrue -Because "sample $($sample.Index) should show whole"
            $shown.Joined | Should -BeLike "*stop · log $($sample.Id)*"
        }
        $shown.Joined | Should -BeLike "*$($response.Usage) in all*"
    }

    It 'shows the whole reply of a chat' {
        $reply = New-HumanloopChat @inline -Messages ('Tell me about the otters of the river Thames by the old stone bridge, ' * 2)
        $reply.Output.Length | Should -BeGreaterThan 100

        (Get-Unwrapped $reply).Joined | Should -BeLike "*$($reply.Output)*"
    }

    It 'shows the tool calls a chat reply asks for' {
        $reply = New-HumanloopChat @inline -Messages 'Look it up' -ToolChoice required -Tools @{ name = 'lookup'; description = 'Finds things.'; parameters = @{ type = 'object'; properties = @{ q = @{ type = 'string' } } } }

        $shown = Get-Unwrapped $reply

        $shown.Joined | Should -BeLike "*calls $($reply.Message.ToolCalls[0])*tool_call*log $($reply.LogId)*"
    }

    It 'keeps Format-Table to one line per result, the text cut to fit' {
        $responses = 'the sea', 'the river' | ForEach-Object { New-HumanloopCompletion @inline -PromptTemplate $longPrompt -Inputs @{ place = $_ } }

        $lines = @(($responses | Format-Table | Out-String -Width 100) -split '\r?\n' | Where-Object { $_.Trim() })

        $lines.Count | Should -Be 4 -Because 'a header, its underline and a row per result'
        $lines[0] | Should -Match '^LogId\s+FinishReason\s+Tokens\s+Output'
        $lines[2] | Should -BeLike "$($responses[0].LogId)*…"
    }
}

Describe 'A stream at the prompt' {
    It 'flows the text onto one line as it arrives, then the finish reason, tokens and log id' {
        $script = "Import-Module '$modulePath'; New-HumanloopCompletion -Project pester-display -Provider mock -Model mock-1 -PromptTemplate 'Say {{x}}' " +
            "-Inputs @{ x = 'hello to the otters' } -Stream -ResponseVariable whole -ApiKey '$TestApiKey' -BaseUri '$($server.Uri)'; " +
            "'ASSEMBLED ' + `$whole.Output; 'FACTS ' + `$whole.Usage + ' · log ' + `$whole.LogId"

        $run = Invoke-FreshPwsh -Script $script

        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $lines = @($run.Output -split '\r?\n')
        $assembled = ($lines | Where-Object { $_ -like 'ASSEMBLED *' }).Substring('ASSEMBLED '.Length)
        $facts = ($lines | Where-Object { $_ -like 'FACTS *' }).Substring('FACTS '.Length)
        $lines[0] | Should -BeExactly $assembled
        $lines[1] | Should -BeExactly "    stop · $facts"
        $run.Output | Should -Not -Match 'FinishReason|Index'
    }

    It 'keeps the samples of one stream apart, each on its own lines' {
        $script = "Import-Module '$modulePath'; New-HumanloopCompletion -Project pester-display -Provider mock -Model mock-1 -PromptTemplate 'Say {{x}}' " +
            "-Inputs @{ x = 'hello' } -NumSamples 2 -Stream -ResponseVariable whole -ApiKey '$TestApiKey' -BaseUri '$($server.Uri)'; " +
            "`$whole.Data | ForEach-Object { 'SAMPLE [{0}] {1}' -f `$_.Index, `$_.Output }"

        $run = Invoke-FreshPwsh -Script $script

        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $lines = @($run.Output -split '\r?\n')
        $samples = @($lines | Where-Object { $_ -like 'SAMPLE *' } | ForEach-Object { $_.Substring('SAMPLE '.Length) })
        $samples.Count | Should -Be 2
        $lines | Should -Contain $samples[0]
        $lines | Should -Contain $samples[1]
        $lines | Where-Object { $_ -like '*tokens*in all' } | Should -Not -BeNullOrEmpty
    }

    It 'ends the line of a stream that breaks off, marks it unfinished, and reports the error after it' {
        Reset-Stub $stub
        Add-StubResponse $stub @{ events = @((New-ChunkEvent -Output 'There once'), (New-ChunkEvent -Output ' was an otter')) }
        $script = "Import-Module '$modulePath'; New-HumanloopCompletion -ProjectId pr_1 -Stream -ApiKey '$TestApiKey' -BaseUri '$($stub.Uri)' -ErrorAction Continue; 'AFTER'"

        $run = Invoke-FreshPwsh -Script $script

        $lines = @($run.Output -split '\r?\n')
        $lines[0] | Should -BeExactly 'There once was an otter'
        $lines[1] | Should -BeExactly '    (unfinished)'
        $lines[2] | Should -BeExactly 'AFTER'
        $run.Errors | Should -Match 'before sample\(s\) 0 finished'
    }

    It 'shows the tool calls a streamed chat asks for, joined, before the finish reason' {
        $script = "Import-Module '$modulePath'; New-HumanloopChat -Project pester-display -Provider mock -Model mock-1 -Messages 'Look it up' -ToolChoice required " +
            "-Tools @{ name = 'lookup'; description = 'Finds things.'; parameters = @{ type = 'object'; properties = @{ q = @{ type = 'string' } } } } " +
            "-Stream -ResponseVariable whole -ApiKey '$TestApiKey' -BaseUri '$($server.Uri)'; 'CALL ' + `$whole.Message.ToolCalls[0]"

        $run = Invoke-FreshPwsh -Script $script

        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $lines = @($run.Output -split '\r?\n' | Where-Object { $_ })
        $call = ($lines | Where-Object { $_ -like 'CALL *' }).Substring('CALL '.Length)
        $at = [array]::IndexOf($lines, "    calls $call")
        $at | Should -BeGreaterOrEqual 0 -Because "the call should be shown whole: $($run.Output)"
        $lines[$at + 1] | Should -BeLike '    tool_call · *'
    }

    It 'still writes typed chunks where the output is kept: assigned, piped on, or collected' {
        $assigned = New-HumanloopCompletion @inline -PromptTemplate 'Say {{x}}' -Inputs @{ x = 'hi' } -Stream
        $piped = @(New-HumanloopCompletion @inline -PromptTemplate 'Say {{x}}' -Inputs @{ x = 'hi' } -Stream | ForEach-Object { $_ })
        $script = "Import-Module '$modulePath'; `$kept = New-HumanloopCompletion -Project pester-display -Provider mock -Model mock-1 -PromptTemplate 'Say {{x}}' " +
            "-Inputs @{ x = 'hi' } -Stream -ApiKey '$TestApiKey' -BaseUri '$($server.Uri)'; 'KINDS ' + ((`$kept | ForEach-Object { `$_.GetType().Name } | Sort-Object -Unique) -join ',')"

        $run = Invoke-FreshPwsh -Script $script

        @($assigned).Count | Should -BeGreaterThan 1
        $assigned | ForEach-Object { $_ | Should -BeOfType Humanloop.CompletionChunk }
        $piped | ForEach-Object { $_ | Should -BeOfType Humanloop.CompletionChunk }
        $run.Output | Should -Match 'KINDS CompletionChunk\r?\n'
    }
}

Describe '-ResponseVariable after Ctrl+C' {
    BeforeEach {
        Reset-Stub $stub
    }

    It 'holds what had arrived of a stream that was stopped' {
        Add-StubResponse $stub @{ events = @((New-ChunkEvent -Output 'There once'), (New-ChunkEvent -Output ' was an otter')); stall_after_events = 2 }
        $shell = [powershell]::Create()
        try {
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $null = $shell.AddScript("Import-Module '$modulePath'; New-HumanloopCompletion -ProjectId pr_1 -Stream -ResponseVariable partial -ApiKey '$TestApiKey' -BaseUri '$($stub.Uri)'")
            $async = $shell.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while ($output.Count -lt 2 -and [datetime]::UtcNow -lt $deadline -and -not $async.IsCompleted) {
                Start-Sleep -Milliseconds 20
            }
            $output.Count | Should -Be 2 -Because 'the stream should be stalled after its second chunk'

            $shell.Stop()

            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            $partial = $shell.Runspace.SessionStateProxy.GetVariable('partial')
            $partial | Should -BeOfType Humanloop.CompletionResponse
            $partial.Output | Should -BeExactly 'There once was an otter'
            $partial.Data[0].Id | Should -Be 'data_0'
            $partial.Data[0].FinishReason | Should -BeNullOrEmpty -Because 'the sample had not finished'
        }
        finally {
            $shell.Dispose()
        }
    }

    It 'keeps the responses completed before the stopped one, in order' {
        Add-StubResponse $stub @(
            @{ events = @((New-ChunkEvent -Output 'first'), (New-ChunkEvent -Output ' done' -FinishReason 'stop')) }
            @{ events = @((New-ChunkEvent -Output 'second, cut')); stall_after_events = 1 }
        )
        $shell = [powershell]::Create()
        try {
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $null = $shell.AddScript("Import-Module '$modulePath'; @{ a = 1 }, @{ a = 2 } | New-HumanloopCompletion -ProjectId pr_1 -Stream -ResponseVariable partial -ApiKey '$TestApiKey' -BaseUri '$($stub.Uri)'")
            $async = $shell.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while ($output.Count -lt 3 -and [datetime]::UtcNow -lt $deadline -and -not $async.IsCompleted) {
                Start-Sleep -Milliseconds 20
            }
            $output.Count | Should -Be 3

            $shell.Stop()

            $partial = @($shell.Runspace.SessionStateProxy.GetVariable('partial'))
            $partial.Count | Should -Be 2
            $partial[0].Output | Should -BeExactly 'first done'
            $partial[0].Data[0].FinishReason | Should -Be 'stop'
            $partial[1].Output | Should -BeExactly 'second, cut'
        }
        finally {
            $shell.Dispose()
        }
    }
}

Describe '-NoSave' {
    BeforeEach {
        Reset-Stub $stub
    }

    It 'given <Given>: asks the server not to store the payloads (save: false) only when told' -ForEach @(
        @{ Given = '-NoSave'; Extra = @{ NoSave = $true }; Expected = $false }
        @{ Given = '-Save:$false, as before'; Extra = @{ Save = $false }; Expected = $false }
        @{ Given = 'nothing'; Extra = @{}; Expected = $null }
        @{ Given = '-NoSave:$false'; Extra = @{ NoSave = $false }; Expected = $null }
    ) {
        Add-StubResponse $stub @{ body = (New-CompletionBody) }

        $null = New-HumanloopCompletion -ProjectId pr_1 @Extra -ApiKey $TestApiKey -BaseUri $stub.Uri

        $body = (Get-StubRequest $stub)[0].BodyJson
        if ($null -eq $Expected) { $body.Keys | Should -Not -Contain 'save' } else { $body.save | Should -Be $Expected }
    }

    It 'is a switch, off unless given, on <Command>, which keeps -Save hidden' -ForEach @(
        @{ Command = 'New-HumanloopCompletion' }, @{ Command = 'New-HumanloopChat' }, @{ Command = 'New-HumanloopExperiment' }, @{ Command = 'Add-HumanloopLog' }
    ) {
        $parameter = (Get-Command $Command).Parameters['NoSave']

        $parameter.ParameterType | Should -Be ([switch])
        (Get-Command $Command).Parameters['Save'].Attributes.DontShow | Should -Contain $true
    }

    It 'sends save: false from Add-HumanloopLog -NoSave' {
        Add-StubResponse $stub @{ body = @{ id = 'data_1'; project_id = 'pr_1' } }

        $null = Add-HumanloopLog -ProjectId pr_1 -ModelConfigId config_1 -Output 'done' -NoSave -ApiKey $TestApiKey -BaseUri $stub.Uri

        (Get-StubRequest $stub)[0].BodyJson.save | Should -BeFalse
    }

    It 'stops with an error naming both when -NoSave and -Save are given' {
        { New-HumanloopCompletion -ProjectId pr_1 -NoSave -Save -ApiKey $TestApiKey -BaseUri $stub.Uri } |
            Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*' -ExpectedMessage '*-NoSave*-Save*'
        Get-StubRequest $stub | Should -BeNullOrEmpty
    }
}

Describe 'An experiment that has not run yet' {
    BeforeAll {
        $script:project = New-HumanloopProject -Name 'pester-display-experiments'
        $script:concise = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'concise' -Provider mock -Model m -PromptTemplate 'Briefly: {{q}}'
        $script:friendly = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'friendly' -Provider mock -Model m -PromptTemplate 'Warmly: {{q}}'
    }

    It 'leads with no config and says so, until a trial has run' {
        $experiment = Add-HumanloopExperiment -ProjectId $project.Id -Name 'tone' -ModelConfigId $concise.ModelConfigId, $friendly.ModelConfigId

        $experiment.TrialsCount | Should -Be 0
        $experiment.Leading | Should -BeNullOrEmpty
        $row = @(($experiment | Format-Table | Out-String -Width 100) -split '\r?\n' | Where-Object { $_ -like "$($experiment.Id)*" })[0]
        $row | Should -BeLike '*(no trials yet)'
        $row | Should -Not -Match 'concise|friendly'
    }

    It 'leads with the config that has the best mean once trials ran' {
        $experiment = Add-HumanloopExperiment -ProjectId $project.Id -Name 'tone-run' -ModelConfigId $concise.ModelConfigId, $friendly.ModelConfigId -PositiveLabel @{ rating = 'good' }
        1..4 | ForEach-Object { New-HumanloopExperiment -ExperimentId $experiment.Id -Inputs @{ q = "question $_" } } | Add-HumanloopFeedback -Type rating -Value good

        $experiment = Get-HumanloopExperiment -Id $experiment.Id

        $experiment.TrialsCount | Should -Be 4
        $best = $experiment.Configs | Where-Object TrialsCount -GT 0 | Sort-Object Mean -Descending | Select-Object -First 1
        $experiment.Leading.Id | Should -Be $best.Id
        ($experiment | Format-Table | Out-String -Width 100) | Should -Match ([regex]::Escape($best.DisplayName))
    }
}

Describe 'Confirmation prompts and -WhatIf' {
    BeforeAll {
        $script:otters = New-HumanloopProject -Name 'pester-display-otters'
        $config = Register-HumanloopModelConfig -ProjectId $otters.Id -Name 'plain' -Provider mock -Model m -PromptTemplate 'About {{q}}'
        $script:trial = Add-HumanloopExperiment -ProjectId $otters.Id -Name 'otter-trial' -ModelConfigId $config.ModelConfigId

        function script:Invoke-Answered {
            <#
                Runs $Command in a fresh pwsh connected to the server, whose host writes -WhatIf and the
                confirmation question to its output and reads the answers from its input ($Answer, one a line).
                Returns the output with the console's line wrapping taken out.
            #>
            param([Parameter(Mandatory)] [string] $Command, [string[]] $Answer = @())
            $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
            $script = "Import-Module '$modulePath'; Connect-Humanloop -ApiKey '$TestApiKey' -BaseUri '$($server.Uri)'; $Command"
            foreach ($argument in 'pwsh', '-NoProfile', '-Command', $script) {
                $start.ArgumentList.Add($argument)
            }
            $start.WorkingDirectory = $RepoRoot
            $start.RedirectStandardInput = $true
            $start.RedirectStandardOutput = $true
            $start.RedirectStandardError = $true
            $process = [System.Diagnostics.Process]::Start($start)
            foreach ($line in $Answer) {
                $process.StandardInput.WriteLine($line)
            }
            $process.StandardInput.Close()
            $errors = $process.StandardError.ReadToEndAsync()
            $output = $process.StandardOutput.ReadToEnd()
            $process.WaitForExit()
            $process.ExitCode | Should -Be 0 -Because $errors.Result
            $output -replace '\r?\n', ''
        }
    }

    It 'names a piped object by its own name and id, without asking the server' {
        $shown = Invoke-Answered "[pscustomobject]@{ Id = '$($otters.Id)'; Name = 'named-by-the-pipe' } | Remove-HumanloopProject -WhatIf"

        $shown | Should -BeLike "*What if: *on target ""project 'named-by-the-pipe' ($($otters.Id))""*"
    }

    It 'names a project piped from Get-HumanloopProject by its name and id' {
        $shown = Invoke-Answered "Get-HumanloopProject -Id '$($otters.Id)' | Set-HumanloopProject -Name 'sea-otters' -WhatIf"

        $shown | Should -BeLike "*What if: *Set name to 'sea-otters'*on target ""project 'pester-display-otters' ($($otters.Id))""*"
    }

    It 'reads the name of an object given by its id alone when the question is asked' {
        $shown = Invoke-Answered "Remove-HumanloopProject -ProjectId '$($otters.Id)'; Set-HumanloopExperiment -ExperimentId '$($trial.Id)' -Name 'renamed' -Confirm" -Answer 'N', 'N'

        $shown | Should -BeLike "*Delete Humanloop project*on target ""project 'pester-display-otters' ($($otters.Id))""*"
        $shown | Should -BeLike "*Update Humanloop experiment*on target ""experiment 'otter-trial' ($($trial.Id))""*"
        (Get-HumanloopProject -Id $otters.Id).Name | Should -Be 'pester-display-otters' -Because 'the answer was No'
        (Get-HumanloopExperiment -Id $trial.Id).Name | Should -Be 'otter-trial'
    }

    It 'names by id alone under -WhatIf, which sends no request, and what has no name or cannot be read' {
        $shown = Invoke-Answered ("Remove-HumanloopProject -ProjectId '$($otters.Id)' -WhatIf; Remove-HumanloopLog -LogId 'data_1' -WhatIf; " +
            "Remove-HumanloopProject -ProjectId 'pr_missing' -Confirm -ErrorAction SilentlyContinue") -Answer 'N'

        $shown | Should -BeLike "*What if: *on target ""project $($otters.Id)""*"
        $shown | Should -BeLike '*What if: *on target "log data_1"*'
        $shown | Should -BeLike '*Delete Humanloop project*on target "project pr_missing"*'
    }
}
