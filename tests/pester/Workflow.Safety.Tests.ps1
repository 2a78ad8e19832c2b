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
    )
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:stub = Start-StubServer
}

AfterAll {
    Disconnect-Humanloop
    $stub | Stop-ReadyProcess
}

Describe '<Name> -WhatIf' -ForEach $whatIfCases {
    BeforeAll {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri "$($stub.Uri)/v4"
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
        $script:workflow = Get-Command -Module Humanloop -CommandType Cmdlet | Where-Object Noun -In 'HumanloopProject', 'HumanloopModelConfig', 'HumanloopDeployment', 'HumanloopExperiment', 'HumanloopLog', 'HumanloopFeedback' |
            Where-Object Name -NE 'New-HumanloopExperiment'
    }

    It 'supports -WhatIf and -Confirm when it changes something, and only then' {
        $workflow.Count | Should -Be 15
        foreach ($command in $workflow) {
            $changes = $command.Verb -notin 'Get'
            $command.Parameters.ContainsKey('WhatIf') | Should -Be $changes -Because "$($command.Name) $(if ($changes) { 'changes server state' } else { 'only reads' })"
        }
    }

    It 'declares a Humanloop output type, or none for Remove and Unpublish' {
        foreach ($command in $workflow) {
            $declared = @($command.OutputType.Type)
            if ($command.Verb -in 'Remove', 'Unpublish') {
                $declared | Should -Be ([void])
            }
            else {
                $declared.Namespace | Sort-Object -Unique | Should -Be 'Humanloop' -Because $command.Name
            }
        }
    }
}
