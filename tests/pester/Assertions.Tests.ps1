# The checks of the assertion engine through both faces: the Should-Humanloop… assertions (passing, and
# failing with the promised message) on completions, chats and streams of both from the real local server's
# mock provider; the modes; the metrics against worked examples computed by hand; and Test-HumanloopOutput,
# which returns the same findings as typed results without throwing.

BeforeDiscovery {
    $script:sourceNames = @(
        @{ Source = 'completion' }
        @{ Source = 'completion stream' }
        @{ Source = 'chat' }
        @{ Source = 'chat stream' }
    )
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

    # Every answer echoes its prompt (docs/server.md, "mock"), so each one holds the JSON object the prompt does.
    # Temperature 0 makes a completion's two samples the same text, so "every sample" checks can pass.
    $completion = @{ Project = 'assertions'; Provider = 'mock'; Model = 'mock-1'; PromptTemplate = 'Reply {"answer": 42} about {{topic}}'; Inputs = @{ topic = 'refunds' }; MaxTokens = 12; NumSamples = 2; Temperature = 0 }
    $chat = @{ Project = 'assertions-chat'; Provider = 'mock'; Model = 'mock-1'; Messages = 'Reply {"answer": 42} about refunds'; MaxTokens = 12 }
    $script:sources = @{
        'completion'        = New-HumanloopCompletion @completion
        'completion stream' = @(New-HumanloopCompletion @completion -Stream)
        'chat'              = New-HumanloopChat @chat
        'chat stream'       = @(New-HumanloopChat @chat -Stream)
    }

    # A chat that calls a tool (mock rule b: "call:NAME key=value"), not streamed and streamed.
    $script:lookupOrder = @{ name = 'lookup_order'; description = 'Finds an order.'; parameters = @{ type = 'object'; properties = @{ order = @{ type = 'string' } }; required = @('order') } }
    $toolChat = @{ Project = 'assertions-tools'; Provider = 'mock'; Model = 'mock-1'; Messages = 'call:lookup_order order=A-7'; Tools = $lookupOrder }
    $script:toolSources = @{
        'chat'        = New-HumanloopChat @toolChat
        'chat stream' = @(New-HumanloopChat @toolChat -Stream)
    }

    function script:Get-Sample($Value) { @([Humanloop.PowerShell.Checks.GenerationSamples]::From(@($Value))) }

    function script:Get-Failure {
        <# The message every failing sample of $Value gives: "Expected every Humanloop sample to … (assertion), but N of M did not: …". #>
        param($Value, [string] $Assertion, [string] $Expectation, [scriptblock] $Detail = { $null })
        $samples = Get-Sample $Value
        $lines = @(foreach ($sample in $samples) {
                $why = & $Detail $sample
                $shown = if ($null -eq $sample.Output) { '(no output)' } else { "'$(($sample.Output -replace '\s+', ' ').Trim())'" }
                "sample $($sample.Index) (log $($sample.LogId))$(if ($why) { " $why" }): $shown"
            })
        $count = if ($samples.Count -gt 1) { "$($lines.Count) of $($samples.Count)" } else { "$($lines.Count)" }
        $head = "Expected every Humanloop sample to $Expectation ($Assertion), but $count did not"
        if ($lines.Count -eq 1) { "${head}: $($lines[0])" } else { "${head}:`n  " + ($lines -join "`n  ") }
    }
}

AfterAll {
    Disconnect-Humanloop
    $server | Stop-ReadyProcess
}

