# Every generation cmdlet, in every parameter set, streamed and not, against the real local server: the
# request bodies they send are written as samples for the Node suite, which validates each against the
# 2024-07-12 OpenAPI schema of its operation (tests/node/README.md). build.ps1 sets
# HUMANLOOP_REQUEST_SAMPLES; run alone, the samples go to the test drive.

BeforeDiscovery {
    $script:calls = @(
        @{ Name = 'completion, parts'; Invoke = { param($extra) New-HumanloopCompletion -Project samples -Provider mock -Model mock-1 -PromptTemplate 'About {{topic}}' -Temperature 0.2 -MaxTokens 50 -TopP 0.9 -Stop '###' -PresencePenalty 0.1 -FrequencyPenalty 0.1 -Endpoint complete -Other @{ k = 1 } -Inputs @{ topic = 'tides' } -Logprobs 1 -Suffix '!' -Metadata @{ run = 1 } -Source pester -User jordan -Seed 3 -Save:$true -ReturnInputs:$true -SessionReferenceId s1 -ParentReferenceId p1 -SourceDatapointId dp_1 -ProviderApiKeys @{ openai = 'sk-x' } @extra } }
        @{ Name = 'completion, whole config'; Invoke = { param($extra) New-HumanloopCompletion -Project samples -ModelConfig @{ provider = 'mock'; model = 'mock-1'; prompt_template = 'About {{topic}}'; response_format = @{ type = 'json_object' } } -Inputs @{ topic = 'tides' } @extra } }
        @{ Name = 'completion, deployed'; Invoke = { param($extra) New-HumanloopCompletion -ProjectId $project.Id -Environment production -Inputs @{ topic = 'tides' } -NumSamples 2 @extra } }
        @{ Name = 'completion, stored config'; Invoke = { param($extra) New-HumanloopCompletion -ModelConfigId $completionConfig.ModelConfigId -ProjectId $project.Id -Inputs @{ topic = 'tides' } @extra } }
        @{ Name = 'completion, experiment'; Invoke = { param($extra) New-HumanloopExperiment -ExperimentId $completionExperiment.Id -ProjectId $project.Id -Inputs @{ topic = 'tides' } -Logprobs 1 @extra } }
        @{ Name = 'chat, parts with tools'; Invoke = { param($extra) New-HumanloopChat -Project samples -Provider mock -Model mock-1 -ChatTemplate @{ role = 'system'; content = 'About {{topic}}' } -Tools (Get-Command Get-SampleWeather), @{ name = 'lookup'; description = 'Looks up'; parameters = @{ type = 'object'; properties = @{ q = @{ type = 'string' } } } } -ToolChoice lookup -ResponseFormat json_object -Temperature 0.3 -MaxTokens 40 -Stop '###' -Inputs @{ topic = 'tides' } -Messages @{ role = 'system'; content = 'Be brief.' }, 'Hello', ([Humanloop.ChatMessage]::User('Bye')) -Metadata @{ run = 1 } -User jordan @extra } }
        @{ Name = 'chat, whole config'; Invoke = { param($extra) New-HumanloopChat -Project samples -ModelConfig @{ provider = 'mock'; model = 'mock-1'; chat_template = @(@{ role = 'system'; content = 'Hi' }) } -ToolChoice auto -Messages 'Hello' @extra } }
        @{ Name = 'chat, tool round'; Invoke = { param($extra) New-HumanloopChat -Project samples -Provider mock -Model mock-1 -Tools (Get-Command Get-SampleWeather) -InvokeTools -Messages 'Use Get-SampleWeather City=Paris' @extra } }
        @{ Name = 'chat, deployed'; Invoke = { param($extra) New-HumanloopChat -ProjectId $chatProject.Id -Environment production -Inputs @{ topic = 'tides' } -Messages 'Hello' -NumSamples 2 @extra } }
        @{ Name = 'chat, stored config'; Invoke = { param($extra) New-HumanloopChat -ModelConfigId $chatConfig.ModelConfigId -ProjectId $chatProject.Id -Inputs @{ topic = 'tides' } -ResponseFormat @{ type = 'json_object' } -Messages 'Hello' @extra } }
        @{ Name = 'chat, experiment'; Invoke = { param($extra) New-HumanloopExperiment -ExperimentId $chatExperiment.Id -ProjectId $chatProject.Id -Inputs @{ topic = 'tides' } -Messages @{ role = 'user'; content = 'Hello' } @extra } }
    )
    $script:cases = foreach ($call in $calls) {
        foreach ($stream in $false, $true) {
            $call + @{ Stream = $stream; Mode = if ($stream) { 'streamed' } else { 'not streamed' } }
        }
    }
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

    $script:samplesFolder = if ($env:HUMANLOOP_REQUEST_SAMPLES) { $env:HUMANLOOP_REQUEST_SAMPLES } else { Join-Path $TestDrive 'samples' }
    $null = New-Item -ItemType Directory -Path $samplesFolder -Force
    $script:samplesFile = Join-Path $samplesFolder 'pester-generation-requests.jsonl'
    Remove-Item -LiteralPath $samplesFile -ErrorAction Ignore

    function script:Get-SampleWeather {
        param([Parameter(Mandatory)] [string] $City, [ValidateSet('C', 'F')] [string] $Unit = 'C')
        "Sunny in $City"
    }

    $script:project = New-HumanloopProject -Name 'samples-completion'
    $script:completionConfig = Register-HumanloopModelConfig -ProjectId $project.Id -Name one -Provider mock -Model mock-1 -PromptTemplate 'About {{topic}}'
    $null = $completionConfig | Publish-HumanloopModelConfig -Environment production
    $script:completionExperiment = Add-HumanloopExperiment -ProjectId $project.Id -Name samples -ModelConfigId $completionConfig.ModelConfigId

    $script:chatProject = New-HumanloopProject -Name 'samples-chat'
    $script:chatConfig = Register-HumanloopModelConfig -ProjectId $chatProject.Id -Name chat -ModelConfig @{ provider = 'mock'; model = 'mock-1'; chat_template = @(@{ role = 'system'; content = 'About {{topic}}' }) }
    $null = $chatConfig | Publish-HumanloopModelConfig -Environment production
    $script:chatExperiment = Add-HumanloopExperiment -ProjectId $chatProject.Id -Name samples -ModelConfigId $chatConfig.ModelConfigId

    $script:casesFile = Join-Path $TestDrive 'cases.csv'
    Set-Content -LiteralPath $casesFile -Value 'name,topic,target,expect', 'tides,tides,about tides,contains:tides'
    $script:dataset = New-HumanloopDataset -ProjectId $project.Id -Name samples -Description 'samples'
    $script:evaluator = New-HumanloopEvaluator -Name 'to change' -Code 'def evaluate(log, testcase): return True'

    function script:Save-RequestSample {
        # Runs a command against the real server and keeps every request body it sent, with its method and
        # path, from the client's own diagnostics ("POST <uri>" verbose, "Request body: …" debug).
        param([scriptblock] $Command)
        $VerbosePreference = 'Continue'
        $DebugPreference = 'Continue'
        $records = @(& $Command 2>&1 4>&1 5>&1)
        @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        $method = $path = $null
        $samples = foreach ($record in $records) {
            if ($record -is [System.Management.Automation.VerboseRecord] -and $record.Message -match '^(?<method>POST|PATCH|PUT|DELETE) (?<uri>\S+)$') {
                $method, $path = $Matches.method, ([uri]$Matches.uri).AbsolutePath
            }
            elseif ($record -is [System.Management.Automation.DebugRecord] -and $record.Message -like 'Request body: *') {
                @{ method = $method; path = $path; body = $record.Message.Substring('Request body: '.Length) | ConvertFrom-Json -AsHashtable -NoEnumerate } | ConvertTo-Json -Depth 32 -Compress
            }
        }
        $samples | Should -Not -BeNullOrEmpty
        Add-Content -LiteralPath $samplesFile -Value $samples
        $samples
    }
}

