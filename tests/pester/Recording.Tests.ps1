# Record and replay through the public seam: record against the real local server, stop the server and
# replay offline; mismatches; scrubbing; ignore rules; the ready-made error fixtures; the Should
# operators (on canned exchanges from tests/pester/fixtures); and the shipped regression example.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:inline = @{ Project = 'recording'; Model = 'mock-1'; Provider = 'mock'; PromptTemplate = 'Describe {{thing}} briefly.' }
    $script:shipped = Join-Path (Get-Module Humanloop).ModuleBase 'fixtures'
    $script:canned = Join-Path $PSScriptRoot 'fixtures/operators.json'
    $script:savedKey, $script:savedUrl, $script:savedMode = $env:HUMANLOOP_API_KEY, $env:HUMANLOOP_BASE_URL, $env:HUMANLOOP_RECORDING_MODE

    function Use-NoKey {
        <# Nothing to authenticate with: no connection, no key or base URL in the environment. #>
        Disconnect-Humanloop
        $env:HUMANLOOP_API_KEY = $null
        $env:HUMANLOOP_BASE_URL = $null
        $env:HUMANLOOP_RECORDING_MODE = $null
    }

    function Get-Replayed {
        <# The replayed answers for the canned exchanges of tests/pester/fixtures/operators.json. #>
        param([Parameter(Mandatory)] [string] $Case, [switch] $Stream)
        Start-HumanloopRecording -Path $canned -Mode Replay
        try {
            New-HumanloopCompletion -ProjectId pr_ops -Inputs @{ case = $Case } -Stream:$Stream -MaxRetries 0 -ErrorAction Stop
        }
        finally {
            Stop-HumanloopRecording | Out-Null
        }
    }
}

AfterAll {
    Stop-HumanloopRecording -ErrorAction Ignore | Out-Null
    Disconnect-Humanloop
    $env:HUMANLOOP_API_KEY, $env:HUMANLOOP_BASE_URL, $env:HUMANLOOP_RECORDING_MODE = $savedKey, $savedUrl, $savedMode
}

