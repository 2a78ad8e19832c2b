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

    It 'stops where a write says stop, though a replayed answer comes at once' {
        # A replay answers without waiting, so the whole call runs while the cmdlet starts it on the pipeline
        # thread: what it writes must still end the command there (Select-Object -First, -ErrorAction Stop).
        Start-HumanloopRecording -Path $fixture -Mode Replay
        $things = 'a lighthouse', 'an unrecorded thing', 'another unrecorded thing'

        $first = @($things | ForEach-Object { @{ thing = $_ } } | New-HumanloopCompletion -Project $inline.Project -ModelConfig @{ provider = 'mock'; model = 'mock-1'; prompt_template = $inline.PromptTemplate } -Metadata @{ run = 2 } -ErrorVariable unsent -ErrorAction SilentlyContinue | Select-Object -First 1)
        $chunks = @(New-HumanloopCompletion @inline -Inputs @{ thing = 'a river' } -Stream | Select-Object -First 2)

        $first.Count | Should -Be 1
        $unsent | Should -BeNullOrEmpty -Because 'the inputs after the first have no recording, and must never have been sent'
        $chunks.Count | Should -Be 2
        { New-HumanloopCompletion @inline -Inputs @{ thing = 'an unrecorded thing' } -ErrorAction Stop; throw 'went on' } |
            Should -Throw -ErrorId 'Humanloop.Recording.*'
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
            { Start-HumanloopRecording -Path $fixture } | Should -Throw -ExpectedMessage "*HUMANLOOP_RECORDING_MODE*'Playback'*Replay, Record, Auto or Once*"
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

    It '-Fixture <Name> answers any call, as often as asked, with <Status> as <Category>' -ForEach @(
        @{ Name = 'RateLimited'; Status = 429; Category = 'LimitsExceeded'; Detail = '*Rate limit exceeded*' }
        @{ Name = 'QuotaExhausted'; Status = 429; Category = 'LimitsExceeded'; Detail = '*quota exhausted*' }
        @{ Name = 'Unauthorized'; Status = 401; Category = 'PermissionDenied'; Detail = '*Invalid API key*' }
        @{ Name = 'ServiceUnavailable'; Status = 503; Category = 'ConnectionError'; Detail = '*temporarily unavailable*' }
        @{ Name = 'ValidationError'; Status = 422; Category = 'InvalidArgument'; Detail = '*body.inputs.topic: field required*' }
    ) {
        Start-HumanloopRecording -Fixture $Name

        New-HumanloopCompletion -ProjectId pr_any -Inputs @{ anything = 1 } -MaxRetries 0 -ErrorVariable failure -ErrorAction SilentlyContinue
        New-HumanloopCompletion -ProjectId pr_other -MaxRetries 0 -ErrorVariable again -ErrorAction SilentlyContinue

        $failure.Count | Should -Be 1
        $again.Count | Should -Be 1
        $failure[0].FullyQualifiedErrorId | Should -BeLike "Humanloop.Http.$Status,*"
        $failure[0].CategoryInfo.Category | Should -Be $Category
        $failure[0].ErrorDetails.Message | Should -BeLike $Detail
    }

    It 'carries the Retry-After hint of a rate limit, and fails at once on an hour-long one' {
        Use-HumanloopRecording -Fixture RateLimited { New-HumanloopCompletion -ProjectId pr_any -MaxRetries 0 -ErrorVariable throttled -ErrorAction SilentlyContinue }
        Start-HumanloopRecording -Fixture QuotaExhausted
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        New-HumanloopCompletion -ProjectId pr_any -MaxRetries 3 -ErrorVariable exhausted -ErrorAction SilentlyContinue

        $throttled[0].Exception.RetryAfter | Should -Be ([timespan]::FromSeconds(1))
        $exhausted[0].Exception.RetryAfter | Should -Be ([timespan]::FromHours(1))
        $exhausted[0].Exception.Attempts | Should -Be 1
        $watch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(5))
    }

    It 're-matches each retry against the fixture, so a 5xx is retried and counted' {
        Start-HumanloopRecording -Fixture ServiceUnavailable

        New-HumanloopCompletion -ProjectId pr_any -MaxRetries 1 -ErrorVariable failure -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $failure[0].Exception.Attempts | Should -Be 2
        (Stop-HumanloopRecording).Replayed | Should -Be 2
    }

    It 'always replays: $env:HUMANLOOP_RECORDING_MODE is ignored with a warning, and -Mode Record is refused' {
        $before = Get-FileHash (Join-Path $shipped 'unauthorized.json')
        $env:HUMANLOOP_RECORDING_MODE = 'Record'
        try {
            Start-HumanloopRecording -Fixture Unauthorized -WarningVariable warnings -WarningAction SilentlyContinue
        }
        finally {
            $env:HUMANLOOP_RECORDING_MODE = $null
        }
        New-HumanloopCompletion -ProjectId pr_any -MaxRetries 0 -ErrorVariable failure -ErrorAction SilentlyContinue
        $summary = Stop-HumanloopRecording

        $warnings[0].Message | Should -Be 'The ready-made fixture Unauthorized always replays; $env:HUMANLOOP_RECORDING_MODE=Record does not apply to it.'
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.401,*'
        ($summary.Mode, $summary.Saved) | Should -Be @('Replay', $false)
        (Get-FileHash (Join-Path $shipped 'unauthorized.json')).Hash | Should -Be $before.Hash
        { Start-HumanloopRecording -Fixture Unauthorized -Mode Record } | Should -Throw -ExpectedMessage '*Unauthorized always replays; it cannot be used in Record mode*'
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

Describe 'Recordings that never lose a fixture' {
    BeforeAll {
        $script:server = Start-HumanloopTestServer
        $script:things = 'a bell', 'a book', 'a candle'

        function New-GoodFixture {
            <# Three good exchanges recorded against the local server; returns the file's hash. #>
            param([Parameter(Mandatory)] [string] $Path)
            Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
            Start-HumanloopRecording -Path $Path -Mode Record
            foreach ($thing in $things) { $null = New-HumanloopCompletion @inline -Inputs @{ thing = $thing } }
            $null = Stop-HumanloopRecording
            (Get-FileHash $Path).Hash
        }
    }

    AfterAll {
        Stop-HumanloopRecording -ErrorAction Ignore | Out-Null
        Disconnect-Humanloop
        $server | Stop-ReadyProcess
    }

    AfterEach {
        Stop-HumanloopRecording -ErrorAction Ignore | Out-Null
        Disconnect-Humanloop
    }

    It 'keeps a good three-exchange fixture when a Record run gets 401s from a wrong key, and says why' {
        $fixture = Join-Path $TestDrive 'wrong-key.json'
        $before = New-GoodFixture -Path $fixture

        Connect-Humanloop -ApiKey 'hl_wrong_key_0000000000000000' -BaseUri $server.Uri -SkipCheck
        Start-HumanloopRecording -Path $fixture -Mode Record
        foreach ($thing in $things) { New-HumanloopCompletion @inline -Inputs @{ thing = $thing } -ErrorAction SilentlyContinue }
        $summary = Stop-HumanloopRecording -WarningVariable warnings -WarningAction SilentlyContinue

        (Get-FileHash $fixture).Hash | Should -Be $before
        $summary.Saved | Should -BeFalse
        ($summary.Recorded, $summary.Exchanges) | Should -Be @(3, 3)
        $summary.NotSavedReason | Should -BeLike '3 of the 3 recorded answer(s) were 401 (the first for POST /v4/completion)*the 3 exchange(s) the fixture holds were kept*'
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -Be "The fixture $fixture was not written: $($summary.NotSavedReason)"
    }

    It 'keeps the fixture when a Record run has no key at all (no exchanges), instead of emptying it' {
        $fixture = Join-Path $TestDrive 'no-key.json'
        $before = New-GoodFixture -Path $fixture
        Use-NoKey

        Start-HumanloopRecording -Path $fixture -Mode Record
        { New-HumanloopCompletion @inline -Inputs @{ thing = 'a bell' } } | Should -Throw -ErrorId 'Humanloop.Connection.NoApiKey,*'
        $summary = Stop-HumanloopRecording -WarningAction SilentlyContinue

        (Get-FileHash $fixture).Hash | Should -Be $before
        ($summary.Saved, $summary.Recorded, $summary.Exchanges) | Should -Be @($false, 0, 3)
        $summary.NotSavedReason | Should -BeLike 'nothing was recorded*'
    }

    It 'refuses to record into the module''s folder, as the documented error-fixture example did with HUMANLOOP_RECORDING_MODE=Record' {
        # The newcomer's run: a key, an endpoint that answers the example's pr_1 with 404, and the variable set.
        # A copy of the built module, so that the code before this fix could only damage the copy.
        $modules = Join-Path $TestDrive 'modules'
        Copy-Item (Join-Path $RepoRoot 'output/Humanloop') -Destination (Join-Path $modules 'Humanloop') -Recurse
        $copy = Get-ChildItem (Join-Path $modules 'Humanloop') -Directory | Select-Object -First 1
        $shippedCopy = Join-Path $copy.FullName 'fixtures/rate-limited.json'
        $before = (Get-FileHash $shippedCopy).Hash
        $script = @'
Import-Module '__MODULE__'
$env:HUMANLOOP_RECORDING_MODE = 'Record'
$env:HUMANLOOP_API_KEY = '__KEY__'
$env:HUMANLOOP_BASE_URL = '__URL__'
try {
    $fixtures = Join-Path (Get-Module Humanloop).ModuleBase 'fixtures'
    Start-HumanloopRecording -Path "$fixtures/rate-limited.json"
    New-HumanloopCompletion -ProjectId pr_1 -MaxRetries 0 -ErrorAction SilentlyContinue
    Stop-HumanloopRecording | Out-Null
    'recorded'
}
catch { "refused: $($_.FullyQualifiedErrorId): $($_.Exception.Message)" }
'@.Replace('__MODULE__', (Join-Path $modules 'Humanloop')).Replace('__KEY__', $TestApiKey).Replace('__URL__', $server.Uri)

        $result = Invoke-FreshPwsh -Script $script

        (Get-FileHash $shippedCopy).Hash | Should -Be $before
        $result.Output.Trim() | Should -BeLike "refused: Humanloop.Recording.InvalidSetting,*: The fixture $shippedCopy is inside the Humanloop module's folder*Start-HumanloopRecording -Fixture RateLimited."
    }

    It 'writes through a temporary file: a process killed mid-recording leaves the previous fixture, and nothing else' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'killed')
        $fixture = Join-Path $folder 'killed.json'
        $before = New-GoodFixture -Path $fixture
        $script = "Import-Module ./output/Humanloop; Connect-Humanloop -ApiKey '$TestApiKey' -BaseUri '$($server.Uri)'
Start-HumanloopRecording -Path '$fixture' -Mode Record
`$null = New-HumanloopCompletion -Project recording -Model mock-1 -Provider mock -PromptTemplate 'x {{thing}}' -Inputs @{ thing = 'fresh' }
'recorded'; Start-Sleep -Seconds 60"
        $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        foreach ($argument in 'pwsh', '-NoProfile', '-NonInteractive', '-Command', $script) { $start.ArgumentList.Add($argument) }
        $start.WorkingDirectory = $RepoRoot
        $start.RedirectStandardOutput = $true
        $process = [System.Diagnostics.Process]::Start($start)
        try {
            $line = $process.StandardOutput.ReadLine()
        }
        finally {
            $process.Kill($true)
            $process.WaitForExit()
        }

        $line | Should -Be 'recorded'
        (Get-FileHash $fixture).Hash | Should -Be $before
        @(Get-ChildItem -Force $folder).Name | Should -Be @('killed.json')
    }

    It 'Once records a missing fixture, then replays it and fails on anything new without a key' {
        $fixture = Join-Path $TestDrive 'once.json'
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
        Start-HumanloopRecording -Path $fixture -Mode Once
        $live = New-HumanloopCompletion @inline -Inputs @{ thing = 'a bell' }
        $first = Stop-HumanloopRecording
        Use-NoKey

        $env:HUMANLOOP_RECORDING_MODE = 'Once'
        try {
            Start-HumanloopRecording -Path $fixture
        }
        finally {
            $env:HUMANLOOP_RECORDING_MODE = $null
        }
        $replayed = New-HumanloopCompletion @inline -Inputs @{ thing = 'a bell' }
        New-HumanloopCompletion @inline -Inputs @{ thing = 'a lamp' } -ErrorVariable failure -ErrorAction SilentlyContinue
        $second = Stop-HumanloopRecording

        ($first.Mode, $first.Recorded, $first.Saved) | Should -Be @('Once', 1, $true)
        $replayed.Output | Should -BeExactly $live.Output
        $failure[0].Exception.Differences | Should -Be @('inputs.thing: recorded "a bell", sent "a lamp"')
        ($second.Mode, $second.Replayed, $second.Saved) | Should -Be @('Once', 1, $false)
        $second.NotSavedReason | Should -Be 'Once mode replays a fixture that exists and writes nothing.'
    }

    It 'fails on a request repeated beyond what was recorded, unless -AllowRepeats' {
        $fixture = Join-Path $TestDrive 'repeats.json'
        $null = New-GoodFixture -Path $fixture
        Use-NoKey

        Start-HumanloopRecording -Path $fixture
        $null = New-HumanloopCompletion @inline -Inputs @{ thing = 'a bell' }
        New-HumanloopCompletion @inline -Inputs @{ thing = 'a bell' } -ErrorVariable failure -ErrorAction SilentlyContinue
        $null = Stop-HumanloopRecording
        Start-HumanloopRecording -Path $fixture -AllowRepeats
        $repeated = 1..3 | ForEach-Object { New-HumanloopCompletion @inline -Inputs @{ thing = 'a bell' } }

        $failure[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Recording.NoMatch,*'
        $failure[0].Exception.Message | Should -BeLike "POST /v4/completion was sent again, but the 1 recording(s) of it in $fixture have all answered already, and repeats are off.*allow repeats*"
        $failure[0].ErrorDetails.RecommendedAction | Should -BeLike '*-AllowRepeats*'
        @($repeated.Output | Select-Object -Unique).Count | Should -Be 1
        (Stop-HumanloopRecording).Replayed | Should -Be 3
    }

    It '-RequireAllUsed makes Stop-HumanloopRecording fail, naming each unused exchange, and still ends the recording' {
        $fixture = Join-Path $TestDrive 'all-used.json'
        $null = New-GoodFixture -Path $fixture
        Use-NoKey
        Start-HumanloopRecording -Path $fixture -RequireAllUsed
        $null = New-HumanloopCompletion @inline -Inputs @{ thing = 'a book' }

        $failure = { Stop-HumanloopRecording } | Should -Throw -ErrorId 'Humanloop.Recording.UnusedExchanges,*' -PassThru

        $failure.Exception.Message | Should -BeLike "2 of 3 recorded exchange(s) in $fixture were never replayed*"
        $failure.Exception.Message | Should -BeLike "*`n  exchange 1: POST /v4/completion {*`"a bell`"*"
        $failure.Exception.Message | Should -BeLike "*`n  exchange 3: POST /v4/completion {*"
        $failure.Exception.Message | Should -Not -BeLike '*exchange 2:*'
        $failure.Exception.Summary.UnusedExchanges.Count | Should -Be 2
        (Get-HumanloopContext).Recording | Should -BeNullOrEmpty
    }
}