AfterAll {
    Disconnect-Humanloop
    $server | Stop-ReadyProcess
}

Describe 'The requests the generation cmdlets send' {
    It '<Name>, <Mode>: succeeds, and its requests are kept as samples' -ForEach $cases {
        $samples = @(Save-RequestSample { & $Invoke @{ Stream = $Stream } })

        foreach ($sample in $samples) {
            ($sample | ConvertFrom-Json).path | Should -Match '^/v4/(completion|chat)'
        }
    }

    It 'covers all eight generation operations' {
        $paths = Get-Content -LiteralPath $samplesFile | ForEach-Object { ($_ | ConvertFrom-Json).path } | Where-Object { $_ -match '^/v4/(completion|chat)' } | Sort-Object -Unique

        $paths | Should -Be @('/v4/chat', '/v4/chat-deployed', '/v4/chat-experiment', '/v4/chat-model-config', '/v4/completion', '/v4/completion-deployed', '/v4/completion-experiment', '/v4/completion-model-config')
    }
}

Describe 'The requests the dataset and evaluator cmdlets send' {
    It '<Name>: succeeds, and its requests are kept as samples' -ForEach @(
        @{ Name = 'New-HumanloopDataset from a file'; Invoke = { New-HumanloopDataset -ProjectId $project.Id -Path $casesFile -Description 'from a file' } }
        @{ Name = 'Set-HumanloopDataset'; Invoke = { $dataset | Set-HumanloopDataset -Name 'samples renamed' -Description 'renamed' } }
        @{ Name = 'Add-HumanloopDatapoint'; Invoke = { Add-HumanloopDatapoint -DatasetId $dataset.Id -Inputs @{ topic = 'kites' } -Target @{ output = 'about kites' } -Messages @{ role = 'user'; content = 'kites?' } } }
        @{ Name = 'New-HumanloopEvaluator, python'; Invoke = { New-HumanloopEvaluator -Name 'mentions refund' -Code 'def evaluate(log, testcase): return "refund" in log["output"]' } }
        @{ Name = 'New-HumanloopEvaluator, llm'; Invoke = { New-HumanloopEvaluator -Name 'judge' -ArgumentsType target_required -ModelConfig @{ provider = 'mock'; model = 'judge'; prompt_template = 'Is {{log.output}} right? True or False.' } } }
        @{ Name = 'New-HumanloopEvaluator, external'; Invoke = { New-HumanloopEvaluator -Name 'latency' -Type external -ReturnType number } }
        @{ Name = 'Set-HumanloopEvaluator'; Invoke = { $evaluator | Set-HumanloopEvaluator -Description 'checks for the word refund' } }
    ) {
        $samples = @(Save-RequestSample $Invoke)

        ($samples | ConvertFrom-Json).method | Should -BeIn 'POST', 'PATCH'
    }
}