Describe 'Should-Humanloop… on a <Source>' -ForEach $sourceNames {
    BeforeAll {
        $value = $sources[$Source]
        $samples = Get-Sample $value
        $text = $samples[0].Output
        $finish = $samples[0].FinishReason
    }

    It 'reads the source as samples of the same text with their own log ids' {
        $samples.Count | Should -Be $(if ($Source -like 'completion*') { 2 } else { 1 })
        $text | Should -BeLike 'Echo: * {"answer": 42} about refunds*'
        @($samples.LogId | Select-Object -Unique).Count | Should -Be $samples.Count
        @($samples.Output | Select-Object -Unique).Count | Should -Be 1
    }

    It 'passes <Source>: <Name>' -ForEach @(
        @{ Name = 'Equal'; Assert = { $value | Should-HumanloopEqual $text } }
        @{ Name = 'Equal, ignoring case'; Assert = { $value | Should-HumanloopEqual $text.ToUpperInvariant() -CaseInsensitive } }
        @{ Name = 'Contain, any of'; Assert = { $value | Should-HumanloopContain 'zebra', 'refunds' } }
        @{ Name = 'Contain, all of, ignoring case'; Assert = { $value | Should-HumanloopContain 'ECHO', 'Refunds' -All -CaseInsensitive } }
        @{ Name = 'StartWith'; Assert = { $value | Should-HumanloopStartWith 'Echo:' } }
        @{ Name = 'Match'; Assert = { $value | Should-HumanloopMatch '^Echo: .*\{"answer": 42\}' } }
        @{ Name = 'WordCount'; Assert = { $value | Should-HumanloopWordCount -Minimum 5 -Maximum 40 } }
        @{ Name = 'Levenshtein'; Assert = { $value | Should-HumanloopLevenshtein ($text + '!!') -MaxDistance 2 } }
        @{ Name = 'Rouge'; Assert = { $value | Should-HumanloopRouge 'answer about refunds' -Threshold 1 } }
        @{ Name = 'Bleu'; Assert = { $value | Should-HumanloopBleu $text, 'something else entirely' -Threshold 0.99 } }
        @{ Name = 'ContainJson with a schema'; Assert = { $value | Should-HumanloopContainJson -Schema @{ type = 'object'; required = @('answer'); properties = @{ answer = @{ type = 'integer' } } } } }
        @{ Name = 'not Json'; Assert = { $value | Should-HumanloopJson -Not } }
        @{ Name = 'not Xml'; Assert = { $value | Should-HumanloopXml -Not } }
        @{ Name = 'FinishReason'; Assert = { $value | Should-HumanloopFinishReason 'content_filter', $finish } }
        @{ Name = 'MaxTokens'; Assert = { $value | Should-HumanloopMaxTokens 1000 } }
        @{ Name = 'Satisfy'; Assert = { $value | Should-HumanloopSatisfy { $_.Output -eq $text -and $_.Id -like 'data_*' } } }
    ) {
        $Assert | Should -Not -Throw
    }

    It 'fails <Source> with the promised message: <Name>' -ForEach @(
        @{ Name = 'Equal'; Assert = { $value | Should-HumanloopEqual 'Echo: nothing' }; Assertion = 'Should-HumanloopEqual'; Expectation = "equal 'Echo: nothing'"; Detail = { 'differs from character 7' } }
        @{ Name = 'Contain'; Assert = { $value | Should-HumanloopContain 'zebra', 'refunds' -All }; Assertion = 'Should-HumanloopContain'; Expectation = "contain 'zebra' and 'refunds'"; Detail = { "lacks 'zebra'" } }
        @{ Name = 'StartWith'; Assert = { $value | Should-HumanloopStartWith 'echo:' }; Assertion = 'Should-HumanloopStartWith'; Expectation = "start with 'echo:'"; Detail = { $null } }
        @{ Name = 'Match'; Assert = { $value | Should-HumanloopMatch '^\d+$' }; Assertion = 'Should-HumanloopMatch'; Expectation = "match '^\d+$'"; Detail = { $null } }
        @{ Name = 'WordCount'; Assert = { $value | Should-HumanloopWordCount -Maximum 2 }; Assertion = 'Should-HumanloopWordCount'; Expectation = 'have at most 2 words'; Detail = { param($s) "has $(($s.Output -split '\s+').Count) words" } }
        @{ Name = 'Levenshtein'; Assert = { $value | Should-HumanloopLevenshtein ($text + 'abc') -MaxDistance 2 }; Assertion = 'Should-HumanloopLevenshtein'; Expectation = "be at most 2 edits from '{text}abc'"; Detail = { 'is 3 edits away' } }
        @{ Name = 'Rouge'; Assert = { $value | Should-HumanloopRouge 'zebra giraffe lion tiger' }; Assertion = 'Should-HumanloopRouge'; Expectation = "have a ROUGE-1 recall of at least 0.75 against 'zebra giraffe lion tiger'"; Detail = { 'scored 0' } }
        @{ Name = 'Bleu'; Assert = { $value | Should-HumanloopBleu 'zebra giraffe lion tiger' }; Assertion = 'Should-HumanloopBleu'; Expectation = "have a BLEU-4 score of at least 0.5 against 'zebra giraffe lion tiger'"; Detail = { 'scored 0' } }
        @{ Name = 'Json'; Assert = { $value | Should-HumanloopJson }; Assertion = 'Should-HumanloopJson'; Expectation = 'be valid JSON'; Detail = { "is not JSON ('E' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0.)" } }
        @{ Name = 'ContainJson'; Assert = { $value | Should-HumanloopContainJson -Schema '{ "required": ["reason"] }' }; Assertion = 'Should-HumanloopContainJson'; Expectation = 'contain JSON valid against the schema'; Detail = { 'contains JSON, but none that fits the schema (Required properties ["reason"] are not present)' } }
        @{ Name = 'Xml'; Assert = { $value | Should-HumanloopXml }; Assertion = 'Should-HumanloopXml'; Expectation = 'be well-formed XML'; Detail = { 'is not XML (Data at the root level is invalid. Line 1, position 1.)' } }
        @{ Name = 'FinishReason'; Assert = { $value | Should-HumanloopFinishReason content_filter }; Assertion = 'Should-HumanloopFinishReason'; Expectation = "finish with 'content_filter'"; Detail = { param($s) "finished with '$($s.FinishReason)'" } }
        @{ Name = 'Satisfy'; Assert = { $value | Should-HumanloopSatisfy { $_.Output -eq 'x' } }; Assertion = 'Should-HumanloopSatisfy'; Expectation = "satisfy { `$_.Output -eq 'x' }"; Detail = { 'returned false' } }
    ) {
        # The expectations are written before the text is known; {text} stands for it.
        $expected = Get-Failure -Value $value -Assertion $Assertion -Expectation $Expectation.Replace('{text}', $text) -Detail $Detail

        ($Assert | Should -Throw -PassThru).Exception.Message | Should -BeExactly $expected
    }

    It 'fails <Source> on the token budget, naming the response, its logs and its counts' {
        $responses = @([Humanloop.PowerShell.Checks.CheckedResponse]::From(@($value)))
        $usage = $responses[0].Usage
        $outputs = if ($samples.Count -eq 1) { "'$text'" } else { ($samples | ForEach-Object { "sample $($_.Index): '$($_.Output)'" }) -join ' | ' }
        $expected = "Expected every Humanloop response to use at most 3 tokens (Should-HumanloopMaxTokens), but 1 did not: " +
            "response (log $($samples.LogId -join ', ')) used $($usage.TotalTokens) ($($usage.PromptTokens) prompt, $($usage.GenerationTokens) generated): $outputs"

        ({ $value | Should-HumanloopMaxTokens 3 } | Should -Throw -PassThru).Exception.Message | Should -BeExactly $expected
    }

    It 'judges latency on <Source> from the response''s Duration, or says the chunks do not carry it' {
        if ($Source -like '*stream') {
            { $value | Should-HumanloopMaxLatency 60 } | Should -Throw -ExpectedMessage "Expected every Humanloop response to take at most 60 s (Should-HumanloopMaxLatency), but 1 did not: response (log *) is a stream's chunks, which do not say how long the call took (check the response from -ResponseVariable): *"
        }
        else {
            $value.Duration | Should -BeGreaterThan ([timespan]::Zero)
            { $value | Should-HumanloopMaxLatency 60 } | Should -Not -Throw
            { $value | Should-HumanloopMaxLatency ([timespan]::FromTicks(1)) } | Should -Throw -ExpectedMessage "Expected every Humanloop response to take at most 0 s (Should-HumanloopMaxLatency), but 1 did not: response (log *) took *s: *"
        }
    }

    It 'refuses tool checks on <Source> unless it is a chat' {
        if ($Source -like 'chat*') {
            { $value | Should-HumanloopToolCall lookup_order } | Should -Throw -ExpectedMessage "*did not: sample 0 (log *) called none: *"
        }
        else {
            { $value | Should-HumanloopValidToolCalls -Tools $lookupOrder } | Should -Throw -ExpectedMessage 'Should-HumanloopValidToolCalls checks tool calls, which only chats make; it was given a completion.'
        }
    }
}

