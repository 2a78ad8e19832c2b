# The four completion operations, each with and without -Stream, against a loopback stub that records
# the exact request and answers with a scripted response.

BeforeDiscovery {
    $operations = @(
        @{
            Operation = 'Create'
            Path      = '/v4/completion'
            Invoke    = { param($extra) New-HumanloopCompletion -Project limerick -Model gpt-4o -Provider openai -PromptTemplate 'write a limerick about {{topic}}' -Temperature 0.5 -MaxTokens 60 -Stop '###' -Inputs @{ topic = 'AI' } @extra }
            Expected  = @{ project = 'limerick'; inputs = @{ topic = 'AI' }; model_config = @{ model = 'gpt-4o'; provider = 'openai'; prompt_template = 'write a limerick about {{topic}}'; temperature = 0.5; max_tokens = 60; stop = @('###') } }
        }
        @{
            Operation = 'Completion Deployed'
            Path      = '/v4/completion-deployed'
            Invoke    = { param($extra) New-HumanloopCompletion -ProjectId pr_123 -Environment staging -Inputs @{ topic = 'AI' } @extra }
            Expected  = @{ project_id = 'pr_123'; environment = 'staging'; inputs = @{ topic = 'AI' } }
        }
        @{
            Operation = 'Completion Model Config'
            Path      = '/v4/completion-model-config'
            Invoke    = { param($extra) New-HumanloopCompletion -ModelConfigId config_9 -Project limerick -Inputs @{ topic = 'AI' } @extra }
            Expected  = @{ model_config_id = 'config_9'; project = 'limerick'; inputs = @{ topic = 'AI' } }
        }
        @{
            Operation = 'Create Experiment'
            Path      = '/v4/completion-experiment'
            Invoke    = { param($extra) New-HumanloopExperiment -ExperimentId exp_5 -ProjectId pr_123 -Inputs @{ topic = 'AI' } @extra }
            Expected  = @{ experiment_id = 'exp_5'; project_id = 'pr_123'; inputs = @{ topic = 'AI' } }
        }
    )
    $script:cases = foreach ($operation in $operations) {
        foreach ($stream in $false, $true) {
            $operation + @{ Stream = $stream; Mode = if ($stream) { 'streamed' } else { 'not streamed' } }
        }
    }
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:stub = Start-StubServer
    $script:base = "$($stub.Uri)/v4"
}

AfterAll {
    Disconnect-Humanloop
    $stub | Stop-ReadyProcess
}