Describe 'Use-HumanloopRecording' {
    BeforeAll {
        $script:fixture = Join-Path $TestDrive 'use.json'
        $server = Start-HumanloopTestServer
        try {
            Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
            Use-HumanloopRecording -Path $fixture -Mode Record { $null = New-HumanloopCompletion @inline -Inputs @{ thing = 'a drum' } }
        }
        finally {
            $server | Stop-ReadyProcess
            Disconnect-Humanloop
        }
    }

    BeforeEach {
        Use-NoKey
    }

    AfterEach {
        Stop-HumanloopRecording -ErrorAction Ignore | Out-Null
    }

    It 'runs the block inside the recording: output flows out, variables stay set, and the recording stops' {
        $output = Use-HumanloopRecording -Path $fixture {
            'first'
            $answer = New-HumanloopCompletion @inline -Inputs @{ thing = 'a drum' }
            'last'
        }

        $output | Should -Be @('first', 'last')
        $answer.Output | Should -Not -BeNullOrEmpty
        (Get-HumanloopContext).Recording | Should -BeNullOrEmpty
    }

    It 'stops the recording when the block throws, and passes the error on' {
        { Use-HumanloopRecording -Path $fixture { throw 'the block failed' } } | Should -Throw -ExpectedMessage 'the block failed'

        (Get-HumanloopContext).Recording | Should -BeNullOrEmpty
    }

    It 'sets a running recording aside for the block and resumes it afterwards' {
        Start-HumanloopRecording -Path $fixture

        Use-HumanloopRecording -Fixture RateLimited { New-HumanloopCompletion -ProjectId pr_1 -MaxRetries 0 -ErrorVariable failure -ErrorAction SilentlyContinue }
        $resumed = New-HumanloopCompletion @inline -Inputs @{ thing = 'a drum' }

        $failure[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $resumed.Output | Should -Not -BeNullOrEmpty
        (Get-HumanloopContext).Recording | Should -Be "Replay $fixture"
        (Stop-HumanloopRecording).Replayed | Should -Be 1
    }

    It 'names the fixture after the current Pester test when no path is given: <Case>' -ForEach @(@{ Case = 'a/b: c?' }) {
        $expected = Join-Path $PSScriptRoot 'fixtures/Use-HumanloopRecording/names the fixture after the current Pester test when no path is given_ a_b_ c_.json'

        { Use-HumanloopRecording { 'unreached' } } | Should -Throw -ExpectedMessage "The fixture $expected does not exist*"
        $expected | Should -Not -Exist
    }

    It 'needs -Path or -Fixture outside a Pester test' {
        $result = Invoke-FreshPwsh -Script "Import-Module ./output/Humanloop; try { Use-HumanloopRecording { 1 } } catch { `$_.Exception.Message }"

        $result.Output.Trim() | Should -Be 'Use-HumanloopRecording needs -Path or -Fixture outside a Pester test; inside one, it names the fixture after the test.'
    }
}

Describe 'The recording doc''s example' {
    It 'runs as written under Pester 6, with a fixture beside it' {
        $doc = Get-Content -Raw (Join-Path $RepoRoot 'docs/recording.md')
        $example = [regex]::Match($doc, '```powershell\r?\n(.*?)```', 'Singleline').Groups[1].Value
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'doc/fixtures') -Force
        Set-Content -Path (Join-Path $TestDrive 'doc/support-bot.Tests.ps1') -Value $example
        # Hand-written: a recording without a body answers any body sent to that route.
        @{
            version   = 1
            exchanges = @(@{
                    request  = @{ method = 'POST'; path = '/v4/completion-deployed' }
                    response = @{ status = 200; headers = @{ 'content-type' = 'application/json' }; body = @{
                            project_id = 'pr_support'; provider_responses = @()
                            data       = @(@{ id = 'data_refund'; index = 0; output = 'Refunds are possible within 30 days.'; raw_output = 'Refunds are possible within 30 days.'; inputs = @{}; finish_reason = 'stop'; model_config_id = 'config_1' })
                            usage      = @{ prompt_tokens = 12; generation_tokens = 8; total_tokens = 20 }
                        }
                    }
                })
        } | ConvertTo-Json -Depth 10 | Set-Content -Path (Join-Path $folder 'support-bot.json')
        $pester = Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'
        $script = "`$env:PSModulePath = '$(Join-Path $RepoRoot 'output')' + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module '$pester'
`$result = Invoke-Pester -Path '$(Join-Path $TestDrive 'doc/support-bot.Tests.ps1')' -PassThru -Output None
'{0} passed, {1} failed' -f `$result.PassedCount, (`$result.FailedCount + `$result.FailedBlocksCount + `$result.FailedContainersCount)"

        $result = Invoke-FreshPwsh -Script $script -Environment @{ HUMANLOOP_RECORDING_MODE = ''; HUMANLOOP_API_KEY = '' }

        $example | Should -BeLike "*Describe 'The support bot'*"
        $result.Output.Trim() | Should -Be '2 passed, 0 failed' -Because $result.Errors
    }
}

Describe 'The regression example' {
    It 'passes in Replay mode in a fresh process with no key, no server, and no -PesterPath' {
        $counts = Join-Path $TestDrive 'regression.counts.json'
        $result = Invoke-FreshPwsh -Script "& ./examples/regression/Invoke-Regression.ps1 -CountsPath '$counts'; exit `$LASTEXITCODE"

        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'Regression example: 6 passed, 0 failed'
        (Get-Content -Raw $counts | ConvertFrom-Json).Passed | Should -Be 6
    }
}
