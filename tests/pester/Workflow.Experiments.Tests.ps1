# Add-, Get-, Set- and Remove-HumanloopExperiment against the real local server.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

    $script:project = New-HumanloopProject -Name 'support-experiments'
    $script:concise = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'concise' -Provider mock -Model m -PromptTemplate 'Briefly: {{question}}'
    $script:friendly = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'friendly' -Provider mock -Model m -PromptTemplate 'Warmly: {{question}}'
}

AfterAll {
    Disconnect-Humanloop
    $server | Stop-ReadyProcess
}

Describe 'Add-HumanloopExperiment' {
    It 'adds an experiment with configs and positive labels to a piped project' {
        $experiment = $project | Add-HumanloopExperiment -Name 'tone' -ModelConfigId $concise.ModelConfigId, $friendly.ModelConfigId -PositiveLabel @{ rating = 'good'; action = 'copied', 'saved' }

        $experiment | Should -BeOfType Humanloop.Experiment
        $experiment.Id | Should -BeLike 'exp_*'
        $experiment.ProjectId | Should -Be $project.Id
        $experiment.Status | Should -Be ([Humanloop.ExperimentStatus]::Initialized)
        $experiment.Configs[0] | Should -BeOfType Humanloop.ExperimentConfig
        $experiment.Configs.ModelConfigId | Should -Be $concise.ModelConfigId, $friendly.ModelConfigId
        $experiment.Configs.TrialsCount | Should -Be 0, 0
        ($experiment.PositiveLabels | ForEach-Object ToString | Sort-Object) | Should -Be 'action=copied', 'action=saved', 'rating=good'
    }

    It 'deploys the experiment to the default environment with -SetActive' {
        $experiment = Add-HumanloopExperiment -ProjectId $project.Id -Name 'active' -ModelConfigId $concise.ModelConfigId -SetActive

        (Get-HumanloopProject -Id $project.Id).ActiveExperiment.Id | Should -Be $experiment.Id
        Set-HumanloopProject -Id $project.Id -ActiveConfigId $concise.ModelConfigId | Out-Null
    }

    It 'adds nothing under -WhatIf' {
        Add-HumanloopExperiment -ProjectId $project.Id -Name 'never' -WhatIf | Should -BeNullOrEmpty

        Get-HumanloopExperiment -ProjectId $project.Id -Name 'never' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'stops with an error naming -PositiveLabel when a label is not a string or number' {
        { Add-HumanloopExperiment -ProjectId $project.Id -Name 'bad' -PositiveLabel @{ rating = @{ nested = 1 } } } |
            Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*' -ExpectedMessage '*-PositiveLabel.rating*'
    }

    It 'reports an unknown project as a non-terminating ObjectNotFound error' {
        Add-HumanloopExperiment -ProjectId pr_missing -Name 'x' -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty

        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'pr_missing'
    }
}

Describe 'Get-HumanloopExperiment' {
    BeforeAll {
        $script:other = New-HumanloopProject -Name 'support-other'
        $otherConfig = Register-HumanloopModelConfig -ProjectId $other.Id -Provider mock -Model m -PromptTemplate '{{question}}'
        $script:otherExperiment = Add-HumanloopExperiment -ProjectId $other.Id -Name 'other tone' -ModelConfigId $otherConfig.ModelConfigId
        $script:unrelated = New-HumanloopProject -Name 'billing'
        Add-HumanloopExperiment -ProjectId $unrelated.Id -Name 'billing tone' | Out-Null
    }

    It 'lists the experiments of every project piped from Get-HumanloopProject -Name with wildcards' {
        $experiments = @(Get-HumanloopProject -Name 'support*' | Get-HumanloopExperiment)

        $experiments.ProjectId | Sort-Object -Unique | Should -Be (@($project.Id, $other.Id) | Sort-Object)
        $experiments.Name | Should -Contain 'other tone'
        $experiments.Name | Should -Not -Contain 'billing tone'
    }

    It 'keeps the names that match -Name, and reports a literal name that matches nothing' {
        (Get-HumanloopExperiment -ProjectId $project.Id -Name 'TO*').Name | Should -Be 'tone'

        Get-HumanloopExperiment -ProjectId $project.Id -Name 'missing' -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Experiment.NotFound,*'
    }

    It 'reads experiments by id, with unknown ids as non-terminating ObjectNotFound errors' {
        $found = Get-HumanloopExperiment -Id exp_missing, $otherExperiment.Id -ErrorAction SilentlyContinue -ErrorVariable failures

        $found.Id | Should -Be $otherExperiment.Id
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.404,*'
        $failures[0].TargetObject | Should -Be 'exp_missing'
        Get-HumanloopExperiment -ProjectId pr_missing -ErrorAction SilentlyContinue -ErrorVariable byProject
        $byProject[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'shows each config''s statistics once trials have feedback' {
        $experiment = Add-HumanloopExperiment -ProjectId $project.Id -Name 'stats' -ModelConfigId $concise.ModelConfigId -PositiveLabel @{ rating = 'good' }
        1..3 | ForEach-Object { @{ question = "q$_" } } | New-HumanloopExperiment -ExperimentId $experiment.Id |
            Add-HumanloopFeedback -Type rating -Value good | Out-Null

        $stats = (Get-HumanloopExperiment -Id $experiment.Id).Configs

        $stats.TrialsCount | Should -Be 3
        $stats.Mean | Should -BeGreaterThan 0.5
        $stats.Spread | Should -BeGreaterThan 0
        (Get-HumanloopExperiment -Id $experiment.Id).Status | Should -Be ([Humanloop.ExperimentStatus]::InProgress)
    }
}

Describe 'Set-HumanloopExperiment' {
    It 'renames a piped experiment, swaps its configs and replaces its labels' {
        $experiment = Add-HumanloopExperiment -ProjectId $project.Id -Name 'to change' -ModelConfigId $concise.ModelConfigId -PositiveLabel @{ rating = 'good' }

        $changed = $experiment | Set-HumanloopExperiment -Name 'changed' -AddModelConfigId $friendly.ModelConfigId -RemoveModelConfigId $concise.ModelConfigId -PositiveLabel @{ action = 'copied' }

        $changed | Should -BeOfType Humanloop.Experiment
        $changed.Name | Should -Be 'changed'
        ($changed.Configs | Where-Object Id -EQ $concise.ModelConfigId).Active | Should -BeFalse
        ($changed.Configs | Where-Object Id -EQ $friendly.ModelConfigId).Active | Should -BeTrue
        $changed.PositiveLabels.Type | Should -Be 'action'
    }

    It 'changes nothing under -WhatIf' {
        $experiment = Add-HumanloopExperiment -ProjectId $project.Id -Name 'kept'

        $experiment | Set-HumanloopExperiment -Name 'renamed' -WhatIf | Should -BeNullOrEmpty

        (Get-HumanloopExperiment -Id $experiment.Id).Name | Should -Be 'kept'
    }

    It 'stops with an error naming the parameters when asked to add and remove one config' {
        { Set-HumanloopExperiment -Id exp_1 -AddModelConfigId config_1 -RemoveModelConfigId config_1 } |
            Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*' -ExpectedMessage '*-AddModelConfigId and -RemoveModelConfigId both name config_1*'
    }

    It 'warns, and sends nothing, when there is nothing to change' {
        Set-HumanloopExperiment -Id exp_missing -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty

        $warnings | Should -BeLike 'Nothing to change: give -Name, -PositiveLabel, -AddModelConfigId or -RemoveModelConfigId.'
        $failures | Should -BeNullOrEmpty -Because 'no request was made, so the unknown id went unnoticed'
    }

    It 'reports an unknown experiment as a non-terminating ObjectNotFound error' {
        Set-HumanloopExperiment -Id exp_missing -Name x -ErrorAction SilentlyContinue -ErrorVariable failures

        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'exp_missing'
    }
}

Describe 'Remove-HumanloopExperiment' {
    It 'is ConfirmImpact High' {
        $attribute = (Get-Command Remove-HumanloopExperiment).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.ConfirmImpact | Should -Be 'High'
    }

    It 'deletes a piped experiment with -Confirm:$false, keeping its logs' {
        $experiment = Add-HumanloopExperiment -ProjectId $project.Id -Name 'doomed' -ModelConfigId $concise.ModelConfigId
        $response = New-HumanloopExperiment -ExperimentId $experiment.Id -Inputs @{ question = 'kept?' }

        $experiment | Remove-HumanloopExperiment -Confirm:$false | Should -BeNullOrEmpty

        Get-HumanloopExperiment -Id $experiment.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        (Get-HumanloopLog -Id $response.LogId).Id | Should -Be $response.LogId
    }

    It 'deletes without asking under -Force, and nothing under -WhatIf even with -Force' {
        $kept = Add-HumanloopExperiment -ProjectId $project.Id -Name 'what-if kept'
        $gone = Add-HumanloopExperiment -ProjectId $project.Id -Name 'forced'

        $kept | Remove-HumanloopExperiment -Force -WhatIf
        $gone | Remove-HumanloopExperiment -Force

        (Get-HumanloopExperiment -Id $kept.Id).Name | Should -Be 'what-if kept'
        Get-HumanloopExperiment -Id $gone.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'reports an unknown experiment as a non-terminating ObjectNotFound error and goes on' {
        $next = Add-HumanloopExperiment -ProjectId $project.Id -Name 'next'

        Remove-HumanloopExperiment -Id exp_missing, $next.Id -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failures

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.404,*'
        Get-HumanloopExperiment -Id $next.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