Describe 'Each completion operation' {
    BeforeEach {
        Reset-Stub $stub
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $base -SkipCheck
    }

    It '<Operation>, <Mode>: sends exactly the documented request and writes typed objects' -ForEach $cases {
        if ($Stream) {
            Add-StubResponse $stub @{ events = @(
                    (New-ChunkEvent -Output 'There once'),
                    (New-ChunkEvent -Output ' was an AI'),
                    (New-ChunkEvent -Output '.' -FinishReason 'stop')
                ) }
            $output = @(. $Invoke @{ Stream = $true; ResponseVariable = 'assembled' })

            $output.Count | Should -Be 3
            $output | ForEach-Object { $_ | Should -BeOfType Humanloop.CompletionChunk }
            ($output | ForEach-Object ToString) -join '|' | Should -Be 'There once| was an AI|.'
            $output.FinishReason | Should -Be @($null, $null, 'stop')
            $output.Id | Select-Object -Unique | Should -Be 'data_0'
            $assembled | Should -BeOfType Humanloop.CompletionResponse
            $assembled.Output | Should -Be 'There once was an AI.'
            $assembled.Data[0].FinishReason | Should -Be 'stop'
            $Expected = $Expected + @{ stream = $true }
        }
        else {
            Add-StubResponse $stub @{ body = (New-CompletionBody -Output ' There once was an AI. ' -Inputs @{ topic = 'AI' }) }
            $output = @(& $Invoke @{})

            $output.Count | Should -Be 1
            $response = $output[0]
            $response | Should -BeOfType Humanloop.CompletionResponse
            $response.Output | Should -Be 'There once was an AI.'
            $response.Data[0] | Should -BeOfType Humanloop.CompletionData
            $response.Data[0].RawOutput | Should -Be ' There once was an AI. '
            $response.Data[0].Id | Should -Be 'data_0'
            $response.Data[0].ModelConfigId | Should -Be 'config_test'
            $response.Data[0].Inputs.topic | Should -Be 'AI'
            $response.Usage.TotalTokens | Should -Be 12
            # Free-form JSON arrives as dictionaries and arrays, never as JsonElement.
            $response.Metadata | Should -BeOfType System.Collections.IDictionary
            $response.Metadata.nested.level | Should -Be 2
            $response.ProviderResponses[0].id | Should -Be 'mock-1'
            $response.ProviderRequest.temperature | Should -Be 0.7
        }

        $request = @(Get-StubRequest $stub)
        $request.Count | Should -Be 1
        $request[0].method | Should -Be 'POST'
        $request[0].path | Should -Be $Path
        $request[0].headers.'X-API-KEY' | Should -BeExactly $TestApiKey
        $request[0].headers.'Content-Type' | Should -Match '^application/json'
        ConvertTo-CanonicalJson $request[0].body | Should -Be (ConvertTo-CanonicalJson $Expected)
    }

    It 'sends every shared request field under its API name' {
        Add-StubResponse $stub @{ body = (New-CompletionBody) }
        $secureKey = ConvertTo-SecureString 'sk-provider' -AsPlainText -Force

        $null = New-HumanloopCompletion -ModelConfigId config_1 -ProjectId pr_1 -SessionReferenceId my-session `
            -ParentReferenceId my-parent -Inputs @{ a = 1 } -Source pester -Metadata @{ run = 7 } -Save:$false `
            -SourceDatapointId dp_1 -ProviderApiKeys @{ openai = $secureKey; anthropic = 'sk-ant' } -NumSamples 2 `
            -User jordan -Seed 42 -ReturnInputs:$false -Logprobs 3 -Suffix END

        $body = (Get-StubRequest $stub)[0].body
        ConvertTo-CanonicalJson $body | Should -Be (ConvertTo-CanonicalJson @{
                model_config_id = 'config_1'; project_id = 'pr_1'; session_reference_id = 'my-session'; parent_reference_id = 'my-parent'
                inputs = @{ a = 1 }; source = 'pester'; metadata = @{ run = 7 }; save = $false; source_datapoint_id = 'dp_1'
                provider_api_keys = @{ openai = 'sk-provider'; anthropic = 'sk-ant' }; num_samples = 2; user = 'jordan'; seed = 42
                return_inputs = $false; logprobs = 3; suffix = 'END'
            })
    }

    It 'takes the inline config from a hashtable, letting shortcut parameters override it' {
        Add-StubResponse $stub @{ body = (New-CompletionBody) }

        $null = New-HumanloopCompletion -Project p -ModelConfig @{ model = 'gpt-4o'; prompt_template = 'Hi {{name}}'; temperature = 0.9; PresencePenalty = 0.5 } -Temperature 0.1

        (Get-StubRequest $stub)[0].BodyJson.model_config | ConvertTo-CanonicalJson |
            Should -Be (ConvertTo-CanonicalJson @{ model = 'gpt-4o'; prompt_template = 'Hi {{name}}'; temperature = 0.1; presence_penalty = 0.5 })
    }

    It 'takes a typed config object as -ModelConfig' {
        Add-StubResponse $stub @{ body = (New-CompletionBody) }
        $config = [Humanloop.ModelConfigCompletionRequest]@{ Model = 'gpt-4o'; PromptTemplate = 'Hi'; TopP = 0.5 }

        $null = New-HumanloopCompletion -Project p -ModelConfig $config

        (Get-StubRequest $stub)[0].BodyJson.model_config.top_p | Should -Be 0.5
    }

    It 'rejects an inline config key the API does not know, naming it, before sending anything' {
        { New-HumanloopCompletion -Project p -ModelConfig @{ model = 'm'; prompt_template = 't'; temprature = 1 } } |
            Should -Throw -ExpectedMessage '*temprature*'
        Get-StubRequest $stub | Should -BeNullOrEmpty
    }

    It 'requires a prompt template for an inline config' {
        New-HumanloopCompletion -Project p -ModelConfig @{ model = 'm' } -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Input.Invalid*'
        $failure[0].Exception.Message | Should -BeLike '*prompt template*'
        Get-StubRequest $stub | Should -BeNullOrEmpty
    }

    It 'asks for a config when neither a project nor a config is given' {
        New-HumanloopCompletion -Inputs @{ a = 1 } -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].Exception.Message | Should -BeLike '*-Project or -ProjectId*-ModelConfigId*-Model*'
    }

    It 'rejects -<First> with -<Second> as a terminating error' -ForEach @(
        @{ First = 'Project'; Second = 'ProjectId' }
        @{ First = 'SessionId'; Second = 'SessionReferenceId' }
        @{ First = 'ParentId'; Second = 'ParentReferenceId' }
    ) {
        $arguments = @{ ModelConfigId = 'config_1'; $First = 'a'; $Second = 'b' }
        { New-HumanloopCompletion @arguments } | Should -Throw -ExpectedMessage "*-$First or -$Second, not both*"
    }
}

Describe 'Pipeline input' {
    BeforeEach {
        Reset-Stub $stub
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $base -SkipCheck
    }

    It 'turns each Import-Csv row into one request, and writes results in input order' {
        $csv = Join-Path $TestDrive 'cases.csv'
        "topic,tone`nAI,cheerful`nrivers,calm`nstars,`"dry, wry`"" | Set-Content $csv
        Add-StubResponse $stub @(
            @{ body = (New-CompletionBody -Output 'first') }
            @{ body = (New-CompletionBody -Output 'second') }
            @{ body = (New-CompletionBody -Output 'third') }
        )

        $results = Import-Csv $csv | New-HumanloopCompletion -ProjectId pr_1

        $results.Output | Should -Be @('first', 'second', 'third')
        $sent = Get-StubRequest $stub
        $sent.Count | Should -Be 3
        $sent | ForEach-Object { ConvertTo-CanonicalJson $_.BodyJson.inputs } | Should -Be @(
            (ConvertTo-CanonicalJson @{ topic = 'AI'; tone = 'cheerful' })
            (ConvertTo-CanonicalJson @{ topic = 'rivers'; tone = 'calm' })
            (ConvertTo-CanonicalJson @{ topic = 'stars'; tone = 'dry, wry' })
        )
    }

    It 'takes piped inputs with an inline config given by -Model and -PromptTemplate' {
        Add-StubResponse $stub @(@{ body = (New-CompletionBody -Output 'a') }, @{ body = (New-CompletionBody -Output 'b') })

        $results = @{ topic = 'tides' }, @{ topic = 'moons' } | New-HumanloopCompletion -Project p -Model mock-1 -PromptTemplate 'About {{topic}}'

        $results.Output | Should -Be @('a', 'b')
        $sent = Get-StubRequest $stub
        $sent.path | Should -Be @('/v4/completion', '/v4/completion')
        $sent.BodyJson.inputs.topic | Should -Be @('tides', 'moons')
        $sent[0].BodyJson.model_config.prompt_template | Should -Be 'About {{topic}}'
    }

    It 'collects one assembled response per piped input in -ResponseVariable' {
        Add-StubResponse $stub @(
            @{ events = @((New-ChunkEvent -Output 'one' -FinishReason 'stop')) }
            @{ events = @((New-ChunkEvent -Output 'two' -FinishReason 'stop')) }
            @{ events = @((New-ChunkEvent -Output 'three' -FinishReason 'stop')) }
        )

        $null = @{ n = 1 }, @{ n = 2 }, @{ n = 3 } | New-HumanloopCompletion -ProjectId pr_1 -Stream -ResponseVariable collected

        $collected.Count | Should -Be 3
        $collected.Output | Should -Be @('one', 'two', 'three')
        $collected | ForEach-Object { $_ | Should -BeOfType Humanloop.CompletionResponse }
    }

    It 'takes hashtables by value' {
        Add-StubResponse $stub @(@{ body = (New-CompletionBody) }, @{ body = (New-CompletionBody) })

        $null = @{ n = 1 }, @{ n = 2 } | New-HumanloopExperiment -ExperimentId exp_1

        (Get-StubRequest $stub).BodyJson.inputs.n | Should -Be @(1, 2)
    }

    It 'writes an input that has no JSON form as an error naming it, and goes on with the next' {
        Add-StubResponse $stub @{ body = (New-CompletionBody -Output 'ok') }

        $results = @{ when = { 'a script block' } }, @{ n = 2 } |
            New-HumanloopCompletion -ProjectId pr_1 -ErrorVariable failures -ErrorAction SilentlyContinue

        $results.Output | Should -Be 'ok'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Input.Invalid*'
        $failures[0].Exception.Message | Should -BeLike '*-Inputs.when*script block*'
        $failures[0].TargetObject.when | Should -BeOfType scriptblock
        (Get-StubRequest $stub).Count | Should -Be 1
    }

    It 'rejects a scalar as inputs' {
        42 | New-HumanloopCompletion -ProjectId pr_1 -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].Exception.Message | Should -BeLike '*-Inputs takes a hashtable or an object with properties*System.Int32*'
    }
}