Describe 'Recorded against the local server, replayed with the server stopped' {
    BeforeAll {
        $script:fixture = Join-Path $TestDrive 'round-trip.json'
        $server = Start-HumanloopTestServer
        try {
            Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
            Start-HumanloopRecording -Path $fixture -Mode Record
            $script:live = @{
                Plain   = New-HumanloopCompletion @inline -Inputs @{ thing = 'a lighthouse' } -Metadata @{ run = 1 }
                Chunks  = @(New-HumanloopCompletion @inline -Inputs @{ thing = 'a river' } -Stream -ResponseVariable streamed)
                Samples = New-HumanloopCompletion @inline -Inputs @{ thing = 'a kite' } -NumSamples 2 -Temperature 0.9
            }
            $live.Streamed = $streamed
            New-HumanloopCompletion @inline -Inputs @{ wrong = 'input' } -ErrorVariable liveFailure -ErrorAction SilentlyContinue
            $live.Failure = $liveFailure[0]
            $script:recordedSummary = Stop-HumanloopRecording
        }
        finally {
            $server | Stop-ReadyProcess
        }
        $script:deadServer = $server.Uri
    }

    BeforeEach {
        Use-NoKey
    }

    AfterEach {
        Stop-HumanloopRecording -ErrorAction Ignore | Out-Null
    }

    It 'reports what it recorded and wrote' {
        $recordedSummary | Should -BeOfType Humanloop.RecordingSummary
        $recordedSummary.Mode | Should -Be 'Record'
        $recordedSummary.Recorded | Should -Be 4
        $recordedSummary.Saved | Should -BeTrue
        $fixture | Should -Exist
    }

    It 'replays the same typed responses without a key, offline' {
        Start-HumanloopRecording -Path $fixture -Mode Replay

        $plain = New-HumanloopCompletion @inline -Inputs @{ thing = 'a lighthouse' } -Metadata @{ run = 2 } -BaseUri $deadServer
        $samples = New-HumanloopCompletion @inline -Inputs @{ thing = 'a kite' } -NumSamples 2 -Temperature 0.9

        $plain | Should -BeOfType Humanloop.CompletionResponse
        $plain.Output | Should -BeExactly $live.Plain.Output
        $plain.Data[0].Id | Should -Be $live.Plain.Data[0].Id
        $plain.Usage.TotalTokens | Should -Be $live.Plain.Usage.TotalTokens
        $plain.Data[0].Inputs.thing | Should -Be 'a lighthouse'
        $samples.Data.Output | Should -Be $live.Samples.Data.Output
        $samples.Data.Id | Should -Be $live.Samples.Data.Id
    }

    It 'replays a stream chunk by chunk, assembling the same response' {
        Start-HumanloopRecording -Path $fixture

        $chunks = @(New-HumanloopCompletion @inline -Inputs @{ thing = 'a river' } -Stream -ResponseVariable replayed)

        $chunks.Count | Should -Be $live.Chunks.Count
        $chunks.Count | Should -BeGreaterThan 1
        $chunks | ForEach-Object { $_ | Should -BeOfType Humanloop.CompletionChunk }
        ($chunks.Output -join '|') | Should -BeExactly ($live.Chunks.Output -join '|')
        $chunks[-1].FinishReason | Should -Be 'stop'
        $replayed | Should -BeOfType Humanloop.CompletionResponse
        $replayed.Output | Should -BeExactly $live.Streamed.Output
    }

    It 'replays an error as the same error record' {
        Start-HumanloopRecording -Path $fixture

        New-HumanloopCompletion @inline -Inputs @{ wrong = 'input' } -ErrorVariable failure -ErrorAction SilentlyContinue

        $failure.Count | Should -Be 1
        $failure[0].FullyQualifiedErrorId | Should -Be $live.Failure.FullyQualifiedErrorId
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.422,*'
        $failure[0].CategoryInfo.Category | Should -Be $live.Failure.CategoryInfo.Category
        $failure[0].ErrorDetails.Message | Should -BeExactly $live.Failure.ErrorDetails.Message
        $failure[0].TargetObject.wrong | Should -Be 'input'
    }

    It 'replays through Connect-Humanloop -RecordingPath as well, without a key' {
        Connect-Humanloop -RecordingPath $fixture -RecordingMode Replay

        (New-HumanloopCompletion @inline -Inputs @{ thing = 'a lighthouse' }).Output | Should -BeExactly $live.Plain.Output
        (Stop-HumanloopRecording).Replayed | Should -Be 1
    }

    It 'takes the mode from HUMANLOOP_RECORDING_MODE when -Mode is not given' {
        $env:HUMANLOOP_RECORDING_MODE = 'auto'
        try {
            Start-HumanloopRecording -Path (Join-Path $TestDrive 'auto.json')
        }
        finally {
            $env:HUMANLOOP_RECORDING_MODE = $null
        }

        (Stop-HumanloopRecording).Mode | Should -Be 'Auto'
    }

    It 'rejects a HUMANLOOP_RECORDING_MODE that is not a mode, naming it' {
        $env:HUMANLOOP_RECORDING_MODE = 'Playback'
        try {
            { Start-HumanloopRecording -Path $fixture } | Should -Throw -ExpectedMessage "*HUMANLOOP_RECORDING_MODE*'Playback'*Replay, Record or Auto*"
        }
        finally {
            $env:HUMANLOOP_RECORDING_MODE = $null
        }
    }

    It 'needs a key in Record and Auto mode, as any live call does' {
        Start-HumanloopRecording -Path (Join-Path $TestDrive 'needs-key.json') -Mode Auto

        { New-HumanloopCompletion @inline -Inputs @{ thing = 'x' } } | Should -Throw -ErrorId 'Humanloop.Connection.NoApiKey,*'
    }

    It 'names the closest recording and each difference for a request it has not recorded' {
        Start-HumanloopRecording -Path $fixture

        New-HumanloopCompletion @inline -Inputs @{ thing = 'a lamp' } -ErrorVariable failure -ErrorAction SilentlyContinue

        $failure.Count | Should -Be 1
        $failure[0].Exception | Should -BeOfType Humanloop.HumanloopRecordingException
        $failure[0].Exception.Message | Should -BeLike "No recording in $fixture matches POST /v4/completion.*"
        $failure[0].Exception.Message | Should -BeLike '*The closest is exchange 1 of 4 (POST /v4/completion), which differs in:*'
        $failure[0].Exception.Differences | Should -Be @('inputs.thing: recorded "a lighthouse", sent "a lamp"')
        $failure[0].TargetObject.thing | Should -Be 'a lamp'
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Recording.NoMatch,*'
        $failure[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failure[0].ErrorDetails.RecommendedAction | Should -BeLike '*-Mode Auto*-IgnoreField*'
        (Get-HumanloopContext).Recording | Should -Be "Replay $fixture"
    }

    It 'refuses to replay a fixture that does not exist, naming it' {
        $missing = Join-Path $TestDrive 'nowhere/missing.json'

        { Start-HumanloopRecording -Path $missing } | Should -Throw -ErrorId 'Humanloop.Recording.FixtureUnavailable,*'
        { Start-HumanloopRecording -Path $missing } | Should -Throw -ExpectedMessage "*$missing does not exist*"
    }

    It 'rejects unusable rules and paths with the offending input named' {
        { Start-HumanloopRecording -Path $fixture -IgnoreField 'inputs..date' } | Should -Throw -ExpectedMessage "*'inputs..date', which has an empty segment*"
        { Start-HumanloopRecording -Path $fixture -ScrubPattern 'sk-[a-z' } | Should -Throw -ErrorId 'Humanloop.Recording.InvalidSetting,*'
        { Start-HumanloopRecording -Path 'Env:\PATH' } | Should -Throw -ExpectedMessage '*Environment provider; a fixture must be a file*'
        { Connect-Humanloop -RecordingMode Replay } | Should -Throw -ExpectedMessage '*-RecordingMode needs -RecordingPath*'
    }

    It 'resolves a relative fixture path against the current location' {
        Push-Location $TestDrive
        try {
            Copy-Item $fixture (Join-Path $TestDrive 'relative.json')
            Start-HumanloopRecording -Path ./relative.json
        }
        finally {
            Pop-Location
        }

        (Stop-HumanloopRecording).Path | Should -Be (Join-Path $TestDrive 'relative.json')
    }

    It 'stops a recording left running when the next one starts, with a warning' {
        Start-HumanloopRecording -Path $fixture
        Start-HumanloopRecording -Path $fixture -WarningVariable warnings -WarningAction SilentlyContinue

        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -BeLike "The recording $fixture was still running; it was stopped first*"
    }

    It 'says so when asked to stop a recording that is not running' {
        Stop-HumanloopRecording -ErrorVariable failure -ErrorAction SilentlyContinue

        $failure[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Recording.NotStarted,*'
    }
}

Describe 'Secrets' {
    It 'never writes the API key, provider keys, named fields or pattern matches to the fixture' {
        $fixture = Join-Path $TestDrive 'secrets.json'
        $providerCanary = 'sk-canary-' + [guid]::NewGuid().ToString('N')
        $emailCanary = 'jordan-' + [guid]::NewGuid().ToString('N') + '@example.com'
        $server = Start-HumanloopTestServer
        try {
            Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
            Start-HumanloopRecording -Path $fixture -Mode Record -ScrubField email -ScrubPattern 'cust-\d{6}'
            $response = New-HumanloopCompletion @inline -Inputs @{ thing = 'an order for cust-123456'; email = $emailCanary } -ProviderApiKeys @{ openai = $providerCanary }
            Stop-HumanloopRecording | Out-Null
        }
        finally {
            $server | Stop-ReadyProcess
            Disconnect-Humanloop
        }

        $text = Get-Content -Raw $fixture
        $response.Output | Should -BeLike '*cust-123456*' -Because 'the caller sees the real answer; only the file is scrubbed'
        $text | Should -Not -BeLike "*$TestApiKey*"
        $text | Should -Not -BeLike "*$providerCanary*"
        $text | Should -Not -BeLike "*$emailCanary*"
        $text | Should -Not -Match 'cust-\d{6}'
        $text | Should -BeLike '*"x-api-key": "****"*'
        $text | Should -BeLike '*"openai": "****"*'
        $text | Should -BeLike '*"email": "****"*'
        $text | Should -BeLike '*an order for ****"*'
    }
}

Describe 'Recording twice into one fixture' {
    BeforeAll {
        $script:server = Start-HumanloopTestServer
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
    }

    AfterAll {
        Stop-HumanloopRecording -ErrorAction Ignore | Out-Null
        Disconnect-Humanloop
        $server | Stop-ReadyProcess
    }

    It 'keeps what the running recording recorded when the next one opens the same file' {
        $fixture = Join-Path $TestDrive 'restarted.json'
        Start-HumanloopRecording -Path $fixture -Mode Auto
        $null = New-HumanloopCompletion @inline -Inputs @{ thing = 'a harbour' }

        Start-HumanloopRecording -Path $fixture -Mode Auto -WarningAction SilentlyContinue
        $null = New-HumanloopCompletion @inline -Inputs @{ thing = 'a harbour' }
        $summary = Stop-HumanloopRecording

        $summary.Replayed | Should -Be 1 -Because 'the first recording was saved before the second read the file'
        $summary.Recorded | Should -Be 0
    }

    It 'replays a request whose secret also appears in an earlier field, on the first try' {
        $fixture = Join-Path $TestDrive 'echoed-secret.json'
        $secret = 'sk-echo-' + [guid]::NewGuid().ToString('N')
        $request = @{ Inputs = @{ thing = "a key $secret" }; ProviderApiKeys = @{ openai = $secret } }
        Start-HumanloopRecording -Path $fixture -Mode Record
        $recorded = New-HumanloopCompletion @inline @request
        $null = Stop-HumanloopRecording

        Start-HumanloopRecording -Path $fixture -Mode Replay
        $replayed = New-HumanloopCompletion @inline @request -ErrorVariable failure -ErrorAction SilentlyContinue
        $null = Stop-HumanloopRecording

        $failure | Should -BeNullOrEmpty
        $replayed.Output | Should -Be $recorded.Output.Replace($secret, '****') -Because 'the answer is replayed as the file holds it, scrubbed'
        Get-Content -Raw $fixture | Should -Not -BeLike "*$secret*"
    }
}

Describe 'Ignore rules' {
    BeforeAll {
        $script:dated = Join-Path $TestDrive 'dated.json'
        $server = Start-HumanloopTestServer
        try {
            Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
            Start-HumanloopRecording -Path $dated -Mode Record
            $null = New-HumanloopCompletion @inline -Inputs @{ thing = 'a ledger'; date = '2026-01-01' } -Metadata @{ build = 'one' }
            Stop-HumanloopRecording | Out-Null
        }
        finally {
            $server | Stop-ReadyProcess
        }
    }

    BeforeEach {
        Use-NoKey
    }

    AfterEach {
        Stop-HumanloopRecording -ErrorAction Ignore | Out-Null
    }

    It 'leaves metadata out of matching by default' {
        Start-HumanloopRecording -Path $dated

        New-HumanloopCompletion @inline -Inputs @{ thing = 'a ledger'; date = '2026-01-01' } -Metadata @{ build = 'two' } | Should -Not -BeNullOrEmpty
    }

    It 'matches every other field unless told to ignore it' {
        Start-HumanloopRecording -Path $dated
        New-HumanloopCompletion @inline -Inputs @{ thing = 'a ledger'; date = '2026-02-02' } -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].Exception.Differences | Should -Be @('inputs.date: recorded "2026-01-01", sent "2026-02-02"')
        Stop-HumanloopRecording | Out-Null

        Start-HumanloopRecording -Path $dated -IgnoreField inputs.date
        New-HumanloopCompletion @inline -Inputs @{ thing = 'a ledger'; date = '2026-02-02' } | Should -Not -BeNullOrEmpty
    }

    It 'takes a plain name as that field at any depth' {
        Start-HumanloopRecording -Path $dated -IgnoreField date

        New-HumanloopCompletion @inline -Inputs @{ thing = 'a ledger'; date = '2030-12-31' } | Should -Not -BeNullOrEmpty
    }
}

Describe 'Ready-made error fixtures shipped with the module' {
    BeforeEach {
        Use-NoKey
    }

    AfterEach {
        Stop-HumanloopRecording -ErrorAction Ignore | Out-Null
    }

    It '<File> answers any call with <Status> as <Category>' -ForEach @(
        @{ File = 'rate-limited.json'; Status = 429; Category = 'LimitsExceeded'; Detail = '*Rate limit exceeded*' }
        @{ File = 'quota-exhausted.json'; Status = 429; Category = 'LimitsExceeded'; Detail = '*quota exhausted*' }
        @{ File = 'unauthorized.json'; Status = 401; Category = 'PermissionDenied'; Detail = '*Invalid API key*' }
        @{ File = 'server-error.json'; Status = 503; Category = 'ConnectionError'; Detail = '*temporarily unavailable*' }
        @{ File = 'validation-error.json'; Status = 422; Category = 'InvalidArgument'; Detail = '*body.inputs.topic: field required*' }
    ) {
        Start-HumanloopRecording -Path (Join-Path $shipped $File)

        New-HumanloopCompletion -ProjectId pr_any -Inputs @{ anything = 1 } -MaxRetries 0 -ErrorVariable failure -ErrorAction SilentlyContinue

        $failure.Count | Should -Be 1
        $failure[0].FullyQualifiedErrorId | Should -BeLike "Humanloop.Http.$Status,*"
        $failure[0].CategoryInfo.Category | Should -Be $Category
        $failure[0].ErrorDetails.Message | Should -BeLike $Detail
    }

    It 'carries the Retry-After hint of a rate limit, and fails at once on an hour-long one' {
        Start-HumanloopRecording -Path (Join-Path $shipped 'rate-limited.json')
        New-HumanloopCompletion -ProjectId pr_any -MaxRetries 0 -ErrorVariable throttled -ErrorAction SilentlyContinue
        Stop-HumanloopRecording | Out-Null
        Start-HumanloopRecording -Path (Join-Path $shipped 'quota-exhausted.json')
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        New-HumanloopCompletion -ProjectId pr_any -MaxRetries 3 -ErrorVariable exhausted -ErrorAction SilentlyContinue

        $throttled[0].Exception.RetryAfter | Should -Be ([timespan]::FromSeconds(1))
        $exhausted[0].Exception.RetryAfter | Should -Be ([timespan]::FromHours(1))
        $exhausted[0].Exception.Attempts | Should -Be 1
        $watch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(5))
    }

    It 're-matches each retry against the fixture, so a 5xx is retried and counted' {
        Start-HumanloopRecording -Path (Join-Path $shipped 'server-error.json')

        New-HumanloopCompletion -ProjectId pr_any -MaxRetries 1 -ErrorVariable failure -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $failure[0].Exception.Attempts | Should -Be 2
        (Stop-HumanloopRecording).Replayed | Should -Be 2
    }
}