Describe 'The requests the evaluation cmdlets send' {
    BeforeAll {
        $script:evalDataset = New-HumanloopDataset -ProjectId $project.Id -Name 'evaluation samples'
        $script:evalPoint = Add-HumanloopDatapoint -DatasetId $evalDataset.Id -Inputs @{ topic = 'tides' } -Target @{ output = 'about tides' }
        $script:external = New-HumanloopEvaluator -Name 'ci score' -Type external -ReturnType number
        $script:passed = New-HumanloopEvaluator -Name 'ci passed' -Type external
        $script:clientRun = New-HumanloopEvaluation -ProjectId $project.Id -ModelConfigId $completionConfig.ModelConfigId -DatasetId $evalDataset.Id -EvaluatorId $external.Id -ClientGenerated
        $script:stopRun = New-HumanloopEvaluation -ProjectId $project.Id -ModelConfigId $completionConfig.ModelConfigId -DatasetId $evalDataset.Id -ClientGenerated
        $script:evalLog = Add-HumanloopEvaluationLog -EvaluationId $clientRun.Id -DatapointId $evalPoint.Id -Output 'about tides'
    }

    It '<Name>: succeeds, and its requests are kept as samples' -ForEach @(
        @{ Name = 'New-HumanloopEvaluation, run by the server'; Invoke = { $evalDataset | New-HumanloopEvaluation -ModelConfigId $completionConfig.ModelConfigId -EvaluatorId $external.Id } }
        @{ Name = 'New-HumanloopEvaluation, logs from the client'; Invoke = { New-HumanloopEvaluation -ProjectId $project.Id -ModelConfigId $completionConfig.ModelConfigId -DatasetId $evalDataset.Id -ClientGenerated } }
        @{ Name = 'Set-HumanloopEvaluation'; Invoke = { $clientRun | Set-HumanloopEvaluation -AddEvaluatorId $passed.Id -Status running } }
        @{ Name = 'Stop-HumanloopEvaluation'; Invoke = { $stopRun | Stop-HumanloopEvaluation } }
        @{ Name = 'Add-HumanloopEvaluationLog'; Invoke = { Add-HumanloopEvaluationLog -EvaluationId $clientRun.Id -DatapointId $evalPoint.Id -Output 'about tides' -Inputs @{ topic = 'tides' } -Messages 'Tides?' -OutputMessage 'about tides' -Duration 0.5 -PromptTokens 3 -OutputTokens 2 -ModelConfigId $completionConfig.ModelConfigId } }
        @{ Name = 'Add-HumanloopEvaluationLog, failed'; Invoke = { Add-HumanloopEvaluationLog -EvaluationId $clientRun.Id -DatapointId $evalPoint.Id -ErrorMessage 'timed out' } }
        @{ Name = 'Add-HumanloopEvaluationResult, value'; Invoke = { $evalLog | Add-HumanloopEvaluationResult -EvaluationId $clientRun.Id -EvaluatorId $external.Id -Value 0.5 } }
        @{ Name = 'Add-HumanloopEvaluationResult, error'; Invoke = { $evalLog | Add-HumanloopEvaluationResult -EvaluationId $clientRun.Id -EvaluatorId $external.Id -ErrorMessage 'no timing' } }
    ) {
        $samples = @(Save-RequestSample $Invoke)

        foreach ($sample in ($samples | ConvertFrom-Json)) {
            $sample.method | Should -BeIn 'POST', 'PATCH'
            $sample.path | Should -Match '^/v4/(projects/pr_\w+|evaluations/ev_\w+)/(evaluations|status|evaluators|log|result)$'
        }
    }
}