Describe 'HTTP failures' {
    BeforeEach {
        Reset-Stub $stub
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $base -SkipCheck
    }

    It 'writes a 422 as a non-terminating InvalidArgument record with every loc and msg, then runs the next input' {
        Add-StubResponse $stub @(
            @{ status = 422; body = @{ detail = @(
                        @{ loc = @('body', 'inputs', 'topic'); msg = 'field required'; type = 'value_error.missing' }
                        @{ loc = @('body', 'num_samples'); msg = 'must be positive'; type = 'value_error' }
                    ) }
            }
            @{ body = (New-CompletionBody -Output 'second worked') }
        )
        $first = @{ wrong = 1 }

        $results = $first, @{ topic = 'x' } | New-HumanloopCompletion -ProjectId pr_1 -ErrorVariable failures -ErrorAction SilentlyContinue

        $results.Output | Should -Be 'second worked'
        $failures.Count | Should -Be 1
        $record = $failures[0]
        $record.FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.422,*'
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.TargetObject.wrong | Should -Be 1
        $record.ErrorDetails.Message | Should -BeLike '*body.inputs.topic: field required*'
        $record.ErrorDetails.Message | Should -BeLike '*body.num_samples: must be positive*'
        $record.Exception.Detail.ValidationErrors.Location | Should -Be @('body.inputs.topic', 'body.num_samples')
    }

    It 'writes a provider error with its origin and message' {
        Add-StubResponse $stub @{ status = 400; body = @{ detail = @{ type = 'invalid_request_error'; message = 'Incorrect API key provided'; code = 401; origin = 'OpenAI' } } }

        New-HumanloopCompletion -ProjectId pr_1 -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].ErrorDetails.Message | Should -BeLike '*OpenAI: Incorrect API key provided*'
        $failures[0].Exception.Detail.ProviderError.Origin | Should -Be 'OpenAI'
    }

    It 'maps <Status> to <Category>' -ForEach @(
        @{ Status = 401; Category = 'PermissionDenied' }
        @{ Status = 403; Category = 'PermissionDenied' }
        @{ Status = 404; Category = 'ObjectNotFound' }
        @{ Status = 400; Category = 'InvalidArgument' }
        @{ Status = 429; Category = 'LimitsExceeded' }
        @{ Status = 500; Category = 'ConnectionError' }
        @{ Status = 503; Category = 'ConnectionError' }
    ) {
        Add-StubResponse $stub @{ status = $Status; body = @{ detail = "status $Status from the stub" } }

        New-HumanloopCompletion -ProjectId pr_1 -MaxRetries 0 -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike "Humanloop.Http.$Status,*"
        $failures[0].CategoryInfo.Category | Should -Be $Category
        $failures[0].ErrorDetails.Message | Should -BeLike "*status $Status from the stub*"
    }

    It 'fails a 429 at once when the server asks for an hour, carrying the hint' {
        Add-StubResponse $stub @{ status = 429; headers = @{ 'Retry-After' = '3600' }; body = @{ detail = 'quota exhausted' } }

        New-HumanloopCompletion -ProjectId pr_1 -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].Exception.RetryAfter | Should -Be ([timespan]::FromHours(1))
        $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*60 min*'
        (Get-StubRequest $stub).Count | Should -Be 1
    }

    It 'reports a malformed chunk with its raw text after writing the good chunks' {
        Add-StubResponse $stub @{ events = @((New-ChunkEvent -Output 'good'), '{"data": [ {"output": "x"') }

        $chunks = New-HumanloopCompletion -ProjectId pr_1 -Stream -ErrorVariable failures -ErrorAction SilentlyContinue

        $chunks.Output | Should -Be 'good'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Stream.Malformed,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $failures[0].ErrorDetails.Message | Should -BeLike '*Raw text: {"data": `[ {"output": "x"*'
    }

    It 'reports a stream that ends before its sample finished' {
        Add-StubResponse $stub @{ events = @((New-ChunkEvent -Output 'partial')) }

        $chunks = New-HumanloopCompletion -ProjectId pr_1 -Stream -ErrorVariable failures -ErrorAction SilentlyContinue

        $chunks.Output | Should -Be 'partial'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Stream.Incomplete,*'
        $failures[0].Exception.ChunksDelivered | Should -Be 1
    }

    It 'assembles interleaved samples by index' {
        Add-StubResponse $stub @{ events = @(
                (New-ChunkEvent -Index 0 -Output 'A')
                (New-ChunkEvent -Index 1 -Output 'B')
                (New-ChunkEvent -Index 1 -Output 'b' -FinishReason 'length')
                (New-ChunkEvent -Index 0 -Output 'a' -FinishReason 'stop')
            ) }

        $chunks = New-HumanloopCompletion -ProjectId pr_1 -NumSamples 2 -Stream -ResponseVariable response

        $chunks.Index | Should -Be @(0, 1, 1, 0)
        $response.Data.Output | Should -Be @('Aa', 'Bb')
        $response.Data.FinishReason | Should -Be @('stop', 'length')
        $response.Output | Should -BeNullOrEmpty
    }
}