Describe 'Should operators' {
    BeforeAll {
        Use-NoKey
        $script:json = Get-Replayed -Case json
        $script:two = Get-Replayed -Case two
        $script:long = Get-Replayed -Case long
        $script:chunks = @(Get-Replayed -Case stream -Stream)
        $script:schema = '{ "type": "object", "required": ["answer", "unit"], "properties": { "answer": { "type": "integer" } } }'
    }

    It 'loads the canned exchanges this Describe relies on' {
        $json.Data[0].Id | Should -Be 'data_json'
        $two.Data.Id | Should -Be @('data_a', 'data_b')
        $chunks.Count | Should -Be 2
    }

    It '-<Operator> passes: <Passing>' -ForEach @(
        @{ Operator = 'MatchHumanloopOutput'; Passing = { $two | Should -MatchHumanloopOutput 'days|sorry' } }
        @{ Operator = 'MatchHumanloopOutput'; Passing = { $chunks | Should -MatchHumanloopOutput '^Refunds take 5 days\.$' } }
        @{ Operator = 'ContainHumanloopOutput'; Passing = { $json | Should -ContainHumanloopOutput '"ANSWER"' } }
        @{ Operator = 'ContainHumanloopOutput'; Passing = { $two | Should -Not -ContainHumanloopOutput 'refund policy' } }
        @{ Operator = 'BeHumanloopJson'; Passing = { $json | Should -BeHumanloopJson } }
        @{ Operator = 'BeHumanloopJson'; Passing = { $json | Should -BeHumanloopJson -Schema $schema } }
        @{ Operator = 'BeHumanloopJson'; Passing = { $json.Output | Should -BeHumanloopJson -Schema (ConvertFrom-Json $schema -AsHashtable) } }
        @{ Operator = 'HaveHumanloopFinishReason'; Passing = { $two | Should -HaveHumanloopFinishReason 'stop', 'length' } }
        @{ Operator = 'HaveHumanloopFinishReason'; Passing = { $chunks | Should -HaveHumanloopFinishReason 'stop' } }
        @{ Operator = 'HaveHumanloopTokensAtMost'; Passing = { $json, $long | Should -HaveHumanloopTokensAtMost 90 } }
        @{ Operator = 'HaveHumanloopTokensAtMost'; Passing = { $chunks | Should -HaveHumanloopTokensAtMost 10 } }
        @{ Operator = 'HaveHumanloopTokensAtMost'; Passing = { $two | Should -Not -HaveHumanloopTokensAtMost 500 } }
        @{ Operator = 'HaveEveryHumanloopSample'; Passing = { $two | Should -HaveEveryHumanloopSample { $_.Output.Length -lt 40 -and $_.Id -like 'data_*' } } }
        @{ Operator = 'HaveEveryHumanloopSample'; Passing = { $two | Should -HaveEveryHumanloopSample { $_.Output | Should -Match '\.$' } } }
    ) {
        $Passing | Should -Not -Throw
    }

    It '-<Operator> fails with the expectation, each offending log id and the output' -ForEach @(
        @{ Operator = 'MatchHumanloopOutput'; Failing = { $two | Should -MatchHumanloopOutput 'days' -Because 'the policy must be quoted' }
            Message = "Expected every Humanloop sample to match 'days', because the policy must be quoted (Should -MatchHumanloopOutput), but 1 of 2 did not: sample 1 (log data_b): 'I am not sure, sorry.'" }
        @{ Operator = 'ContainHumanloopOutput'; Failing = { $two | Should -Not -ContainHumanloopOutput 'SORRY' }
            Message = "Expected no Humanloop sample to contain 'SORRY' (Should -ContainHumanloopOutput), but 1 of 2 did: sample 1 (log data_b): 'I am not sure, sorry.'" }
        @{ Operator = 'BeHumanloopJson'; Failing = { $two | Should -BeHumanloopJson }
            Message = "Expected every Humanloop sample to be valid JSON (Should -BeHumanloopJson), but 2 of 2 did not:`n  sample 0 (log data_a) is not JSON (*): 'Refunds take 5 days.'`n  sample 1 (log data_b) is not JSON (*): 'I am not sure, sorry.'" }
        @{ Operator = 'BeHumanloopJson'; Failing = { $json | Should -BeHumanloopJson -Schema '{ "required": ["reason"] }' }
            Message = "Expected every Humanloop sample to be JSON valid against the schema (Should -BeHumanloopJson), but 1 did not: sample 0 (log data_json) does not fit the schema (*reason*): '{`"answer`": 42, `"unit`": `"days`"}'" }
        @{ Operator = 'HaveHumanloopFinishReason'; Failing = { $two | Should -HaveHumanloopFinishReason 'stop' }
            Message = "Expected every Humanloop sample to finish with 'stop' (Should -HaveHumanloopFinishReason), but 1 of 2 did not: sample 1 (log data_b) finished with 'length': 'I am not sure, sorry.'" }
        @{ Operator = 'HaveHumanloopTokensAtMost'; Failing = { $json, $two | Should -HaveHumanloopTokensAtMost 500 }
            Message = "Expected every Humanloop response to use at most 500 tokens (Should -HaveHumanloopTokensAtMost), but 1 of 2 did not: response (log data_a, data_b) used 812 (12 prompt, 800 generated): sample 0: 'Refunds take 5 days.' | sample 1: 'I am not sure, sorry.'" }
        @{ Operator = 'HaveHumanloopTokensAtMost'; Failing = { $chunks | Should -HaveHumanloopTokensAtMost 9 }
            Message = "Expected every Humanloop response to use at most 9 tokens (Should -HaveHumanloopTokensAtMost), but 1 did not: response (log data_stream) used 10 (6 prompt, 4 generated): 'Refunds take 5 days.'" }
        @{ Operator = 'HaveHumanloopTokensAtMost'; Failing = { $two | Should -Not -HaveHumanloopTokensAtMost 1000 }
            Message = "Expected no Humanloop response to use at most 1000 tokens (Should -HaveHumanloopTokensAtMost), but 1 did: response (log data_a, data_b) used 812 (12 prompt, 800 generated): sample 0: 'Refunds take 5 days.' | sample 1: 'I am not sure, sorry.'" }
        @{ Operator = 'HaveEveryHumanloopSample'; Failing = { $two | Should -HaveEveryHumanloopSample { $_.FinishReason -eq 'stop' } }
            Message = "Expected every Humanloop sample to satisfy { `$_.FinishReason -eq 'stop' } (Should -HaveEveryHumanloopSample), but 1 of 2 did not: sample 1 (log data_b) returned false: 'I am not sure, sorry.'" }
        @{ Operator = 'HaveEveryHumanloopSample'; Failing = { $two | Should -HaveEveryHumanloopSample { throw 'no good' } }
            Message = "*but 2 of 2 did not:`n  sample 0 (log data_a) threw (no good): 'Refunds take 5 days.'`n  sample 1 (log data_b) threw (no good): 'I am not sure, sorry.'" }
    ) {
        $Failing | Should -Throw -ExpectedMessage $Message
    }

    It 'trims long output to 200 characters in a failure message' {
        $failure = { $long | Should -MatchHumanloopOutput 'refund policy' } | Should -Throw -PassThru

        $shown = [regex]::Match($failure.Exception.Message, "log data_long\): '(.*)'$").Groups[1].Value
        $shown.Length | Should -Be 201
        $shown | Should -BeLike 'Refunds are processed within five working days*…'
        $failure.Exception.Message | Should -Not -BeLike '*THE-HIDDEN-TAIL*'
    }

    It 'explains input it cannot check' {
        { 42 | Should -MatchHumanloopOutput 'x' } | Should -Throw -ExpectedMessage '*it was given System.Int32*'
        { $null | Should -MatchHumanloopOutput 'x' } | Should -Throw -ExpectedMessage '*given $null (did the call fail?)*'
        { 'text' | Should -HaveHumanloopTokensAtMost 5 } | Should -Throw -ExpectedMessage '*needs Humanloop.CompletionResponse objects or ChatResponse objects*System.String*'
        { $json | Should -BeHumanloopJson -Schema 'not a schema' } | Should -Throw -ExpectedMessage '*-Schema given to Should -BeHumanloopJson is not a usable JSON schema*'
    }

    It 'costs nothing and needs no Pester on import, and registers once Pester arrives' {
        $script = @'
Import-Module ./output/Humanloop
"pester loaded: $([bool](Get-Module Pester))"
"operators parsed: $(Test-Path function:Test-HumanloopOutputMatch)"
try { Register-HumanloopShouldOperator } catch { "without pester: $($_.Exception.Message)" }
Import-Module 'PESTER_MANIFEST'
Register-HumanloopShouldOperator
Register-HumanloopShouldOperator
try { 'plain text' | Should -MatchHumanloopOutput 'plain'; 'matched' } catch { "failed: $_" }
'@.Replace('PESTER_MANIFEST', (Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'))

        $result = Invoke-FreshPwsh -Script $script

        $result.Errors | Should -BeNullOrEmpty
        $lines = $result.Output -split "`r?`n" | Where-Object { $_ }
        $lines | Should -Be @(
            'pester loaded: False'
            'operators parsed: False'
            'without pester: Pester is not loaded. Import-Module Pester (version 5 or later) first, then run Register-HumanloopShouldOperator.'
            'matched'
        )
    }
}

Describe 'The regression example' {
    It 'passes in Replay mode in a fresh process with no key and no server' {
        $counts = Join-Path $TestDrive 'regression.counts.json'
        $pester = Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'
        $result = Invoke-FreshPwsh -Script "& ./examples/regression/Invoke-Regression.ps1 -PesterPath '$pester' -CountsPath '$counts'; exit `$LASTEXITCODE"

        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'Regression example: 6 passed, 0 failed'
        (Get-Content -Raw $counts | ConvertFrom-Json).Passed | Should -Be 6
    }
}