Describe 'Tool checks on a chat that calls a tool, <Source>' -ForEach @(@{ Source = 'chat' }, @{ Source = 'chat stream' }) {
    BeforeAll {
        $value = $toolSources[$Source]
        $sample = (Get-Sample $value)[0]
        $line = "sample 0 (log $($sample.LogId))"
    }

    It 'sees the call the mock made' {
        $sample.ToolCalls.Name | Should -Be 'lookup_order'
        $sample.ToolCalls.Arguments | Should -Be '{"order":"A-7"}'
    }

    It 'passes valid calls to offered tools, and a named call with matching arguments' {
        { $value | Should-HumanloopValidToolCalls -Tools $lookupOrder } | Should -Not -Throw
        { $value | Should-HumanloopToolCall lookup_order } | Should -Not -Throw
        { $value | Should-HumanloopToolCall lookup_order -Arguments @{ ORDER = 'A-7' } } | Should -Not -Throw
        { $value | Should-HumanloopToolCall get_weather -Not } | Should -Not -Throw
    }

    It 'fails a call to a tool that was not offered' {
        $weather = @{ name = 'get_weather'; parameters = @{ type = 'object'; properties = @{ city = @{ type = 'string' } } } }
        $expected = "Expected every Humanloop sample to make only valid calls to the offered tools (get_weather) (Should-HumanloopValidToolCalls), but 1 did not: $line called 'lookup_order', which was not offered: (no output)"

        ({ $value | Should-HumanloopValidToolCalls -Tools $weather } | Should -Throw -PassThru).Exception.Message | Should -BeExactly $expected
    }

    It 'fails arguments that do not fit the tool''s parameter schema' {
        $strict = @{ name = 'lookup_order'; parameters = @{ type = 'object'; properties = @{ order = @{ type = 'integer' } } } }
        $expected = "Expected every Humanloop sample to make only valid calls to the offered tools (lookup_order) (Should-HumanloopValidToolCalls), but 1 did not: " +
            "$line called 'lookup_order' with arguments that do not fit its parameters (/order: Value is `"string`" but should be `"integer`"): {`"order`":`"A-7`"}: (no output)"

        ({ $value | Should-HumanloopValidToolCalls -Tools $strict } | Should -Throw -PassThru).Exception.Message | Should -BeExactly $expected
    }

    It 'fails a named call whose arguments differ' {
        $expected = "Expected every Humanloop sample to call 'lookup_order' with {`"order`":`"B-1`"} (Should-HumanloopToolCall), but 1 did not: $line called 'lookup_order' with {`"order`":`"A-7`"}: (no output)"

        ({ $value | Should-HumanloopToolCall lookup_order @{ order = 'B-1' } } | Should -Throw -PassThru).Exception.Message | Should -BeExactly $expected
    }
}