Describe 'The requests the session, log, prompt file and project settings cmdlets send' {
    BeforeAll {
        $script:session = New-HumanloopSession
        $script:sampled = Get-HumanloopModelConfig -ExperimentId $completionExperiment.Id
        $script:written = Add-HumanloopLog -ProjectId $project.Id -ModelConfigId $completionConfig.ModelConfigId -Output 'to change' -ReferenceId 'samples-ref'
        $script:promptFile = Join-Path $TestDrive 'samples.prompt'
        $null = $chatConfig | Export-HumanloopModelConfig -Path $promptFile
        $script:settings = New-HumanloopProject -Name 'samples-settings'
    }

    It '<Name>: succeeds, and its requests are kept as samples' -ForEach @(
        @{ Name = 'Add-HumanloopLog, inline chat config in a session'; Invoke = { $session | Add-HumanloopLog -Project samples -ModelConfig @{ provider = 'mock'; model = 'mock-1'; chat_template = @(@{ role = 'system'; content = 'About {{topic}}' }); tools = @(@{ name = 'lookup'; parameters = @{ type = 'object' } }); temperature = 0.2 } -Inputs @{ topic = 'tides' } -Messages 'Hello', @{ role = 'assistant'; content = 'Hi' } -OutputMessage 'About tides.' -Output 'About tides.' -Duration 1.5 -CreatedAt (Get-Date) -PromptTokens 9 -OutputTokens 3 -PromptCost 0.001 -OutputCost 0.002 -Metadata @{ run = 1 } -Source pester -Save:$true -ReferenceId 'sample-root' -Environment production } }
        @{ Name = 'Add-HumanloopLog, stored config, a child by reference, failed'; Invoke = { Add-HumanloopLog -ProjectId $project.Id -ModelConfigId $completionConfig.ModelConfigId -SessionReferenceId 'samples-session' -ParentReferenceId 'sample-root' -ErrorMessage 'timed out' -SourceDatapointId 'dp_1' } }
        @{ Name = 'Add-HumanloopLog, a sampled config''s trial'; Invoke = { $sampled | Add-HumanloopLog -Inputs @{ topic = 'tides' } -Output 'About tides.' -ParentId $written.Id } }
        @{ Name = 'Set-HumanloopLog, by id'; Invoke = { $written | Set-HumanloopLog -Output 'changed' -Duration 2 } }
        @{ Name = 'Set-HumanloopLog, by reference'; Invoke = { Set-HumanloopLog -ReferenceId 'samples-ref' -ErrorMessage 'failed after all' } }
        @{ Name = 'Add-HumanloopFeedback, unset'; Invoke = { $written | Add-HumanloopFeedback -Type rating -Unset } }
        @{ Name = 'ConvertTo-HumanloopPrompt, completion'; Invoke = { @{ provider = 'mock'; model = 'mock-1'; prompt_template = 'About {{topic}}'; stop = '###'; response_format = @{ type = 'json_object' } } | ConvertTo-HumanloopPrompt } }
        @{ Name = 'ConvertTo-HumanloopPrompt, chat with tools'; Invoke = { $chatConfig | ConvertTo-HumanloopPrompt } }
        @{ Name = 'ConvertFrom-HumanloopPrompt'; Invoke = { Get-Content -LiteralPath $promptFile | ConvertFrom-HumanloopPrompt } }
        @{ Name = 'Import-HumanloopModelConfig'; Invoke = { Import-HumanloopModelConfig -Path $promptFile -Project 'samples-imported' -Description 'from a file' } }
        @{ Name = 'Set-HumanloopProject, feedback types and positive labels'; Invoke = { Set-HumanloopProject -Id $settings.Id -FeedbackType @{ Type = 'tone'; Class = 'select'; Values = [ordered]@{ warm = 'positive'; curt = 'negative' } }, @{ Type = 'rating'; Values = @{ meh = 'neutral' } } -PositiveLabel @{ rating = 'good'; tone = 'warm' } } }
    ) {
        $samples = @(Save-RequestSample $Invoke)

        foreach ($sample in ($samples | ConvertFrom-Json)) {
            $sample.method | Should -BeIn 'POST', 'PATCH'
            $sample.path | Should -Match '^/v4/(logs(/data_\w+)?|feedback|model-configs(/serialize|/deserialize)?|projects/pr_\w+(/feedback-types)?)$'
        }
    }

    It 'covers every operation with a request body that these cmdlets reach' {
        $operations = Get-Content -LiteralPath $samplesFile | ForEach-Object { $sample = $_ | ConvertFrom-Json; "$($sample.method) $($sample.path -replace '/(data|pr)_\w+', '/{id}')" } | Sort-Object -Unique

        foreach ($operation in 'POST /v4/logs', 'PATCH /v4/logs', 'PATCH /v4/logs/{id}', 'POST /v4/feedback', 'POST /v4/model-configs/serialize', 'POST /v4/model-configs/deserialize',
            'POST /v4/model-configs', 'POST /v4/projects/{id}/feedback-types', 'PATCH /v4/projects/{id}/feedback-types', 'PATCH /v4/projects/{id}') {
            $operations | Should -Contain $operation
        }
    }
}
