# The Should operators on what the earlier operators got wrong or did not take: streams of several
# samples (against the real local server, whose mock provider interleaves the samples' chunks) and chat
# results of both kinds (replayed from the hand-written tests/pester/fixtures/chat.json through the core
# client, as the local server does not serve chat yet). Then Humanloop.PowerShell.Checks and the core's
# StreamedSample called directly, as the operators call them.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule

    function Invoke-ReplayedChat {
        <# The replayed answer of tests/pester/fixtures/chat.json: a ChatResponse, or with -Stream the ChatChunks and the stream's own assembly. #>
        param([switch] $Stream)
        $transport = [Humanloop.RecordingTransport]::Open((Join-Path $PSScriptRoot 'fixtures/chat.json'), [Humanloop.RecordingOptions]::new())
        $client = [Humanloop.HumanloopClient]::new([Humanloop.HumanloopClientOptions]@{
                BaseUri = 'https://replay.invalid/v4'; ApiKey = [Humanloop.HumanloopApiKey]::new($TestApiKey); Transport = $transport; MaxRetries = 0 })
        $request = [Humanloop.ChatRequest]@{ ProjectId = 'pr_chat'; Messages = [Humanloop.ChatMessage[]]@([Humanloop.ChatMessage]::User('Where is my refund?')) }
        if (-not $Stream) {
            return $client.ChatAsync($request).GetAwaiter().GetResult()
        }
        $reading = $client.ChatStreamingAsync($request).GetAwaiter().GetResult()
        try {
            $chunks = [System.Collections.Generic.List[Humanloop.ChatChunk]]::new()
            while ($null -ne ($chunk = $reading.ReadNextAsync().GetAwaiter().GetResult())) { $chunks.Add($chunk) }
            [pscustomobject]@{ Chunks = $chunks.ToArray(); Result = $reading.Result }
        }
        finally {
            $reading.Dispose()
        }
    }

    function New-Chunk {
        <# A hand-made CompletionChunk; Total gives it usage, as a sample's last chunk has. #>
        param([int] $Index, [string] $Id, [string] $Output, [string] $FinishReason, [int] $Total)
        $chunk = @{ Index = $Index; Id = $Id; Output = $Output }
        if ($FinishReason) { $chunk.FinishReason = $FinishReason }
        if ($Total) { $chunk.Usage = [Humanloop.Usage]@{ PromptTokens = 2; GenerationTokens = $Total - 2; TotalTokens = $Total } }
        [Humanloop.CompletionChunk]$chunk
    }
}

