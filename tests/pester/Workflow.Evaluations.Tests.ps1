# New-, Get-, Set-, Stop- and Wait-HumanloopEvaluation, Get-HumanloopEvaluationResult, and
# Add-HumanloopEvaluationLog and -Result against the real local server: runs the server executes, and
# runs whose logs and external results the client posts.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

    $script:project = New-HumanloopProject -Name 'evaluations'
    # The mock answers "Echo: <the prompt> …", so an output mentions a refund exactly when its question does.
    $script:config = Register-HumanloopModelConfig -ProjectId $project.Id -Name answer -Provider mock -Model mock-1 -PromptTemplate 'Answer: {{question}}'
    $script:dataset = New-HumanloopDataset -ProjectId $project.Id -Name 'questions'
    $script:points = @(
        Add-HumanloopDatapoint -DatasetId $dataset.Id -Inputs @{ question = 'Can I get a refund?' } -Target @{ output = 'yes' }
        Add-HumanloopDatapoint -DatasetId $dataset.Id -Inputs @{ question = 'Where is my parcel?' } -Target @{ output = 'on its way' }
        Add-HumanloopDatapoint -DatasetId $dataset.Id -Inputs @{ question = 'Is the refund policy fair?' } -Target @{ output = 'yes' }
    )
    $script:mentionsRefund = New-HumanloopEvaluator -Name 'mentions refund' -Code 'builtin:icontains:refund'
    $script:score = New-HumanloopEvaluator -Name 'ci score' -Type external -ReturnType number
    $script:passed = New-HumanloopEvaluator -Name 'ci passed' -Type external

    function New-ClientRun {
        # A run whose logs the client posts: it stays unfinished until the client says otherwise.
        param([string[]] $EvaluatorId = @($score.Id, $passed.Id))
        New-HumanloopEvaluation -ProjectId $project.Id -ModelConfigId $config.ModelConfigId -DatasetId $dataset.Id -EvaluatorId $EvaluatorId -ClientGenerated
    }

    function Get-RunCount { @(Get-HumanloopEvaluation -ProjectId $project.Id).Count }

    function Get-RunPoint {
        # One datapoint of a run, as Get-HumanloopEvaluationResult writes it.
        param([string] $EvaluationId, [string] $DatapointId)
        Get-HumanloopEvaluationResult -EvaluationId $EvaluationId | Where-Object { $_.Datapoint.Id -eq $DatapointId }
    }

    function New-ConnectedShell {
        # Another runspace with the module imported and connected, for what only a host sees (progress) or does (Stop).
        $shell = [powershell]::Create()
        $null = $shell.AddScript("Import-Module '$((Get-Module Humanloop).Path)'; Connect-Humanloop -ApiKey '$TestApiKey' -BaseUri '$($server.Uri)'").Invoke()
        $shell.Commands.Clear()
        $shell
    }
}

AfterAll {
    Disconnect-Humanloop
    $server | Stop-ReadyProcess
}