Describe 'Key and base URI precedence' {
    BeforeEach {
        Reset-Stub $stub
        Disconnect-Humanloop
        $savedKey, $savedUrl = $env:HUMANLOOP_API_KEY, $env:HUMANLOOP_BASE_URL
    }

    AfterEach {
        $env:HUMANLOOP_API_KEY, $env:HUMANLOOP_BASE_URL = $savedKey, $savedUrl
        Disconnect-Humanloop
    }

    It 'keeps the previous connection when a new one cannot be made' {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $base -SkipCheck

        { Connect-Humanloop -ApiKey 'hl_replacement_key_0000' -RecordingPath (Join-Path $TestDrive 'missing.json') -RecordingMode Replay } |
            Should -Throw -ErrorId 'Humanloop.Recording.FixtureUnavailable,*'

        $context = Get-HumanloopContext
        $context.ApiKey | Should -Be '****cdef'
        $context.BaseUri | Should -Be "$base/"
        $context.Recording | Should -BeNullOrEmpty
    }

    It 'shows the recording it starts in Connect-Humanloop -PassThru' {
        $fixture = Join-Path (Get-Module Humanloop).ModuleBase 'fixtures/unauthorized.json'
        try {
            $context = Connect-Humanloop -RecordingPath $fixture -RecordingMode Replay -PassThru

            $context.Recording | Should -Be "Replay $fixture"
        }
        finally {
            Stop-HumanloopRecording | Out-Null
        }
    }

    It 'uses the parameter, then the connection, then the environment' {
        Add-StubResponse $stub @(@{ body = (New-CompletionBody) }, @{ body = (New-CompletionBody) }, @{ body = (New-CompletionBody) })
        $env:HUMANLOOP_API_KEY = 'hl_from_environment_0001'
        $env:HUMANLOOP_BASE_URL = $base

        $null = New-HumanloopCompletion -ProjectId pr_1
        Connect-Humanloop -ApiKey 'hl_from_connection_0002' -SkipCheck
        $null = New-HumanloopCompletion -ProjectId pr_1
        $null = New-HumanloopCompletion -ProjectId pr_1 -ApiKey (ConvertTo-SecureString 'hl_from_parameter_0003' -AsPlainText -Force)

        (Get-StubRequest $stub).headers.'X-API-KEY' | Should -Be @('hl_from_environment_0001', 'hl_from_connection_0002', 'hl_from_parameter_0003')
    }

    It 'sees a change of the environment, the connection or the recording on the very next call' {
        # A plain call reuses the last resolution while nothing it was made from changed.
        Add-StubResponse $stub @(1..4 | ForEach-Object { @{ body = (New-CompletionBody) } })
        $env:HUMANLOOP_BASE_URL = $base
        $env:HUMANLOOP_API_KEY = 'hl_from_environment_0001'
        $null = New-HumanloopCompletion -ProjectId pr_1
        $env:HUMANLOOP_API_KEY = 'hl_from_environment_0002'
        $null = New-HumanloopCompletion -ProjectId pr_1
        Connect-Humanloop -ApiKey 'hl_from_connection_0003' -SkipCheck
        $null = New-HumanloopCompletion -ProjectId pr_1
        Disconnect-Humanloop
        $null = New-HumanloopCompletion -ProjectId pr_1
        $fixture = Join-Path (Get-Module Humanloop).ModuleBase 'fixtures/unauthorized.json'
        Start-HumanloopRecording -Path $fixture -Mode Replay
        try {
            (Get-HumanloopContext).Recording | Should -Be "Replay $fixture"
        }
        finally {
            Stop-HumanloopRecording | Out-Null
        }

        (Get-HumanloopContext).Recording | Should -BeNullOrEmpty
        (Get-StubRequest $stub).headers.'X-API-KEY' | Should -Be @('hl_from_environment_0001', 'hl_from_environment_0002', 'hl_from_connection_0003', 'hl_from_environment_0002')
    }

    It 'takes the base URI from the parameter over the connection' {
        Add-StubResponse $stub @{ body = (New-CompletionBody) }
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri 'http://127.0.0.1:1/v4' -SkipCheck

        $null = New-HumanloopCompletion -ProjectId pr_1 -BaseUri $base

        (Get-StubRequest $stub).Count | Should -Be 1
    }

    It 'fails with instructions when no key is anywhere' {
        $env:HUMANLOOP_API_KEY = $null

        { New-HumanloopCompletion -ProjectId pr_1 -BaseUri $base } | Should -Throw -ErrorId 'Humanloop.Connection.NoApiKey,*'
        { New-HumanloopCompletion -ProjectId pr_1 -BaseUri $base } | Should -Throw -ExpectedMessage '*Connect-Humanloop*HUMANLOOP_API_KEY*'
    }

    It 'shows the context with the key masked and where each setting came from' {
        $env:HUMANLOOP_BASE_URL = $null
        Connect-Humanloop -ApiKey $TestApiKey -SkipCheck

        $context = Get-HumanloopContext

        $context | Should -BeOfType Humanloop.HumanloopContext
        $context.ApiKey | Should -Be '****cdef'
        $context.ApiKeySource | Should -Be 'Connection'
        $context.BaseUri | Should -Be 'https://api.humanloop.com/v4/'
        $context.BaseUriSource | Should -Be 'Default'
        $context.IsConnected | Should -BeTrue
        ($context | Out-String) | Should -Not -BeLike "*$TestApiKey*"
    }

    It 'Connect-Humanloop -PassThru writes the context; Disconnect-Humanloop forgets it' {
        $env:HUMANLOOP_API_KEY = $null

        $context = Connect-Humanloop -ApiKey $TestApiKey -BaseUri $base -PassThru -SkipCheck
        $context.BaseUri | Should -Be "$base/"
        Disconnect-Humanloop

        (Get-HumanloopContext).ApiKey | Should -BeNullOrEmpty
        (Get-HumanloopContext).IsConnected | Should -BeFalse
    }

    It 'keeps connections per runspace' {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $base -SkipCheck
        $modulePath = (Get-Module Humanloop).Path
        $other = [powershell]::Create()
        try {
            $seen = $other.AddScript("Import-Module '$modulePath'; (Get-HumanloopContext).ApiKeySource").Invoke()
        }
        finally {
            $other.Dispose()
        }

        $env:HUMANLOOP_API_KEY = $null
        $seen | Should -Not -Be 'Connection'
        (Get-HumanloopContext).ApiKeySource | Should -Be 'Connection'
    }

    It 'rejects a base URI that is not http or https, naming the variable' {
        $env:HUMANLOOP_BASE_URL = 'ftp://example.com/v4'
        { Get-HumanloopContext } | Should -Throw -ExpectedMessage '*HUMANLOOP_BASE_URL*ftp://example.com/v4*'
    }
}
