# Get-HumanloopLog and Add-HumanloopFeedback against the real local server, including the pipelines
# the module promises: completions straight into feedback, streams into feedback, logs into filters.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    $script:stub = Start-StubServer
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

    $script:project = New-HumanloopProject -Name 'logs'
    $script:config = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'plain' -Provider mock -Model m -PromptTemplate 'Tell me about {{topic}}'
    $script:cut = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'cut short' -Provider mock -Model m -PromptTemplate 'Cut {{topic}}' -MaxTokens 3
    $script:experiment = Add-HumanloopExperiment -ProjectId $project.Id -Name 'feedback' -ModelConfigId $config.ModelConfigId -PositiveLabel @{ rating = 'good' }
    $script:started = Get-Date
    $script:topics = 'otters', 'tides', 'lighthouses', 'harbours', 'kelp'
    $script:responses = $topics | ForEach-Object { @{ topic = $_ } } | New-HumanloopCompletion -ModelConfigId $config.ModelConfigId
    $script:cutResponse = New-HumanloopCompletion -ModelConfigId $cut.ModelConfigId -Inputs @{ topic = 'everything' }
}

AfterAll {
    Disconnect-Humanloop
    $server, $stub | Stop-ReadyProcess
}

Describe 'Get-HumanloopLog' {
    It 'streams every page of a project''s logs, newest first: six logs two to a page' {
        $logs = @(Get-HumanloopLog -ProjectId $project.Id -PageSize 2)

        $logs.Count | Should -Be 6
        $logs[0] | Should -BeOfType Humanloop.Log
        @($logs.Id | Sort-Object -Unique).Count | Should -Be 6
        $logs.Id | Should -Be (@($cutResponse.LogId) + @($responses.LogId)[4..0])
        $logs[-1].Inputs.topic | Should -Be 'otters'
        $logs[-1].Config.Name | Should -Be 'plain'
        $logs[-1].CreatedAt | Should -BeOfType System.DateTimeOffset
    }

    It 'finds the cut-off completions with Where-Object FinishReason' {
        $unfinished = @(Get-HumanloopLog -ProjectId $project.Id | Where-Object FinishReason -ne 'stop')

        $unfinished.Id | Should -Be $cutResponse.LogId
        $unfinished[0].FinishReason | Should -Be 'length'
    }

    It 'lists the logs of a piped project, filtered by search text and time' {
        @($project | Get-HumanloopLog -Search 'TIDES').Inputs.topic | Should -Be 'tides'
        @(Get-HumanloopLog -ProjectId $project.Id -Since $started.AddMinutes(-1) -Until (Get-Date).AddMinutes(1)).Count | Should -Be 6
        Get-HumanloopLog -ProjectId $project.Id -Since (Get-Date).AddHours(1) | Should -BeNullOrEmpty
        Get-HumanloopLog -ProjectId $project.Id -Until $started.AddHours(-1) | Should -BeNullOrEmpty
    }

    It 'sends the filters as ISO 8601 UTC times with escaped values, and pages until the total is reached' {
        Reset-Stub $stub
        $page = { param($ids, $number) @{ body = @{ records = @($ids | ForEach-Object { @{ id = $_; config = @{ id = 'config_1'; type = 'model'; model = 'm' } } }); page = $number; size = 2; total = 5 } } }
        Add-StubResponse $stub @((& $page 'data_1', 'data_2' 0), (& $page 'data_3', 'data_4' 1), (& $page @('data_5') 2))

        $localNoon = [datetime]::new(2024, 7, 1, 12, 0, 0, [System.DateTimeKind]::Local)

        $logs = Get-HumanloopLog -ProjectId 'pr_1' -Search 'a&b c' -Since ([datetime]::new(2024, 7, 1, 10, 0, 0, [System.DateTimeKind]::Utc)) -Until $localNoon -PageSize 2 -BaseUri "$($stub.Uri)/v4"

        $logs.Id | Should -Be 'data_1', 'data_2', 'data_3', 'data_4', 'data_5'
        $requests = @(Get-StubRequest $stub)
        $requests.Count | Should -Be 3
        $until = [uri]::EscapeDataString($localNoon.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffffffZ'))
        $requests[0].query | Should -Be "?project_id=pr_1&search=a%26b%20c&start_date=2024-07-01T10%3A00%3A00.0000000Z&end_date=$until&page=0&size=2"
        $requests[2].query | Should -BeLike '*&page=2&size=2'
    }

    It 'reads logs by id, including from a completion''s LogId' {
        $logs = @(Get-HumanloopLog -Id $responses[0].LogId, $responses[1].LogId)

        $logs.Output | Should -Be $responses[0].Output, $responses[1].Output
    }

    It 'reports unknown ids as non-terminating ObjectNotFound errors' {
        $found = Get-HumanloopLog -Id data_missing, $responses[0].LogId -ErrorAction SilentlyContinue -ErrorVariable byId
        Get-HumanloopLog -ProjectId pr_missing -ErrorAction SilentlyContinue -ErrorVariable byProject

        $found.Id | Should -Be $responses[0].LogId
        @($byId + $byProject).CategoryInfo.Category | Should -Be 'ObjectNotFound', 'ObjectNotFound'
        @($byId + $byProject).TargetObject | Should -Be 'data_missing', 'pr_missing'
    }

    It 'stops with an error naming -Since and -Until when the range is empty' {
        { Get-HumanloopLog -ProjectId pr_1 -Since (Get-Date) -Until (Get-Date).AddDays(-1) } |
            Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*' -ExpectedMessage '*-Since*later than -Until*'
    }
}

Describe 'Add-HumanloopFeedback' {
    It 'records one piece of feedback per log when experiment results are piped in' {
        $feedback = @(@{ topic = 'a' }, @{ topic = 'b' } | New-HumanloopExperiment -ExperimentId $experiment.Id | Add-HumanloopFeedback -Type rating -Value good)

        $feedback.Count | Should -Be 2
        $feedback[0] | Should -BeOfType Humanloop.Feedback
        $feedback.Type | Should -Be 'rating', 'rating'
        $feedback.Value | Should -Be 'good', 'good'
        (Get-HumanloopLog -Id $feedback[0].LogId).Feedback.Value | Should -Be 'good'
        (Get-HumanloopExperiment -Id $experiment.Id).Configs[0].TrialsCount | Should -Be 2
    }

    It 'records feedback on every sample of a many-sample response' {
        $response = New-HumanloopExperiment -ExperimentId $experiment.Id -Inputs @{ topic = 'pairs' } -NumSamples 2

        $feedback = @($response | Add-HumanloopFeedback -Type action -Value copied)

        $feedback.LogId | Should -Be $response.Data.Id
    }

    It 'records one piece of feedback per streamed sample, not one per chunk' {
        $chunks = @(New-HumanloopCompletion -ModelConfigId $config.ModelConfigId -Inputs @{ topic = 'streams' } -NumSamples 2 -Stream)
        $chunks.Count | Should -BeGreaterThan 4

        $feedback = @($chunks | Add-HumanloopFeedback -Type rating -Value bad)

        $feedback.Count | Should -Be 2
        $feedback.LogId | Sort-Object | Should -Be ($chunks.Id | Sort-Object -Unique)
    }

    It 'takes piped logs, strings as ids, and numbers and booleans as values' {
        $log = Get-HumanloopLog -Id $responses[2].LogId

        ($log | Add-HumanloopFeedback -Type score -Value 4.5).Value | Should -Be 4.5
        (Add-HumanloopFeedback $responses[3].LogId -Type resolved -Value $true -User 'qa@example.com').Value | Should -BeTrue
        (Add-HumanloopFeedback -LogId $responses[3].LogId -Type comment -Value 'Too long').User | Should -BeNullOrEmpty
        (Get-HumanloopLog -Id $responses[3].LogId).Feedback.Type | Sort-Object | Should -Be 'comment', 'resolved'
    }

    It 'records nothing under -WhatIf' {
        $response = New-HumanloopCompletion -ModelConfigId $config.ModelConfigId -Inputs @{ topic = 'what if' }

        $response | Add-HumanloopFeedback -Type rating -Value good -WhatIf | Should -BeNullOrEmpty

        (Get-HumanloopLog -Id $response.LogId).Feedback | Should -BeNullOrEmpty
    }

    It 'reports an unknown log as a non-terminating ObjectNotFound error and goes on' {
        $feedback = Add-HumanloopFeedback -LogId data_missing, $responses[4].LogId -Type rating -Value good -ErrorAction SilentlyContinue -ErrorVariable failures

        $feedback.LogId | Should -Be $responses[4].LogId
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.404,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'data_missing'
    }

    It 'stops with an error naming -Value when it is not a string, number or boolean, and -LogId when it is empty' {
        { Add-HumanloopFeedback -LogId data_1 -Type rating -Value @{ a = 1 } } | Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*' -ExpectedMessage '*-Value must be a string, a number or a boolean*'
        { Add-HumanloopFeedback -LogId @() -Type rating -Value good } | Should -Throw -ExpectedMessage '*-LogId is empty*'
    }
}
