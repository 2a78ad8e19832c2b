# What holds for every workflow cmdlet at once: -WhatIf sends no request at all (the stub records
# every request, so "nothing" is checked on the wire), changes are confirmable, and the declared output
# types are the ones written.

BeforeDiscovery {
    $script:whatIfCases = @(
        @{ Name = 'New-HumanloopProject'; Invoke = { New-HumanloopProject -Name p -WhatIf } }
        @{ Name = 'Set-HumanloopProject'; Invoke = { Set-HumanloopProject -Id pr_1 -Name p -WhatIf } }
        @{ Name = 'Remove-HumanloopProject'; Invoke = { Remove-HumanloopProject -Id pr_1 -Force -WhatIf } }
        @{ Name = 'Register-HumanloopModelConfig'; Invoke = { Register-HumanloopModelConfig -ProjectId pr_1 -Model m -PromptTemplate t -WhatIf } }
        @{ Name = 'Publish-HumanloopModelConfig'; Invoke = { Publish-HumanloopModelConfig -ProjectId pr_1 -ModelConfigId config_1 -Environment staging -WhatIf } }
        @{ Name = 'Unpublish-HumanloopModelConfig'; Invoke = { Unpublish-HumanloopModelConfig -ProjectId pr_1 -Environment staging -WhatIf } }
        @{ Name = 'Add-HumanloopExperiment'; Invoke = { Add-HumanloopExperiment -ProjectId pr_1 -Name e -WhatIf } }
        @{ Name = 'Set-HumanloopExperiment'; Invoke = { Set-HumanloopExperiment -Id exp_1 -Name e -WhatIf } }
        @{ Name = 'Remove-HumanloopExperiment'; Invoke = { Remove-HumanloopExperiment -Id exp_1 -Force -WhatIf } }
        @{ Name = 'Add-HumanloopFeedback'; Invoke = { Add-HumanloopFeedback -LogId data_1 -Type rating -Value good -WhatIf } }
        @{ Name = 'Add-HumanloopFeedback -Unset'; Invoke = { Add-HumanloopFeedback -LogId data_1 -Type rating -Unset -WhatIf } }
        @{ Name = 'Set-HumanloopProject -FeedbackType -ClearActiveConfig'; Invoke = { Set-HumanloopProject -Id pr_1 -FeedbackType @{ Type = 'tone' } -ClearActiveConfig -ClearActiveExperiment -WhatIf } }
        @{ Name = 'Export-HumanloopProject'; Invoke = { Export-HumanloopProject -Id pr_1 -Path (Join-Path $TestDrive 'logs.jsonl') -WhatIf } }
        @{ Name = 'Unpublish-HumanloopModelConfig -PassThru'; Invoke = { Unpublish-HumanloopModelConfig -ProjectId pr_1 -Environment staging -PassThru -WhatIf } }
        @{ Name = 'Export-HumanloopModelConfig'; Invoke = { Export-HumanloopModelConfig -Id config_1 -Path (Join-Path $TestDrive 'c.prompt') -WhatIf } }
        @{ Name = 'Import-HumanloopModelConfig'; Invoke = { Import-HumanloopModelConfig -Path $promptFile -ProjectId pr_1 -WhatIf } }
        @{ Name = 'New-HumanloopSession'; Invoke = { New-HumanloopSession -WhatIf } }
        @{ Name = 'Add-HumanloopLog'; Invoke = { Add-HumanloopLog -ProjectId pr_1 -ModelConfigId config_1 -Output o -WhatIf } }
        @{ Name = 'Set-HumanloopLog'; Invoke = { Set-HumanloopLog -Id data_1 -Output o -WhatIf } }
        @{ Name = 'Remove-HumanloopLog'; Invoke = { Remove-HumanloopLog -Id data_1 -Force -WhatIf } }
    )
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:stub = Start-StubServer
    $script:promptFile = Join-Path $TestDrive 'import.prompt'
    Set-Content -LiteralPath $promptFile -Value "---`nmodel: m`n---`nHi"
}

AfterAll {
    Disconnect-Humanloop
    $stub | Stop-ReadyProcess
}

Describe '<Name> -WhatIf' -ForEach $whatIfCases {
    BeforeAll {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri "$($stub.Uri)/v4" -SkipCheck
    }

    It 'sends no request and writes nothing' {
        Reset-Stub $stub

        $output = & $Invoke

        $output | Should -BeNullOrEmpty
        @(Get-StubRequest $stub).Count | Should -Be 0
    }
}

Describe 'Every workflow cmdlet' {
    BeforeAll {
        $script:workflow = Get-Command -Module Humanloop -CommandType Cmdlet |
            Where-Object Noun -In 'HumanloopProject', 'HumanloopModelConfig', 'HumanloopDeployment', 'HumanloopExperiment', 'HumanloopLog', 'HumanloopFeedback', 'HumanloopSession', 'HumanloopPrompt' |
            Where-Object Name -NE 'New-HumanloopExperiment'
    }

    It 'supports -WhatIf and -Confirm when it changes something (on the server or on disk), and only then' {
        $workflow.Count | Should -Be 25
        foreach ($command in $workflow) {
            # Get reads; ConvertTo and ConvertFrom have the server turn text into a config and back, storing nothing.
            $changes = $command.Verb -notin 'Get', 'ConvertTo', 'ConvertFrom'
            $command.Parameters.ContainsKey('WhatIf') | Should -Be $changes -Because "$($command.Name) $(if ($changes) { 'changes server state' } else { 'only reads' })"
        }
    }

    It 'declares a Humanloop output type; a file for Export, text for ConvertTo, none for Remove' {
        foreach ($command in $workflow) {
            $declared = @($command.OutputType.Type)
            switch ($command.Verb) {
                'Remove' { $declared | Should -Be ([void]) -Because $command.Name }
                'Export' { $declared | Should -Be ([System.IO.FileInfo]) -Because $command.Name }
                'ConvertTo' { $declared | Should -Be ([string]) -Because $command.Name }
                default { $declared.Namespace | Sort-Object -Unique | Should -Be 'Humanloop' -Because $command.Name }
            }
        }
    }
}