Describe 'Should operators on a streamed completion of three samples' {
    BeforeAll {
        $script:server = Start-HumanloopTestServer
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
        # Eight tokens keep each text short enough to be shown whole in a failure message.
        $script:chunks = @(New-HumanloopCompletion -Project checks -Model mock-1 -Provider mock -PromptTemplate 'Summarise {{topic}}' -Temperature 0.9 `
                -MaxTokens 8 -Inputs @{ topic = 'refunds' } -NumSamples 3 -Stream)
        # What each sample said, joined here from its own chunks: what the failure messages must show.
        $script:texts = @($chunks | Group-Object Index | Sort-Object { [int]$_.Name } | ForEach-Object { (-join $_.Group.Output).Trim() })
        $script:logIds = @($chunks | Group-Object Index | Sort-Object { [int]$_.Name } | ForEach-Object { $_.Group[0].Id })
        $script:finals = @($chunks | Where-Object FinishReason)
        $script:total = ($finals.Usage.TotalTokens | Measure-Object -Sum).Sum
    }

    AfterAll {
        Disconnect-Humanloop
        $server | Stop-ReadyProcess
    }

    It 'gets three different samples whose chunks interleave, which is what makes the checks below worth having' {
        $texts.Count | Should -Be 3
        @($texts | Select-Object -Unique).Count | Should -Be 3
        $chunks[0..2].Index | Should -Be 0, 1, 2
        $finals.Count | Should -Be 3
        $finals.Usage | Should -Not -BeNullOrEmpty
    }

    It 'checks each sample''s own text' {
        { $chunks | Should -MatchHumanloopOutput '^Echo: Summarise refunds \w' } | Should -Not -Throw
        { $chunks | Should -ContainHumanloopOutput 'REFUNDS' } | Should -Not -Throw
        { $chunks | Should -Not -BeHumanloopJson } | Should -Not -Throw
        { $chunks | Should -HaveHumanloopFinishReason length } | Should -Not -Throw
        { $chunks | Should -HaveEveryHumanloopSample { $_ -is [Humanloop.CompletionData] -and $_.Id -like 'data_*' -and $_.Output -like 'Echo: Summarise refunds *' } } | Should -Not -Throw
    }

    It 'names every sample apart when every sample fails' {
        $expected = "Expected every Humanloop sample to match 'zebra' (Should -MatchHumanloopOutput), but 3 of 3 did not:" +
            (@(0..2 | ForEach-Object { "`n  sample $_ (log $($logIds[$_])): '$($texts[$_])'" }) -join '')

        { $chunks | Should -MatchHumanloopOutput 'zebra' } | Should -Throw -ExpectedMessage $expected
    }

    It 'judges the token budget on the sum of the samples'' final chunks' {
        { $chunks | Should -HaveHumanloopTokensAtMost $total } | Should -Not -Throw
        { $chunks | Should -Not -HaveHumanloopTokensAtMost ($total - 1) } | Should -Not -Throw
    }

    It 'names each sample''s text separately when the token budget fails, not the chunks interleaved' {
        $prompt = ($finals.Usage.PromptTokens | Measure-Object -Sum).Sum
        $generated = ($finals.Usage.GenerationTokens | Measure-Object -Sum).Sum
        $expected = "Expected every Humanloop response to use at most 10 tokens (Should -HaveHumanloopTokensAtMost), but 1 did not: " +
            "response (log $($logIds -join ', ')) used $total ($prompt prompt, $generated generated): " +
            "sample 0: '$($texts[0])' | sample 1: '$($texts[1])' | sample 2: '$($texts[2])'"

        $failure = { $chunks | Should -HaveHumanloopTokensAtMost 10 } | Should -Throw -PassThru

        $failure.Exception.Message | Should -BeExactly $expected
        $failure.Exception.Message | Should -Not -BeLike "*$((-join $chunks[0..5].Output).Trim())*"
    }
}

Describe 'Should operators on chat results' {
    BeforeAll {
        $script:chat = Invoke-ReplayedChat
        $script:streamed = Invoke-ReplayedChat -Stream
        $script:chatChunks = $streamed.Chunks
    }

    It 'replays the hand-written fixture: a two-sample response, and a stream of four interleaved chunks' {
        $chat | Should -BeOfType Humanloop.ChatResponse
        $chat.Data.Id | Should -Be 'data_chat_a', 'data_chat_b'
        $chatChunks.Index | Should -Be 0, 1, 0, 1
    }

    It 'checks the assistant''s text, the finish reasons and the tool calls of a response: <Check>' -ForEach @(
        @{ Check = { $chat.Data[0] | Should -MatchHumanloopOutput '^Refunds take 5 days\.$' } }
        @{ Check = { $chat | Should -HaveHumanloopFinishReason stop, tool_call } }
        @{ Check = { $chat | Should -HaveHumanloopTokensAtMost 50 } }
        @{ Check = { $chat | Should -HaveEveryHumanloopSample { $_ -is [Humanloop.ChatData] -and $_.Message.Role -eq 'assistant' } } }
        @{ Check = { $chat | Should -HaveEveryHumanloopSample { $_.FinishReason -ne 'tool_call' -or $_.Message.ToolCalls[0].Name -eq 'lookup_order' } } }
    ) {
        $Check | Should -Not -Throw
    }

    It 'checks a chat stream assembled per sample, tool-call fragments joined: <Check>' -ForEach @(
        @{ Check = { $chatChunks | Should -HaveHumanloopFinishReason stop, tool_call } }
        @{ Check = { $chatChunks | Should -HaveHumanloopTokensAtMost 32 } }
        @{ Check = { $chatChunks | Should -Not -HaveHumanloopTokensAtMost 31 } }
        @{ Check = { $chatChunks | Should -HaveEveryHumanloopSample { $_.Index -ne 0 -or $_.Message.Text -eq 'Your refund is on its way.' } } }
        @{ Check = { $chatChunks | Should -HaveEveryHumanloopSample { $_.Index -ne 1 -or $_.ToolCalls[0].Arguments -eq '{"order": "A-7"}' } } }
    ) {
        $Check | Should -Not -Throw
    }

    It 'fails naming the sample, its log and its text (none, for a tool call): <Expected>' -ForEach @(
        @{ Failing = { $chat | Should -HaveHumanloopFinishReason stop }
            Expected = "Expected every Humanloop sample to finish with 'stop' (Should -HaveHumanloopFinishReason), but 1 of 2 did not: sample 1 (log data_chat_b) finished with 'tool_call': (no output)" }
        @{ Failing = { $chatChunks | Should -MatchHumanloopOutput 'refund' }
            Expected = "Expected every Humanloop sample to match 'refund' (Should -MatchHumanloopOutput), but 1 of 2 did not: sample 1 (log data_chat_s1): (no output)" }
        @{ Failing = { $chat | Should -HaveHumanloopTokensAtMost 49 }
            Expected = "Expected every Humanloop response to use at most 49 tokens (Should -HaveHumanloopTokensAtMost), but 1 did not: response (log data_chat_a, data_chat_b) used 50 (20 prompt, 30 generated): sample 0: 'Refunds take 5 days.' | sample 1: (no output)" }
        @{ Failing = { $chatChunks | Should -HaveHumanloopTokensAtMost 20 }
            Expected = "Expected every Humanloop response to use at most 20 tokens (Should -HaveHumanloopTokensAtMost), but 1 did not: response (log data_chat_s0, data_chat_s1) used 32 (18 prompt, 14 generated): sample 0: 'Your refund is on its way.' | sample 1: (no output)" }
    ) {
        ($Failing | Should -Throw -PassThru).Exception.Message | Should -BeExactly $Expected
    }

    It 'gives chat results the LogId members of completions, a chunk naming its log only when it finishes the sample' {
        $chat.LogId | Should -Be 'data_chat_a', 'data_chat_b'
        $chat.Data[1].LogId | Should -Be 'data_chat_b'
        @($chatChunks | ForEach-Object LogId) | Should -Be 'data_chat_s0', 'data_chat_s1'
        , $chatChunks[0].LogId | Should -BeOfType [string[]]
        $chatChunks[0].LogId.Count | Should -Be 0
        $chatChunks[2].FinishedLogId | Should -Be 'data_chat_s0'
        $chatChunks[0].FinishedLogId | Should -BeNullOrEmpty
    }
}

Describe 'Humanloop.PowerShell.Checks, called as the operators call it' {
    BeforeAll {
        $script:data = [Humanloop.CompletionData]@{ Id = 'data_d'; Index = 4; Output = 'As an item.'; FinishReason = 'length' }
        # Two samples of one stream, interleaved, and a sample of another stream that has the same index.
        $script:mixed = @(
            New-Chunk -Index 0 -Id data_s0 -Output ' Refunds '
            New-Chunk -Index 1 -Id data_s1 -Output ' I am'
            New-Chunk -Index 0 -Id data_other -Output 'Other stream.' -FinishReason stop -Total 3
            New-Chunk -Index 1 -Id data_s1 -Output ' not sure. ' -FinishReason length -Total 7
            New-Chunk -Index 0 -Id data_s0 -Output 'take 5 days. ' -FinishReason stop -Total 5
        )
    }

    It 'flattens responses, items, chunks and text into samples, chunks assembled per index and id after the rest' {
        $samples = [Humanloop.PowerShell.Checks.GenerationSamples]::From(@('first text', [psobject]$data, 'second text') + $mixed)

        $samples | ForEach-Object { "$($_.Index)|$($_.LogId)|$($_.Output)|$($_.FinishReason)|$($_.Usage.TotalTokens)|$($_.IsText)" } | Should -Be @(
            '0||first text|||True'
            '4|data_d|As an item.|length||False'
            '1||second text|||True'
            '0|data_s0|Refunds take 5 days.|stop|5|False'
            '1|data_s1|I am not sure.|length|7|False'
            '0|data_other|Other stream.|stop|3|False'
        )
        $samples[1].Value | Should -Be $data
        $samples[3].Value | Should -BeOfType Humanloop.CompletionData
        $samples[3].Value.RawOutput | Should -Be ' Refunds take 5 days. '
    }

    It 'lends a one-sample response its usage, but not each sample of a many-sample one' {
        $one = Invoke-ReplayedChat -Stream
        $samples = [Humanloop.PowerShell.Checks.GenerationSamples]::From(@($one.Result, (Invoke-ReplayedChat)))

        $samples.Count | Should -Be 4
        $samples | Where-Object Usage | Should -BeNullOrEmpty -Because 'both responses hold two samples'
        $samples[0].Output | Should -Be 'Your refund is on its way.'
        $samples[1].ToolCalls.Name | Should -Be 'lookup_order'
    }

    It 'takes a response''s usage whole and a stream''s as the sum of its samples'' final chunks' {
        $responses = [Humanloop.PowerShell.Checks.CheckedResponse]::From(@((Invoke-ReplayedChat)) + $mixed)

        $responses.Count | Should -Be 2
        $responses[0].Usage.TotalTokens | Should -Be 50
        $responses[0].LogIds | Should -Be 'data_chat_a', 'data_chat_b'
        $responses[1].Usage.TotalTokens | Should -Be 15
        $responses[1].Usage.PromptTokens | Should -Be 6
        $responses[1].LogIds | Should -Be 'data_s0', 'data_s1', 'data_other'
        $responses[1].Samples.Output | Should -Be 'Refunds take 5 days.', 'I am not sure.', 'Other stream.'
    }

    It 'reports a stream with no usage on its final chunks as having none' {
        $responses = [Humanloop.PowerShell.Checks.CheckedResponse]::From(@((New-Chunk -Index 0 -Id data_n -Output 'x' -FinishReason stop)))

        $responses[0].Usage | Should -BeNullOrEmpty
    }

    It 'rejects what it cannot read with the value attached (its type, or none): <Name>' -ForEach @(
        @{ Name = 'a number, as a sample'; Read = { [Humanloop.PowerShell.Checks.GenerationSamples]::From(@(42)) }; Given = 'System.Int32' }
        @{ Name = 'null, as a sample'; Read = { [Humanloop.PowerShell.Checks.GenerationSamples]::From(@($null)) }; Given = '' }
        @{ Name = 'text, for tokens'; Read = { [Humanloop.PowerShell.Checks.CheckedResponse]::From(@('text')) }; Given = 'System.String' }
        @{ Name = 'an item, for tokens'; Read = { [Humanloop.PowerShell.Checks.CheckedResponse]::From(@([Humanloop.CompletionData]::new())) }; Given = 'Humanloop.CompletionData' }
    ) {
        # PowerShell wraps what a .NET method throws; the operators catch the inner type by name.
        $thrown = ($Read | Should -Throw -PassThru).Exception.InnerException
        $thrown | Should -BeOfType Humanloop.PowerShell.Checks.UncheckableValueException
        "$(if ($null -ne $thrown.Value) { $thrown.Value.GetType().FullName })" | Should -Be $Given
    }

    It 'assembles chat chunks in core exactly as the chat stream assembled itself' {
        $assembled = [Humanloop.StreamedSample]::Assemble([Humanloop.GenerationChunk[]]$streamed.Chunks)

        $assembled.Count | Should -Be 2
        foreach ($index in 0, 1) {
            $mine, $streams = $assembled[$index].Data, $streamed.Result.Data[$index]
            $mine | Should -BeOfType Humanloop.ChatData
            $mine.Id, $mine.Output, $mine.FinishReason, $mine.Message.Text | Should -Be $streams.Id, $streams.Output, $streams.FinishReason, $streams.Message.Text
            "$($mine.ToolCalls | ForEach-Object { $_.Id, $_.Name, $_.Arguments })" | Should -Be "$($streams.ToolCalls | ForEach-Object { $_.Id, $_.Name, $_.Arguments })"
        }
        $assembled[1].Data.ToolCalls[0].Arguments | Should -Be '{"order": "A-7"}'
        $assembled.Usage.TotalTokens | Should -Be 15, 17
    }

    It 'names a log on a chunk only when the chunk finishes its sample' {
        (New-Chunk -Index 0 -Id data_f -Output 'x' -FinishReason stop).FinishedLogId | Should -Be 'data_f'
        (New-Chunk -Index 0 -Id data_f -Output 'x').FinishedLogId | Should -BeNullOrEmpty
        ([Humanloop.CompletionChunk]@{ Id = 'data_f'; FinishReason = '' }).FinishedLogId | Should -BeNullOrEmpty
        ([Humanloop.CompletionChunk]@{ FinishReason = 'stop' }).LogId.Count | Should -Be 0
    }
}