Describe 'Modes' {
    BeforeAll {
        $texts = 'refunds take 5 days', 'no refunds', 'I am not sure'
    }

    It 'every sample by default, naming each that fails' {
        $expected = "Expected every Humanloop sample to contain 'refunds' (Should-HumanloopContain), but 1 of 3 did not: sample 2 (no log id): 'I am not sure'"

        ({ $texts | Should-HumanloopContain 'refunds' } | Should -Throw -PassThru).Exception.Message | Should -BeExactly $expected
    }

    It 'at least K of N samples' {
        { $texts | Should-HumanloopContain 'refunds' -AtLeast 2 } | Should -Not -Throw
        $expected = "Expected at least 3 of 3 Humanloop samples to contain 'refunds', because all must (Should-HumanloopContain), but 2 did; this did not: sample 2 (no log id): 'I am not sure'"

        ({ $texts | Should-HumanloopContain 'refunds' -AtLeast 3 -Because 'all must' } | Should -Throw -PassThru).Exception.Message | Should -BeExactly $expected
    }

    It '-Not, alone and with at least K' {
        { $texts | Should-HumanloopMatch '^\d' -Not } | Should -Not -Throw
        { $texts | Should-HumanloopContain 'refunds' -Not -AtLeast 1 } | Should -Not -Throw
        $expected = "Expected no Humanloop sample to contain 'refunds' (Should-HumanloopContain), but 2 of 3 did:`n  sample 0 (no log id): 'refunds take 5 days'`n  sample 1 (no log id): 'no refunds'"

        ({ $texts | Should-HumanloopContain 'refunds' -Not } | Should -Throw -PassThru).Exception.Message | Should -BeExactly $expected
        ({ $texts | Should-HumanloopContain 'refunds' -Not -AtLeast 2 } | Should -Throw -PassThru).Exception.Message |
            Should -BeExactly "Expected at least 2 of 3 Humanloop samples not to contain 'refunds' (Should-HumanloopContain), but 1 did not; these did:`n  sample 0 (no log id): 'refunds take 5 days'`n  sample 1 (no log id): 'no refunds'"
    }

    It 'a score threshold, shown with the score when negated' {
        { 'kitten' | Should-HumanloopLevenshtein 'sitting' -MaxDistance 3 } | Should -Not -Throw
        ({ 'kitten' | Should-HumanloopLevenshtein 'sitting' -MaxDistance 3 -Not } | Should -Throw -PassThru).Exception.Message |
            Should -BeExactly "Expected no Humanloop sample to be at most 3 edits from 'sitting' (Should-HumanloopLevenshtein), but 1 did: sample 0 (no log id) is 3 edits away: 'kitten'"
    }

    It 'explains input it cannot read, nothing given, and bad parameters' {
        { 42 | Should-HumanloopContain 'x' } | Should -Throw -ExpectedMessage 'Should-HumanloopContain checks Humanloop completion or chat responses, their Data items or stream chunks, or strings; it was given System.Int32.'
        { $null | Should-HumanloopContain 'x' } | Should -Throw -ExpectedMessage '*it was given $null (did the call fail?).'
        { @() | Should-HumanloopContain 'x' } | Should -Throw -ExpectedMessage 'Expected Humanloop samples to check (Should-HumanloopContain), but got none.'
        { 'text' | Should-HumanloopFinishReason stop } | Should -Throw -ExpectedMessage 'Should-HumanloopFinishReason needs Humanloop results; a string has no finish reason.'
        { 'x' | Should-HumanloopJson -Schema '{ "type": 12 }' } | Should -Throw -ExpectedMessage 'The -Schema given to Should-HumanloopJson is not a usable JSON schema*'
        { 'x' | Should-HumanloopMatch '(' } | Should -Throw -ExpectedMessage "Should-HumanloopMatch: '(' is not a regular expression*"
        { 'x' | Should-HumanloopWordCount } | Should -Throw -ExpectedMessage '*Give -Minimum, -Maximum or both.'
    }

    It 'reads a schema from a file and from a hashtable, and finds JSON inside a code fence' {
        $schemaFile = Join-Path $TestDrive 'answer.schema.json'
        Set-Content -Path $schemaFile -Value '{ "type": "object", "required": ["answer"] }'
        $fenced = "Here you go:`n``````json`n{ `"answer`": [1, 2] }`n```````nAnything else?"

        { '{"answer": 1}' | Should-HumanloopJson -Schema $schemaFile } | Should -Not -Throw
        { $fenced | Should-HumanloopContainJson -Schema $schemaFile } | Should -Not -Throw
        { '[{"answer": 1}]' | Should-HumanloopJson -Schema @{ type = 'array' } } | Should -Not -Throw
        { '<order id="7"><item/></order>' | Should-HumanloopXml } | Should -Not -Throw
    }
}

Describe 'Metrics on worked examples' {
    It 'Levenshtein(kitten, sitting) = 3: k→s, e→i, insert g' {
        [Humanloop.Judging.TextMetrics]::Levenshtein('kitten', 'sitting') | Should -Be 3
        [Humanloop.Judging.TextMetrics]::Levenshtein('', 'abc') | Should -Be 3
        [Humanloop.Judging.TextMetrics]::Levenshtein('flaw', 'lawn') | Should -Be 2
    }

    It 'ROUGE-N recall of "the cat sat on the mat" against "the cat is on the mat"' {
        # Reference words: the ×2, cat, is, on, mat (6). The candidate has the ×2, cat, on, mat: 5 of 6 → 0.8333.
        [Humanloop.Judging.TextMetrics]::RougeN('the cat sat on the mat', 'the cat is on the mat', 1) | Should -Be (5 / 6)
        # Reference pairs: the cat, cat is, is on, on the, the mat (5); the candidate has the cat, on the, the mat: 3 of 5 → 0.6.
        [Humanloop.Judging.TextMetrics]::RougeN('The cat sat on the mat.', 'the cat is on the mat', 2) | Should -Be 0.6
        { 'the cat sat on the mat' | Should-HumanloopRouge 'the cat is on the mat' -N 2 -Threshold 0.6 } | Should -Not -Throw
        { 'the cat sat on the mat' | Should-HumanloopRouge 'the cat is on the mat' -N 2 -Threshold 0.61 } | Should -Throw -ExpectedMessage '*ROUGE-2 recall of at least 0.61*scored 0.6:*'
    }

    It 'BLEU-4 of "the cat sat on the mat" against "the cat is on the mat"' {
        # p1 = 5/6 (clipped unigrams). Smoothed for n ≥ 2 by +1 above and below:
        # p2 = (3 + 1)/(5 + 1) = 2/3 (the cat, on the, the mat of 5 pairs); p3 = (1 + 1)/(4 + 1) = 2/5 (on the mat of 4);
        # p4 = (0 + 1)/(3 + 1) = 1/4. c = r = 6, so BP = 1. BLEU = (5/6 · 2/3 · 2/5 · 1/4)^(1/4) = (1/18)^(1/4) ≈ 0.48549.
        $bleu = [Humanloop.Judging.TextMetrics]::Bleu('the cat sat on the mat', [string[]]@('the cat is on the mat'))
        $bleu | Should -BeGreaterThan 0.48549
        $bleu | Should -BeLessThan 0.48550
        [math]::Abs($bleu - [math]::Pow(1 / 18, 0.25)) | Should -BeLessThan 1e-12
    }

    It 'BLEU-4 brevity penalty: "the cat" against "the cat is on the mat"' {
        # p1 = 2/2; p2 = (1 + 1)/(1 + 1); p3 and p4 have no candidate n-grams: (0 + 1)/(0 + 1). All precisions are 1,
        # c = 2 < r = 6, so BP = exp(1 − 6/2) = e^−2 ≈ 0.13534, and that is the score.
        $bleu = [Humanloop.Judging.TextMetrics]::Bleu('the cat', [string[]]@('the cat is on the mat'))
        [math]::Abs($bleu - [math]::Exp(-2)) | Should -BeLessThan 1e-12
    }

    It 'BLEU-4 with two references clips to the richer one and takes the closest length' {
        # Candidate "the the the" (3 words): p1 clips "the" to 2 (the most any reference has) → 2/3;
        # p2 = (1 + 1)/(2 + 1) = 2/3 ("the the" appears once in the second); p3 = (0 + 1)/(1 + 1) = 1/2; p4 = 1/1.
        # Reference lengths 6 and 3: the closest to 3 is 3, so BP = 1. BLEU = (2/3 · 2/3 · 1/2 · 1)^(1/4) = (2/9)^(1/4) ≈ 0.68659.
        $bleu = [Humanloop.Judging.TextMetrics]::Bleu('the the the', [string[]]@('the cat is on the mat', 'the the cat'))
        [math]::Abs($bleu - [math]::Pow(2 / 9, 0.25)) | Should -BeLessThan 1e-12
        { 'the the the' | Should-HumanloopBleu 'the cat is on the mat', 'the the cat' -Threshold 0.68 } | Should -Not -Throw
        { 'the the the' | Should-HumanloopBleu 'the cat is on the mat', 'the the cat' -Threshold 0.69 } | Should -Throw -ExpectedMessage "*BLEU-4 score of at least 0.69 against 2 references*scored 0.6866:*"
    }

    It 'BLEU-4 is 0 when no word is shared' {
        [Humanloop.Judging.TextMetrics]::Bleu('zebra', [string[]]@('the cat')) | Should -Be 0
    }
}

Describe 'Test-HumanloopOutput' {
    It 'returns a typed report per check, with a result per sample, and never throws for a failed check' {
        $report = $sources['completion'] | Test-HumanloopOutput -Contain 'zebra'
        $samples = Get-Sample $sources['completion']

        $report | Should -BeOfType Humanloop.PowerShell.Checks.CheckReport
        $report.Passed | Should -BeFalse
        $report.Check | Should -Be 'Contain'
        $report.Total, $report.PassedCount | Should -Be 2, 0
        $report.Results.Index | Should -Be 0, 1
        $report.Results.LogId | Should -Be $samples.LogId
        $report.Results.Output | Should -Be $samples.Output
        $report.Results.Passed | Should -Be $false, $false
        $report.FailureMessage('Should-HumanloopContain', $null) | Should -BeLike "Expected every Humanloop sample to contain 'zebra' (Should-HumanloopContain), but 2 of 2 did not:*"
    }

    It 'gives scores, reasons and modes: <Name>' -ForEach @(
        @{ Name = 'ROUGE score'; Run = { 'the cat sat on the mat' | Test-HumanloopOutput -Rouge 'the cat is on the mat' -N 2 -Threshold 0.5 }; Passed = $true; Score = 0.6; Reason = 'scored 0.6' }
        @{ Name = 'Levenshtein distance'; Run = { 'kitten' | Test-HumanloopOutput -Levenshtein 'sitting' -MaxDistance 2 }; Passed = $false; Score = 3; Reason = 'is 3 edits away' }
        @{ Name = 'word count'; Run = { 'one two three' | Test-HumanloopOutput -WordCount 1, 2 }; Passed = $false; Score = $null; Reason = 'has 3 words' }
        @{ Name = 'negated'; Run = { 'abc' | Test-HumanloopOutput -StartWith 'x' -Not }; Passed = $true; Score = $null; Reason = $null }
        @{ Name = 'at least one'; Run = { 'a', 'b' | Test-HumanloopOutput -Equal 'a' -AtLeast 1 }; Passed = $true; Score = $null; Reason = $null }
        @{ Name = 'every, case-insensitive'; Run = { 'A', 'a' | Test-HumanloopOutput -Equal 'a' -CaseInsensitive }; Passed = $true; Score = $null; Reason = $null }
        @{ Name = 'exact word count'; Run = { 'one two' | Test-HumanloopOutput -WordCount 2 }; Passed = $true; Score = $null; Reason = 'has 2 words' }
    ) {
        $report = & $Run

        $report.Passed | Should -Be $Passed
        $report.Results[0].Score | Should -Be $Score
        $report.Results[0].Reason | Should -Be $Reason
    }

    It 'takes check objects, and reports input it cannot read as a Problem instead of throwing' {
        $checks = [Humanloop.PowerShell.Checks.XmlCheck]::new(), [Humanloop.PowerShell.Checks.MaxTokensCheck]::new(5)

        $reports = @(42 | Test-HumanloopOutput -Check $checks)

        $reports.Count | Should -Be 2
        $reports.Passed | Should -Be $false, $false
        $reports[0].Problem | Should -BeLike '*it was given System.Int32.'
        $reports[1].Problem | Should -BeLike 'needs Humanloop.CompletionResponse objects*System.Int32.'
    }

    It 'judges run facts of responses: tokens and latency, with the score being the count and the seconds' {
        $response = $sources['chat']
        $reports = @($response | Test-HumanloopOutput -MaxTokens 1000), @($response | Test-HumanloopOutput -MaxLatency '00:01:00')

        $reports.Passed | Should -Be $true, $true
        $reports[0].Results[0].Score | Should -Be $response.Usage.TotalTokens
        $reports[1].Results[0].Score | Should -Be $response.Duration.TotalSeconds
        $reports[1].Subject | Should -Be 'Response'
    }

    It 'runs a -Satisfy block on the pipeline thread for each sample' {
        $report = $sources['chat stream'] | Test-HumanloopOutput -Satisfy { $_ -is [Humanloop.ChatData] -and $_.Message.Role -eq 'assistant' }

        $report.Passed | Should -BeTrue
    }
}

Describe 'The assertion commands' {
    It 'are found as Should-Humanloop… aliases of Assert-Humanloop… cmdlets, one per check and one for evaluations, imported without a warning' {
        $aliases = @(Get-Command Should-Humanloop* -Module Humanloop)
        $checks = 'Equal', 'Contain', 'StartWith', 'Match', 'WordCount', 'Levenshtein', 'Rouge', 'Bleu', 'Json', 'ContainJson', 'Xml', 'ValidToolCalls', 'ToolCall', 'FinishReason', 'MaxTokens', 'MaxLatency', 'Satisfy', 'Rubric', 'Factuality', 'ClosedQa', 'MeetExpectation'

        @($aliases.Name | Sort-Object) | Should -Be @(@($checks) + 'PassEvaluation' | ForEach-Object { "Should-Humanloop$_" } | Sort-Object)
        $aliases | ForEach-Object { $_.ResolvedCommand.Name | Should -Be ($_.Name -replace '^Should-', 'Assert-') }
        $manifest = Import-PowerShellDataFile (Join-Path $RepoRoot 'Humanloop.psd1')
        @($manifest.AliasesToExport | Sort-Object) | Should -Be @($aliases.Name | Sort-Object)

        $result = Invoke-FreshPwsh -Script "Import-Module ./output/Humanloop -WarningVariable warned; `$warned.Count; 'abc' | Should-HumanloopContain 'b'; 'passed'"
        $result.Errors | Should -BeNullOrEmpty
        ($result.Output -split "`r?`n" | Where-Object { $_ }) | Should -Be '0', 'passed'
    }

    It 'fail through Pester''s failure path, so -ErrorAction Continue inside a test is a soft assertion' {
        $container = New-PesterContainer -ScriptBlock {
            Describe 'soft' {
                It 'goes on after a failed assertion' {
                    'abc' | Should-HumanloopContain 'zebra' -ErrorAction Continue
                    $global:HumanloopSoftAssertionWentOn = $true
                }
            }
        }
        $global:HumanloopSoftAssertionWentOn = $false
        $run = Invoke-Pester -Container $container -PassThru -Output None

        $run.FailedCount | Should -Be 1
        $run.Tests[0].ErrorRecord[0].Exception.Message | Should -BeLike "Expected every Humanloop sample to contain 'zebra'*"
        $global:HumanloopSoftAssertionWentOn | Should -BeTrue
        Remove-Variable -Name HumanloopSoftAssertionWentOn -Scope Global
    }

    It 'fail with a terminating error outside Pester' {
        $result = Invoke-FreshPwsh -Script "Import-Module ./output/Humanloop; try { 'abc' | Should-HumanloopContain 'zebra' } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }"

        ($result.Output -split "`r?`n" | Where-Object { $_ }) | Should -Be @(
            'Humanloop.Check.Failed,Humanloop.PowerShell.Commands.AssertHumanloopContainCommand'
            "Expected every Humanloop sample to contain 'zebra' (Should-HumanloopContain), but 1 did not: sample 0 (no log id): 'abc'"
        )
    }
}