Describe 'New-HumanloopEvaluation' {
    It 'creates a run the server executes, binding the project and dataset of a piped dataset' {
        $run = $dataset | New-HumanloopEvaluation -ModelConfigId $config.ModelConfigId -EvaluatorId $mentionsRefund.Id

        $run | Should -BeOfType Humanloop.Evaluation
        $run.Id | Should -BeLike 'ev_*'
        $run.EvaluationId | Should -Be $run.Id
        $run.Dataset.Id | Should -Be $dataset.Id
        $run.Config.Id | Should -Be $config.ModelConfigId
        @($run.Evaluators.Id) | Should -Be @($mentionsRefund.Id)
        $run.Status | Should -BeIn 'pending', 'running', 'completed'

        ($run | Wait-HumanloopEvaluation -Timeout 60).Status | Should -Be 'completed'
        $results = @($run | Get-HumanloopEvaluationResult)
        $results.Count | Should -Be 3
        foreach ($result in $results) {
            $result.Log.Output | Should -BeLike 'Echo: Answer: *'
        }
    }

    It 'binds the project and config of a piped registered config, and takes no evaluators' {
        $run = $config | New-HumanloopEvaluation -DatasetId $dataset.Id -ClientGenerated

        $run.Config.Id | Should -Be $config.ModelConfigId
        $run.Evaluators.Count | Should -Be 0
        (Get-HumanloopEvaluation -ProjectId $project.Id).Id | Should -Contain $run.Id
    }

    It 'leaves the logs to the client with -ClientGenerated' {
        $run = New-ClientRun

        Wait-HumanloopEvaluation -EvaluationId $run.Id -Timeout 1 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $results = @(Get-HumanloopEvaluationResult -EvaluationId $run.Id)
        $results.Count | Should -Be 3
        $results | Where-Object Log | Should -BeNullOrEmpty
    }

    It 'creates nothing under -WhatIf' {
        $before = Get-RunCount
        $dataset | New-HumanloopEvaluation -ModelConfigId $config.ModelConfigId -WhatIf | Should -BeNullOrEmpty
        Get-RunCount | Should -Be $before
    }

    It 'reports what the server refuses as a non-terminating error about the project' {
        New-HumanloopEvaluation -ProjectId $project.Id -ModelConfigId $config.ModelConfigId -DatasetId evts_missing -ErrorAction SilentlyContinue -ErrorVariable failures |
            Should -BeNullOrEmpty
        New-HumanloopEvaluation -ProjectId pr_missing -ModelConfigId $config.ModelConfigId -DatasetId $dataset.Id -ErrorAction SilentlyContinue -ErrorVariable +failures |
            Should -BeNullOrEmpty

        $failures.Count | Should -Be 2
        $failures[0].TargetObject | Should -Be $project.Id
        $failures[1].TargetObject | Should -Be 'pr_missing'
        $failures[1].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Get-HumanloopEvaluation' {
    BeforeAll {
        $script:listProject = New-HumanloopProject -Name 'evaluation-list'
        $listDataset = New-HumanloopDataset -ProjectId $listProject.Id -Name 'copy'
        $null = $dataset | Get-HumanloopDatapoint | Add-HumanloopDatapoint -DatasetId $listDataset.Id
        $listConfig = Register-HumanloopModelConfig -ProjectId $listProject.Id -Name answer -Provider mock -Model mock-1 -PromptTemplate 'Answer: {{question}}'
        $script:listRuns = @(foreach ($n in 1..5) {
                New-HumanloopEvaluation -ProjectId $listProject.Id -ModelConfigId $listConfig.ModelConfigId -DatasetId $listDataset.Id -EvaluatorId $mentionsRefund.Id
                Start-Sleep -Milliseconds 20
            })
        $null = $listRuns | Wait-HumanloopEvaluation -Timeout 60
    }

    It 'lists a project''s runs newest first, page by page' {
        $all = @(Get-HumanloopEvaluation -ProjectId $listProject.Id)
        $paged = @(Get-HumanloopEvaluation -ProjectId $listProject.Id -PageSize 2)

        $all.Count | Should -Be 5
        $all[0] | Should -BeOfType Humanloop.Evaluation
        $all.Id | Should -Be @($listRuns.Id[4..0])
        $paged.Id | Should -Be $all.Id
        $all | Where-Object { $null -ne $_.EvaluatorAggregates } | Should -BeNullOrEmpty
    }

    It 'lists the runs of a piped project' {
        @($listProject | Get-HumanloopEvaluation).Count | Should -Be 5
    }

    It 'bounds the creation time with -Since and -Until, with and without aggregates' {
        $middle = $listRuns[2].CreatedAt.LocalDateTime

        @(Get-HumanloopEvaluation -ProjectId $listProject.Id -Since $middle).Id | Should -Be @($listRuns.Id[4..2])
        @(Get-HumanloopEvaluation -ProjectId $listProject.Id -Until $middle).Id | Should -Be @($listRuns.Id[2..0])
        @(Get-HumanloopEvaluation -ProjectId $listProject.Id -Since $middle -IncludeAggregates).Id | Should -Be @($listRuns.Id[4..2])
        @(Get-HumanloopEvaluation -ProjectId $listProject.Id -Until $middle -IncludeAggregates).Id | Should -Be @($listRuns.Id[2..0])
        Get-HumanloopEvaluation -ProjectId $listProject.Id -Since (Get-Date).AddHours(1) | Should -BeNullOrEmpty
    }

    It 'adds each run''s score per evaluator with -IncludeAggregates, newest first' {
        $runs = @(Get-HumanloopEvaluation -ProjectId $listProject.Id -IncludeAggregates)

        $runs.Id | Should -Be @($listRuns.Id[4..0])
        foreach ($run in $runs) {
            $run.EvaluatorAggregates.Count | Should -Be 1
            $run.EvaluatorAggregates[0].EvaluatorId | Should -Be $mentionsRefund.Id
            $run.EvaluatorAggregates[0].AggregateValue | Should -BeGreaterThan 0.66
            $run.EvaluatorAggregates[0].AggregateValue | Should -BeLessThan 0.67
        }
    }

    It 'reads runs by id, piped or given, with or without aggregates' {
        $read = @($listRuns[0], $listRuns[1] | Get-HumanloopEvaluation)
        $read.Id | Should -Be @($listRuns[0].Id, $listRuns[1].Id)
        $read[0].EvaluatorAggregates | Should -BeNullOrEmpty

        $scored = Get-HumanloopEvaluation $listRuns[0].Id -IncludeAggregates
        $scored.Status | Should -Be 'completed'
        $scored.EvaluatorAggregates[0].AggregateValue | Should -BeGreaterThan 0.66
    }

    It 'shows the run, its evaluators and their scores in the default table' {
        $table = Get-HumanloopEvaluation -EvaluationId $listRuns[0].Id -IncludeAggregates | Format-Table | Out-String -Width 200

        $table | Should -Match ([regex]::Escape($listRuns[0].Id))
        $table | Should -Match 'completed'
        $table | Should -Match 'mentions refund=0\.667'
    }

    It 'reports an unknown id as a non-terminating ObjectNotFound error and goes on' {
        $read = @(Get-HumanloopEvaluation -EvaluationId ev_missing, $listRuns[0].Id -ErrorAction SilentlyContinue -ErrorVariable failures)

        $read.Id | Should -Be @($listRuns[0].Id)
        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'ev_missing'
    }

    It 'stops on parameters that cannot work together' {
        { Get-HumanloopEvaluation -ProjectId $listProject.Id -PageSize 2 -IncludeAggregates } | Should -Throw -ErrorId 'Humanloop.Input.ConflictingParameters,*'
        { Get-HumanloopEvaluation -ProjectId $listProject.Id -Since (Get-Date) -Until (Get-Date).AddDays(-1) } | Should -Throw -ExpectedMessage '*-Since*later than -Until*'
    }
}

Describe 'Get-HumanloopEvaluationResult' {
    BeforeAll {
        $script:serverRun = $dataset | New-HumanloopEvaluation -ModelConfigId $config.ModelConfigId -EvaluatorId $mentionsRefund.Id | Wait-HumanloopEvaluation -Timeout 60
    }

    It 'writes each datapoint of a run with its log and the evaluators'' results' {
        $results = @($serverRun | Get-HumanloopEvaluationResult)

        $results.Count | Should -Be 3
        $results[0] | Should -BeOfType Humanloop.EvaluationDatapoint
        @($results.DatapointId | Sort-Object) | Should -Be @($points.Id | Sort-Object)
        foreach ($result in $results) {
            $result.LogId | Should -Be $result.Log.Id
            $result.Log.Output | Should -BeLike "Echo: Answer: $($result.Datapoint.Inputs['question'])*"
            $result.EvaluationResults.Count | Should -Be 1
            $result.EvaluationResults[0].EvaluatorId | Should -Be $mentionsRefund.Id
            $result.EvaluationResults[0].Value | Should -Be ($result.Datapoint.Inputs['question'] -match 'refund')
        }
    }

    It 'reads every page, counting pages from 1' {
        $bigDataset = New-HumanloopDataset -ProjectId $project.Id -Name 'seven'
        $null = 1..7 | ForEach-Object { [pscustomobject]@{ question = "question $_" } } | Add-HumanloopDatapoint -DatasetId $bigDataset.Id
        $run = $bigDataset | New-HumanloopEvaluation -ModelConfigId $config.ModelConfigId -ClientGenerated

        $paged = @(Get-HumanloopEvaluationResult -EvaluationId $run.Id -PageSize 3)
        $whole = @(Get-HumanloopEvaluationResult -EvaluationId $run.Id -PageSize 10)

        $paged.Count | Should -Be 7
        @($paged.DatapointId | Select-Object -Unique).Count | Should -Be 7
        $paged.DatapointId | Should -Be $whole.DatapointId
        @($paged.Datapoint.Inputs | ForEach-Object { $_['question'] } | Sort-Object) | Should -Be @(1..7 | ForEach-Object { "question $_" })
    }

    It 'shows the datapoint, the output and each result in the default table' {
        $table = $serverRun | Get-HumanloopEvaluationResult | Format-Table | Out-String -Width 250

        foreach ($point in $points) {
            $table | Should -Match ([regex]::Escape($point.Id))
        }
        $table | Should -Match "$([regex]::Escape($mentionsRefund.Id))=True"
        $table | Should -Match "$([regex]::Escape($mentionsRefund.Id))=False"
        $table | Should -Match 'Echo: Answer:'
    }

    It 'reports an unknown run as a non-terminating error about its id' {
        Get-HumanloopEvaluationResult -EvaluationId ev_missing -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty

        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'ev_missing'
    }
}

Describe 'Add-HumanloopEvaluationLog' {
    BeforeEach {
        $script:run = New-ClientRun
    }

    It 'posts a client''s log for one datapoint, with what it records' {
        $log = Add-HumanloopEvaluationLog -EvaluationId $run.Id -DatapointId $points[0].Id -Output 'Yes, within 30 days.' -Inputs @{ question = 'Can I get a refund?' } `
            -Duration 0.75 -PromptTokens 12 -OutputTokens 6 -ModelConfigId $config.ModelConfigId

        $log | Should -BeOfType Humanloop.CreatedLog
        $log.Id | Should -BeLike 'data_*'
        $log.LogId | Should -Be $log.Id
        $point = Get-RunPoint $run.Id $points[0].Id
        $point.Log.Id | Should -Be $log.Id
        $point.Log.Output | Should -Be 'Yes, within 30 days.'
        $point.Log.Inputs['question'] | Should -Be 'Can I get a refund?'
        $point.Log.Duration | Should -Be 0.75
        $point.Log.PromptTokens | Should -Be 12
        $point.Log.OutputTokens | Should -Be 6
        (Get-RunPoint $run.Id $points[1].Id).Log | Should -BeNullOrEmpty
    }

    It 'posts a log for every piped datapoint of the run, its output computed by a script block' {
        $logs = @($run | Get-HumanloopEvaluationResult | Add-HumanloopEvaluationLog -EvaluationId $run.Id -Output { "Answer to: $($_.Datapoint.Inputs['question'])" })

        $logs.Count | Should -Be 3
        foreach ($point in (Get-HumanloopEvaluationResult -EvaluationId $run.Id)) {
            $point.Log.Output | Should -Be "Answer to: $($point.Datapoint.Inputs['question'])"
        }
    }

    It 'records a failed generation, and a chat exchange' {
        $null = Add-HumanloopEvaluationLog -EvaluationId $run.Id -DatapointId $points[0].Id -ErrorMessage 'The model timed out.'
        $null = Add-HumanloopEvaluationLog -EvaluationId $run.Id -DatapointId $points[1].Id -Messages 'Where is my parcel?' -OutputMessage 'On its way.' -Output 'On its way.'

        $failed = Get-RunPoint $run.Id $points[0].Id
        $failed.Log.Error | Should -Be 'The model timed out.'
        $failed.Log.Output | Should -BeNullOrEmpty
        ($failed | Format-Table | Out-String -Width 250) | Should -Match 'The model timed out\.'
        $chat = Get-RunPoint $run.Id $points[1].Id
        $chat.Log.Messages[0]['role'] | Should -Be 'user'
        $chat.Log.Messages[0]['content'] | Should -Be 'Where is my parcel?'
        $chat.Log.OutputMessage['role'] | Should -Be 'assistant'
        $chat.Log.OutputMessage['content'] | Should -Be 'On its way.'
    }

    It 'posts nothing under -WhatIf' {
        Add-HumanloopEvaluationLog -EvaluationId $run.Id -DatapointId $points[0].Id -Output 'never' -WhatIf | Should -BeNullOrEmpty

        (Get-RunPoint $run.Id $points[0].Id).Log | Should -BeNullOrEmpty
    }

    It 'stops before sending when an input has no JSON form' {
        { Add-HumanloopEvaluationLog -EvaluationId $run.Id -DatapointId $points[0].Id -Output 'x' -Inputs @{ question = { 'a script block' } } } |
            Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*' -ExpectedMessage '*-Inputs*script block*'

        (Get-RunPoint $run.Id $points[0].Id).Log | Should -BeNullOrEmpty
    }

    It 'reports a datapoint outside the run, and an unknown run, as non-terminating errors about the datapoint' {
        $other = New-HumanloopDataset -ProjectId $project.Id -Name 'other'
        $stranger = Add-HumanloopDatapoint -DatasetId $other.Id -Inputs @{ question = 'Who?' }

        Add-HumanloopEvaluationLog -EvaluationId $run.Id -DatapointId $stranger.Id -Output 'x' -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty
        Add-HumanloopEvaluationLog -EvaluationId ev_missing -DatapointId $points[0].Id -Output 'x' -ErrorAction SilentlyContinue -ErrorVariable +failures | Should -BeNullOrEmpty

        $failures.Count | Should -Be 2
        $failures[0].TargetObject | Should -Be $stranger.Id
        $failures[1].TargetObject | Should -Be $points[0].Id
        $failures[1].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Add-HumanloopEvaluationResult' {
    BeforeEach {
        $script:run = New-ClientRun
        $script:log = Add-HumanloopEvaluationLog -EvaluationId $run.Id -DatapointId $points[0].Id -Output 'Yes, within 30 days.'
    }

    It 'posts a score on a piped log' {
        $result = $log | Add-HumanloopEvaluationResult -EvaluationId $run.Id -EvaluatorId $score.Id -Value 0.8

        $result | Should -BeOfType Humanloop.EvaluationResult
        $result.LogId | Should -Be $log.Id
        $result.EvaluatorId | Should -Be $score.Id
        $result.Value | Should -Be 0.8
        $stored = (Get-RunPoint $run.Id $points[0].Id).EvaluationResults
        $stored.Count | Should -Be 1
        $stored[0].Value | Should -Be 0.8
    }

    It 'posts a pass, a whole-number score and an evaluator''s error, and the run''s scores follow them' {
        $second = Add-HumanloopEvaluationLog -EvaluationId $run.Id -DatapointId $points[1].Id -Output 'On its way.'
        $null = Add-HumanloopEvaluationResult -EvaluationId $run.Id -LogId $log.LogId -EvaluatorId $passed.Id -Value $true
        $null = Add-HumanloopEvaluationResult -EvaluationId $run.Id -LogId $second.LogId -EvaluatorId $passed.Id -Value $false
        $null = Add-HumanloopEvaluationResult -EvaluationId $run.Id -LogId $log.LogId -EvaluatorId $score.Id -Value 1
        $failed = Add-HumanloopEvaluationResult -EvaluationId $run.Id -LogId $second.LogId -EvaluatorId $score.Id -ErrorMessage 'No timing was recorded.'

        $failed.Error | Should -Be 'No timing was recorded.'
        $failed.Value | Should -BeNullOrEmpty
        $point = Get-RunPoint $run.Id $points[0].Id
        ($point.EvaluationResults | Where-Object EvaluatorId -EQ $passed.Id).Value | Should -BeTrue
        ($point.EvaluationResults | Where-Object EvaluatorId -EQ $score.Id).Value | Should -Be 1
        $aggregates = (Get-HumanloopEvaluation -EvaluationId $run.Id -IncludeAggregates).EvaluatorAggregates
        ($aggregates | Where-Object EvaluatorId -EQ $passed.Id).AggregateValue | Should -Be 0.5
        ($aggregates | Where-Object EvaluatorId -EQ $score.Id).AggregateValue | Should -Be 1
    }

    It 'takes the log of a piped run datapoint' {
        $result = Get-RunPoint $run.Id $points[0].Id | Add-HumanloopEvaluationResult -EvaluationId $run.Id -EvaluatorId $passed.Id -Value $true

        $result.LogId | Should -Be $log.Id
    }

    It 'stops before sending a value that is not a boolean or a number, naming it' -ForEach @(
        @{ Value = 'yes'; Shown = "'yes' (System.String)" }
        @{ Value = @{ score = 1 }; Shown = '(System.Collections.Hashtable)' }
        @{ Value = [double]::NaN; Shown = "'NaN' (System.Double)" }
    ) {
        { $log | Add-HumanloopEvaluationResult -EvaluationId $run.Id -EvaluatorId $score.Id -Value $Value } |
            Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*' -ExpectedMessage "*-Value must be a boolean or a finite number*$Shown*"

        (Get-RunPoint $run.Id $points[0].Id).EvaluationResults | Should -BeNullOrEmpty
    }

    It 'posts nothing under -WhatIf' {
        $log | Add-HumanloopEvaluationResult -EvaluationId $run.Id -EvaluatorId $score.Id -Value 0.5 -WhatIf | Should -BeNullOrEmpty

        (Get-RunPoint $run.Id $points[0].Id).EvaluationResults | Should -BeNullOrEmpty
    }

    It 'reports what the server refuses as a non-terminating error about the log' {
        $log | Add-HumanloopEvaluationResult -EvaluationId $run.Id -EvaluatorId $mentionsRefund.Id -Value $true -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty
        Add-HumanloopEvaluationResult -EvaluationId $run.Id -LogId data_missing -EvaluatorId $score.Id -Value 1 -ErrorAction SilentlyContinue -ErrorVariable +failures | Should -BeNullOrEmpty

        $failures.Count | Should -Be 2
        $failures[0].TargetObject | Should -Be $log.Id
        $failures[1].TargetObject | Should -Be 'data_missing'
    }
}

Describe 'Set-HumanloopEvaluation' {
    It 'adds evaluators and sets the status of a piped run, and writes the run as it then is' {
        $run = New-ClientRun -EvaluatorId $score.Id

        $changed = $run | Set-HumanloopEvaluation -AddEvaluatorId $passed.Id -Status completed

        $changed | Should -BeOfType Humanloop.Evaluation
        $changed.Status | Should -Be 'completed'
        @($changed.Evaluators.Id | Sort-Object) | Should -Be @(@($score.Id, $passed.Id) | Sort-Object)
        (Get-HumanloopEvaluation -EvaluationId $run.Id).Status | Should -Be 'completed'
    }

    It 'changes only the status, or only the evaluators' {
        $run = New-ClientRun -EvaluatorId $score.Id

        (Set-HumanloopEvaluation -EvaluationId $run.Id -Status running).Status | Should -Be 'running'
        $added = Set-HumanloopEvaluation -EvaluationId $run.Id -AddEvaluatorId $passed.Id
        $added.Status | Should -Be 'running'
        $added.Evaluators.Count | Should -Be 2
    }

    It 'changes nothing under -WhatIf, and warns when given nothing to change' {
        $run = New-ClientRun -EvaluatorId $score.Id
        Set-HumanloopEvaluation -EvaluationId $run.Id -Status completed -AddEvaluatorId $passed.Id -WhatIf | Should -BeNullOrEmpty
        Set-HumanloopEvaluation -EvaluationId $run.Id -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty

        $warnings | Should -BeLike 'Nothing to change*-Status*-AddEvaluatorId*'
        $unchanged = Get-HumanloopEvaluation -EvaluationId $run.Id
        $unchanged.Status | Should -Be $run.Status
        @($unchanged.Evaluators.Id) | Should -Be @($score.Id)
    }

    It 'refuses a status that is not one' {
        { Set-HumanloopEvaluation -EvaluationId ev_any -Status finished } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'reports an unknown run as a non-terminating ObjectNotFound error' {
        Set-HumanloopEvaluation -EvaluationId ev_missing -Status completed -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty

        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'ev_missing'
    }
}

Describe 'Stop-HumanloopEvaluation' {
    It 'cancels a running run and writes nothing, or the run with -PassThru' {
        $first = New-ClientRun | Set-HumanloopEvaluation -Status running
        $second = New-ClientRun | Set-HumanloopEvaluation -Status running

        $first | Stop-HumanloopEvaluation | Should -BeNullOrEmpty
        $stopped = Stop-HumanloopEvaluation -EvaluationId $second.Id -PassThru

        (Get-HumanloopEvaluation -EvaluationId $first.Id).Status | Should -Be 'cancelled'
        $stopped | Should -BeOfType Humanloop.Evaluation
        $stopped.Status | Should -Be 'cancelled'
    }

    It 'leaves a run that has ended as it is, saying so under -Verbose' {
        $run = $dataset | New-HumanloopEvaluation -ModelConfigId $config.ModelConfigId | Wait-HumanloopEvaluation -Timeout 60
        $failed = New-ClientRun | Set-HumanloopEvaluation -Status failed

        $written = @($run, $failed | Stop-HumanloopEvaluation -PassThru -Verbose 4>&1)

        $said = @($written | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        $said | Should -Contain "Evaluation $($run.Id) has already ended (completed); it is left as it is."
        $said | Should -Contain "Evaluation $($failed.Id) has already ended (failed); it is left as it is."
        @($written | Where-Object { $_ -is [Humanloop.Evaluation] }).Status | Should -Be @('completed', 'failed')
        (Get-HumanloopEvaluation -EvaluationId $run.Id).Status | Should -Be 'completed'
        (Get-HumanloopEvaluation -EvaluationId $failed.Id).Status | Should -Be 'failed'
    }

    It 'changes nothing under -WhatIf' {
        $run = New-ClientRun | Set-HumanloopEvaluation -Status running

        $run | Stop-HumanloopEvaluation -WhatIf | Should -BeNullOrEmpty

        (Get-HumanloopEvaluation -EvaluationId $run.Id).Status | Should -Be 'running'
    }

    It 'reports an unknown run as a non-terminating ObjectNotFound error and stops the others' {
        $run = New-ClientRun | Set-HumanloopEvaluation -Status running

        Stop-HumanloopEvaluation -EvaluationId ev_missing, $run.Id -ErrorAction SilentlyContinue -ErrorVariable failures

        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'ev_missing'
        (Get-HumanloopEvaluation -EvaluationId $run.Id).Status | Should -Be 'cancelled'
    }
}

Describe 'Wait-HumanloopEvaluation' {
    It 'waits for runs the server executes and writes each finished, with its scores' {
        $runs = @(1..2 | ForEach-Object { $dataset | New-HumanloopEvaluation -ModelConfigId $config.ModelConfigId -EvaluatorId $mentionsRefund.Id })

        $finished = @($runs | Wait-HumanloopEvaluation -Timeout 60)

        $finished.Id | Should -Be $runs.Id
        foreach ($run in $finished) {
            $run.Status | Should -Be 'completed'
            $run.EvaluatorAggregates[0].EvaluatorId | Should -Be $mentionsRefund.Id
            $run.EvaluatorAggregates[0].AggregateValue | Should -BeGreaterThan 0.66
            $run.EvaluatorAggregates[0].AggregateValue | Should -BeLessThan 0.67
        }
    }

    It 'writes a run whose logs and results the client posted once the client completes it' {
        $run = New-ClientRun -EvaluatorId $passed.Id
        foreach ($point in $points) {
            $null = Add-HumanloopEvaluationLog -EvaluationId $run.Id -DatapointId $point.Id -Output 'ok' |
                Add-HumanloopEvaluationResult -EvaluationId $run.Id -EvaluatorId $passed.Id -Value ($point.Id -ne $points[1].Id)
        }
        $null = $run | Set-HumanloopEvaluation -Status completed

        $finished = $run | Wait-HumanloopEvaluation -Timeout 10

        $finished.Status | Should -Be 'completed'
        $finished.EvaluatorAggregates[0].AggregateValue | Should -BeGreaterThan 0.66
        $finished.EvaluatorAggregates[0].AggregateValue | Should -BeLessThan 0.67
    }

    It 'writes a cancelled or failed run as it is: those are final too' {
        $run = New-ClientRun | Stop-HumanloopEvaluation -PassThru

        ($run | Wait-HumanloopEvaluation -Timeout 5).Status | Should -Be 'cancelled'
    }

    It 'gives up after -Timeout with a non-terminating OperationTimeout error naming the run and its status' {
        $run = New-ClientRun | Set-HumanloopEvaluation -Status running
        $done = New-ClientRun | Set-HumanloopEvaluation -Status completed
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        $finished = @(Wait-HumanloopEvaluation -EvaluationId $run.Id, $done.Id -Timeout 1 -ErrorAction SilentlyContinue -ErrorVariable failures)

        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.9
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        $finished.Id | Should -Be @($done.Id)
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Evaluation.WaitTimeout,*'
        $failures[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $failures[0].TargetObject | Should -Be $run.Id
        $failures[0].Exception.Message | Should -BeLike "*$($run.Id)*still running*"
    }

    It 'reports an unknown run as a non-terminating ObjectNotFound error' {
        Wait-HumanloopEvaluation -EvaluationId ev_missing -Timeout 5 -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty

        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'ev_missing'
    }

    It 'writes its progress with the run''s status while it waits, and none under -ProgressAction SilentlyContinue' {
        $run = New-ClientRun | Set-HumanloopEvaluation -Status running
        $shell = New-ConnectedShell
        try {
            $null = $shell.AddScript("Wait-HumanloopEvaluation -EvaluationId $($run.Id) -Timeout 2 -ErrorAction SilentlyContinue -ProgressAction Continue").Invoke()
            $progress = @($shell.Streams.Progress)
            $shell.Commands.Clear()
            $shell.Streams.Progress.Clear()
            $null = $shell.AddScript("Wait-HumanloopEvaluation -EvaluationId $($run.Id) -Timeout 1 -ErrorAction SilentlyContinue -ProgressAction SilentlyContinue").Invoke()
            $quiet = @($shell.Streams.Progress)
        }
        finally {
            $shell.Dispose()
        }

        $waiting = @($progress | Where-Object RecordType -EQ 'Processing')
        $waiting.Count | Should -BeGreaterThan 1
        $waiting[0].Activity | Should -Be "Waiting for evaluation $($run.Id)"
        $waiting[0].StatusDescription | Should -BeLike 'Status: running*'
        $progress[-1].RecordType | Should -Be 'Completed'
        $quiet | Should -BeNullOrEmpty
    }

    It 'stops waiting at once when the pipeline is stopped (Ctrl+C)' {
        $run = New-ClientRun | Set-HumanloopEvaluation -Status running
        $shell = New-ConnectedShell
        try {
            $null = $shell.AddScript("Wait-HumanloopEvaluation -EvaluationId $($run.Id) -ProgressAction Continue")
            $async = $shell.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(20)
            while ($shell.Streams.Progress.Count -lt 3 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $async.IsCompleted | Should -BeFalse
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $watch.Stop()

            $async.IsCompleted | Should -BeTrue
            $watch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(1))
        }
        finally {
            $shell.Dispose()
        }
        (Get-HumanloopEvaluation -EvaluationId $run.Id).Status | Should -Be 'running'
    }
}

Describe 'A run the server executes over a slow model' {
    # The mock answers at once, so these runs go through the server's openai provider to the stub, which
    # answers each generation only after a delay: the run is then observably running for that long.
    BeforeAll {
        $script:stub = Start-StubServer
        $script:slowServer = Start-HumanloopTestServer -Environment @{ HUMANLOOP_SERVER_OPENAI_BASE_URL = "$($stub.Uri)/v1" }
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $slowServer.Uri

        $slowProject = New-HumanloopProject -Name 'slow evaluations'
        $script:slowConfig = Register-HumanloopModelConfig -ProjectId $slowProject.Id -Name answer -Provider openai -Model slow-1 -PromptTemplate 'Answer: {{question}}'
        $script:slowDataset = New-HumanloopDataset -ProjectId $slowProject.Id -Name 'questions'
        $null = 'Can I get a refund?', 'Where is my parcel?', 'Is the refund policy fair?' | ForEach-Object { [pscustomobject]@{ question = $_ } } |
            Add-HumanloopDatapoint -DatasetId $slowDataset.Id
        $script:slowEvaluator = New-HumanloopEvaluator -Name 'mentions refund' -Code 'builtin:icontains:refund'

        function Add-SlowAnswer {
            # Queues one OpenAI chat completion per datapoint, each sent after DelayMs.
            param([int] $DelayMs)
            $answers = foreach ($n in 1..3) {
                @{
                    delay_ms = $DelayMs
                    body     = @{
                        id      = "chatcmpl-$n"; object = 'chat.completion'; created = 1720000000; model = 'slow-1'
                        choices = @(@{ index = 0; message = @{ role = 'assistant'; content = 'We refund within 30 days.' }; finish_reason = 'stop' })
                        usage   = @{ prompt_tokens = 5; completion_tokens = 6; total_tokens = 11 }
                    }
                }
            }
            Add-StubResponse $stub $answers
        }
    }

    AfterAll {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
        $slowServer | Stop-ReadyProcess
        $stub | Stop-ReadyProcess
    }

    BeforeEach {
        Reset-Stub $stub
    }

    It 'Wait-HumanloopEvaluation waits while the run is running, until it completes' {
        Add-SlowAnswer -DelayMs 800
        $run = $slowDataset | New-HumanloopEvaluation -ModelConfigId $slowConfig.ModelConfigId -EvaluatorId $slowEvaluator.Id
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        $finished = $run | Wait-HumanloopEvaluation -Timeout 30

        $watch.Elapsed.TotalSeconds | Should -BeGreaterThan 0.5
        $finished.Status | Should -Be 'completed'
        $finished.EvaluatorAggregates[0].AggregateValue | Should -Be 1
        $results = @($run | Get-HumanloopEvaluationResult)
        @($results | Where-Object { $_.Log.Output -eq 'We refund within 30 days.' }).Count | Should -Be 3
        @(Get-StubRequest $stub).Count | Should -Be 3
    }

    It 'Stop-HumanloopEvaluation stops a running run: it ends cancelled, with no logs' {
        Add-SlowAnswer -DelayMs 30000
        $run = $slowDataset | New-HumanloopEvaluation -ModelConfigId $slowConfig.ModelConfigId -EvaluatorId $slowEvaluator.Id
        $deadline = [datetime]::UtcNow.AddSeconds(20)
        while (@(Get-StubRequest $stub).Count -lt 3 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        (Get-HumanloopEvaluation -EvaluationId $run.Id).Status | Should -Be 'running'

        $stopped = $run | Stop-HumanloopEvaluation -PassThru

        $stopped.Status | Should -Be 'cancelled'
        ($run | Wait-HumanloopEvaluation -Timeout 5).Status | Should -Be 'cancelled'
        Start-Sleep -Milliseconds 500
        $run | Get-HumanloopEvaluationResult | Where-Object Log | Should -BeNullOrEmpty
        (Get-HumanloopEvaluation -EvaluationId $run.Id).Status | Should -Be 'cancelled'
    }
}
