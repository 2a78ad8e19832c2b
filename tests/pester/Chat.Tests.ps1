# New-HumanloopChat and New-HumanloopExperiment -Messages against the real local server (mock provider):
# every operation with and without -Stream, conversations, tools from commands, and -InvokeTools.

BeforeDiscovery {
    $operations = @(
        @{ Operation = 'Chat'; Invoke = { param($extra) New-HumanloopChat -Project chat-ops -Provider mock -Model mock-1 -ChatTemplate @{ role = 'system'; content = 'Talk about {{topic}}.' } -Inputs @{ topic = 'tides' } -Messages 'Hello' @extra } }
        @{ Operation = 'Chat Deployed'; Invoke = { param($extra) New-HumanloopChat -ProjectId $chatProject.Id -Environment production -Inputs @{ topic = 'tides' } -Messages 'Hello' @extra } }
        @{ Operation = 'Chat Model Config'; Invoke = { param($extra) New-HumanloopChat -ModelConfigId $chatConfig.ModelConfigId -ProjectId $chatProject.Id -Inputs @{ topic = 'tides' } -Messages 'Hello' @extra } }
        @{ Operation = 'Chat Experiment'; Invoke = { param($extra) New-HumanloopExperiment -ExperimentId $chatExperiment.Id -ProjectId $chatProject.Id -Inputs @{ topic = 'tides' } -Messages 'Hello' @extra } }
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
    $script:server = Start-HumanloopTestServer
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

    $script:chatProject = New-HumanloopProject -Name 'chat-deployed'
    $chatConfigFields = @{ provider = 'mock'; model = 'mock-1'; chat_template = @(@{ role = 'system'; content = 'Talk about {{topic}}.' }) }
    $script:chatConfig = Register-HumanloopModelConfig -ProjectId $chatProject.Id -Name 'chatty' -ModelConfig $chatConfigFields
    $null = $chatConfig | Publish-HumanloopModelConfig -Environment production
    $other = Register-HumanloopModelConfig -ProjectId $chatProject.Id -Name 'other' -ModelConfig ($chatConfigFields + @{ temperature = 0.2 })
    $script:chatExperiment = Add-HumanloopExperiment -ProjectId $chatProject.Id -Name 'chat-tone' -ModelConfigId $chatConfig.ModelConfigId, $other.ModelConfigId

    function script:Get-Weather {
        <#
        .SYNOPSIS
            Tells the weather in a city.
        .PARAMETER City
            The city to look up.
        .PARAMETER Unit
            Celsius or Fahrenheit.
        #>
        param(
            [Parameter(Mandatory)] [string] $City,
            [ValidateSet('C', 'F')] [string] $Unit = 'C',
            [int] $Days
        )
        $script:weatherCalls.Add("$City/$Unit")
        "Sunny in $City"
    }

    function script:Get-RequestBody {
        # The request bodies a command sent, from the client's own debug record of them.
        param([scriptblock] $Command)
        $DebugPreference = 'Continue'
        & $Command 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -like 'Request body: *' } |
            ForEach-Object { $_.Message.Substring('Request body: '.Length) | ConvertFrom-Json -AsHashtable }
    }
}

AfterAll {
    Disconnect-Humanloop
    $server | Stop-ReadyProcess
}

Describe 'Each chat operation' {
    It '<Operation>, <Mode>: writes typed chat objects with the assistant message' -ForEach $cases {
        if ($Stream) {
            # Dot-sourced, so that -ResponseVariable sets the variable in this scope.
            $output = @(. $Invoke @{ Stream = $true; ResponseVariable = 'assembled' })

            $output.Count | Should -BeGreaterThan 1
            $output | ForEach-Object { $_ | Should -BeOfType Humanloop.ChatChunk }
            $output[-1].FinishReason | Should -Be 'stop'
            $assembled | Should -BeOfType Humanloop.ChatResponse
            $assembled.Output | Should -Be (-join ($output | ForEach-Object ToString)).Trim()
            $response = $assembled
        }
        else {
            $output = @(& $Invoke @{})
            $output.Count | Should -Be 1
            $response = $output[0]
            $response | Should -BeOfType Humanloop.ChatResponse
        }

        $response.Data[0] | Should -BeOfType Humanloop.ChatData
        $response.Data[0].Id | Should -BeLike 'data_*'
        $response.LogId | Should -Be $response.Data[0].Id
        $response.Message.Role | Should -Be 'assistant'
        $response.Message.Text.Trim() | Should -Be $response.Output
        $response.Output | Should -Match 'Talk about tides'
        $response.Conversation.Role | Should -Be 'user', 'assistant'
        $response.Usage.TotalTokens | Should -BeGreaterThan 0
    }
}

Describe 'New-HumanloopChat messages' {
    It 'takes strings, hashtables and message objects, in order' {
        $bodies = @(Get-RequestBody { New-HumanloopChat -Project chat-ops -Provider mock -Model mock-1 -Messages @{ role = 'system'; content = 'Be terse.' }, 'Hi', ([Humanloop.ChatMessage]::User('Bye')) })

        $bodies[0].messages.role | Should -Be 'system', 'user', 'user'
        $bodies[0].messages.content | Should -Be 'Be terse.', 'Hi', 'Bye'
    }

    It 'continues a conversation when the previous reply is piped back in' {
        $first = New-HumanloopChat -Project chat-ops -Provider mock -Model mock-1 -Messages 'Summarise the tides.'

        $bodies = @(Get-RequestBody { $first | New-HumanloopChat -Project chat-ops -Provider mock -Model mock-1 -Messages 'And in French?' })

        $bodies[0].messages.role | Should -Be 'user', 'assistant', 'user'
        $bodies[0].messages[1].content | Should -Be $first.Message.Content
        $bodies[0].messages[2].content | Should -Be 'And in French?'
    }

    It 'keeps the template inputs of a continued conversation' {
        $first = New-HumanloopChat -ProjectId $chatProject.Id -Inputs @{ topic = 'tides' } -Messages 'Hello'

        $next = $first | New-HumanloopChat -ProjectId $chatProject.Id -Messages 'More, please.'

        $next.Data[0].Inputs.topic | Should -Be 'tides'
        $next.Data[0].Messages[0].Content | Should -Be 'Talk about tides.'
    }

    It 'rejects a message without a role, naming it, and sends nothing' {
        $DebugPreference = 'Continue'
        $records = @(New-HumanloopChat -Project chat-ops -Provider mock -Model mock-1 -Messages 'ok', @{ content = 'no role' } 2>&1 5>&1)

        @($records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -like 'Request body*' }) | Should -BeNullOrEmpty
        $problem = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })[0]
        $problem.Exception.Message | Should -BeLike '*-Messages`[1`] has no role*'
    }

    It 'needs messages' {
        New-HumanloopChat -Project chat-ops -Provider mock -Model mock-1 -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].Exception.Message | Should -BeLike '*needs messages*'
    }
}

Describe 'New-HumanloopChat -Tools' {
    BeforeEach {
        $script:weatherCalls = [System.Collections.Generic.List[string]]::new()
    }

    It 'describes a command as a tool: types, mandatory, ValidateSet and help' {
        $bodies = @(Get-RequestBody { New-HumanloopChat -Project chat-ops -Provider mock -Model mock-1 -Messages 'hi' -Tools (Get-Command Get-Weather) -ToolChoice none })

        $tool = $bodies[0].model_config.tools[0]
        $tool.name | Should -Be 'Get-Weather'
        $tool.description | Should -Be 'Tells the weather in a city.'
        $tool.parameters.type | Should -Be 'object'
        $tool.parameters.required | Should -Be @('City')
        $tool.parameters.properties.City.type | Should -Be 'string'
        $tool.parameters.properties.City.description | Should -Be 'The city to look up.'
        $tool.parameters.properties.Unit.enum | Should -Be 'C', 'F'
        $tool.parameters.properties.Days.type | Should -Be 'integer'
        $tool.parameters.properties.Keys | Should -Not -Contain 'Verbose'
        $bodies[0].tool_choice | Should -Be 'none'
    }

    It 'takes a hashtable tool and a tool name as -ToolChoice' {
        $bodies = @(Get-RequestBody { New-HumanloopChat -Project chat-ops -Provider mock -Model mock-1 -Messages 'hi' -Tools @{ name = 'lookup'; description = 'Looks up'; parameters = @{ type = 'object'; properties = @{ q = @{ type = 'string' } } } } -ToolChoice lookup })

        $bodies[0].model_config.tools[0].name | Should -Be 'lookup'
        $bodies[0].tool_choice.function.name | Should -Be 'lookup'
    }

    It 'writes the model''s tool call without running it when -InvokeTools is not given' {
        $response = New-HumanloopChat -Project chat-ops -Provider mock -Model mock-1 -Messages 'Use Get-Weather City=Paris' -Tools (Get-Command Get-Weather)

        $response.Data[0].FinishReason | Should -Be 'tool_call'
        $response.Message.ToolCalls[0].Name | Should -Be 'Get-Weather'
        $response.Message.ToolCalls[0].Arguments | Should -Be '{"City":"Paris"}'
        $weatherCalls | Should -BeNullOrEmpty
    }
}

Describe 'New-HumanloopChat -InvokeTools' {
    BeforeEach {
        $script:weatherCalls = [System.Collections.Generic.List[string]]::new()
    }

    It 'runs the tool the model asks for and sends the result back, <Mode>' -ForEach @(@{ Mode = 'not streamed'; Stream = $false }, @{ Mode = 'streamed'; Stream = $true }) {
        $output = @(New-HumanloopChat -Project chat-ops -Provider mock -Model mock-1 -Messages 'Use Get-Weather City=Paris Unit=F' -Tools (Get-Command Get-Weather) -InvokeTools -Stream:$Stream -ResponseVariable answer)

        $weatherCalls | Should -Be 'Paris/F'
        $answer.Output | Should -Be 'The tool Get-Weather returned: Sunny in Paris'
        $answer.Data[0].FinishReason | Should -Be 'stop'
        $answer.Conversation.Role | Should -Be 'user', 'assistant', 'tool', 'assistant'
        $answer.Conversation[2].Content | Should -Be 'Sunny in Paris'
        $answer.Conversation[2].ToolCallId | Should -Be $answer.Conversation[1].ToolCalls[0].Id
        if ($Stream) {
            $output | ForEach-Object { $_ | Should -BeOfType Humanloop.ChatChunk }
        }
        else {
            $output.Count | Should -Be 1
            $output[0].Output | Should -Be $answer.Output
        }
    }

    It 'refuses a tool that was not given, telling the model, and runs nothing' {
        $target = Join-Path $TestDrive 'keep.txt'
        Set-Content -Path $target -Value 'keep'

        $answer = New-HumanloopChat -Project chat-ops -Provider mock -Model mock-1 -Messages "call:Remove-Item Path=$target" -Tools (Get-Command Get-Weather) -InvokeTools -WarningVariable warnings -WarningAction SilentlyContinue

        $target | Should -Exist
        $warnings[0] | Should -BeLike "*'Remove-Item'*not given in -Tools*"
        $answer.Conversation[2].Role | Should -Be 'tool'
        $answer.Conversation[2].Content | Should -BeLike "Error: there is no tool named 'Remove-Item'*Get-Weather*"
        $answer.Output | Should -BeLike 'The tool Remove-Item returned: Error*'
    }

    It 'does not run a call whose arguments do not bind: <Case>' -ForEach @(
        @{ Case = 'an unknown parameter'; Message = 'call:Get-Weather Town=Paris'; Reason = "*has no parameter 'Town'*" }
        @{ Case = 'a missing mandatory parameter'; Message = 'call:Get-Weather Unit=C'; Reason = '*needs City*' }
        @{ Case = 'a prefix of a parameter'; Message = 'call:Get-Weather Ci=Paris'; Reason = "*has no parameter 'Ci'*" }
    ) {
        $answer = New-HumanloopChat -Project chat-ops -Provider mock -Model mock-1 -Messages $Message -Tools (Get-Command Get-Weather) -InvokeTools -WarningAction SilentlyContinue

        $weatherCalls | Should -BeNullOrEmpty
        $answer.Conversation[2].Content | Should -BeLike $Reason
    }

    It 'stops after -MaxToolRounds when the model keeps asking, with a warning' {
        $answer = New-HumanloopChat -Project chat-ops -Provider mock -Model mock-1 -Messages 'Get-Weather City=Oslo' -Tools (Get-Command Get-Weather) -InvokeTools -ToolChoice required -MaxToolRounds 2 -WarningVariable warnings -WarningAction SilentlyContinue

        $weatherCalls.Count | Should -Be 2
        $answer.Data[0].FinishReason | Should -Be 'tool_call'
        $warnings[-1] | Should -BeLike '*after 2 round(s)*'
        $answer.Conversation.Role | Should -Be 'user', 'assistant', 'tool', 'assistant', 'tool', 'assistant'
    }

    It 'needs the commands in -Tools' {
        { New-HumanloopChat -Project chat-ops -Provider mock -Model mock-1 -Messages 'hi' -InvokeTools } | Should -Throw '*-InvokeTools runs commands given in -Tools*'
    }
}

Describe 'Chats recorded against the local server, replayed offline' {
    BeforeAll {
        $script:fixture = Join-Path $TestDrive 'chat-round-trip.json'
        $script:weatherCalls = [System.Collections.Generic.List[string]]::new()
        $chat = @{ Project = 'chat-replay'; Provider = 'mock'; Model = 'mock-1'; Tools = (Get-Command Get-Weather) }
        $recordingServer = Start-HumanloopTestServer
        try {
            Connect-Humanloop -ApiKey $TestApiKey -BaseUri $recordingServer.Uri
            Start-HumanloopRecording -Path $fixture -Mode Record
            $script:liveChunks = @(New-HumanloopChat @chat -Messages 'Use Get-Weather City=Rome' -Stream -ResponseVariable liveAnswer)
            $script:liveAnswer = $liveAnswer
            $script:liveTooled = New-HumanloopChat @chat -Messages 'Use Get-Weather City=Lima' -InvokeTools
            $null = Stop-HumanloopRecording
        }
        finally {
            $recordingServer | Stop-ReadyProcess
            Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
        }
    }

    AfterEach {
        Stop-HumanloopRecording -ErrorAction Ignore | Out-Null
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
    }

    It 'replays a streamed tool call chunk by chunk, without a key or a server' {
        Disconnect-Humanloop
        Start-HumanloopRecording -Path $fixture -Mode Replay

        $chunks = @(New-HumanloopChat -Project chat-replay -Provider mock -Model mock-1 -Tools (Get-Command Get-Weather) -Messages 'Use Get-Weather City=Rome' -Stream -ResponseVariable replayed)

        $chunks.Count | Should -Be $liveChunks.Count
        ($chunks | ForEach-Object { $_.ToolCalls.Arguments }) -join '' | Should -Be '{"City":"Rome"}'
        $replayed.Message.ToolCalls[0].Arguments | Should -Be $liveAnswer.Message.ToolCalls[0].Arguments
        $replayed.Data[0].Id | Should -Be $liveAnswer.Data[0].Id
    }

    It 'replays a tool loop: the tool runs again here, the model''s turns come from the fixture' {
        Disconnect-Humanloop
        Start-HumanloopRecording -Path $fixture -Mode Replay

        $answer = New-HumanloopChat -Project chat-replay -Provider mock -Model mock-1 -Tools (Get-Command Get-Weather) -Messages 'Use Get-Weather City=Lima' -InvokeTools

        $answer.Output | Should -Be $liveTooled.Output
        $answer.Output | Should -Be 'The tool Get-Weather returned: Sunny in Lima'
        $weatherCalls | Should -Be 'Lima/C', 'Lima/C'
    }
}

Describe 'Chats under failure' {
    BeforeAll {
        $script:faultServer = Start-HumanloopTestServer -Arguments '--enable-faults', '--in-memory'
        $script:modulePath = (Get-Module Humanloop).Path
    }

    AfterAll {
        $faultServer | Stop-ReadyProcess
    }

    BeforeEach {
        Clear-ServerFault $faultServer
    }

    It 'retries a throttled chat and answers' {
        Add-ServerFault $faultServer @{ path = '/v4/chat'; fault = 'status'; status = 429; retry_after_ms = 100; count = 1 }

        $answer = New-HumanloopChat -Project chat-faults -Provider mock -Model mock-1 -Messages 'Hello' -ApiKey $TestApiKey -BaseUri $faultServer.Uri

        $answer.Attempts | Should -Be 2
        Get-ServerRequestCount $faultServer -Path '/v4/chat' | Should -Be 2
    }

    It 'reports a chat stream cut before it finished as an error about the input, keeping the chunks written' {
        Add-ServerFault $faultServer @{ path = '/v4/chat'; fault = 'cut_mid_stream'; after_events = 2 }

        $chunks = @(New-HumanloopChat -Project chat-faults -Provider mock -Model mock-1 -Messages 'Hello' -Stream -ApiKey $TestApiKey -BaseUri $faultServer.Uri -ErrorVariable failures -ErrorAction SilentlyContinue)

        $chunks.Count | Should -Be 2
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Stream.Incomplete,*'
    }

    It 'stops a stalled chat stream at Ctrl+C, keeping the chunks already written' {
        Add-ServerFault $faultServer @{ path = '/v4/chat'; fault = 'stall_mid_stream'; after_events = 1 }
        $shell = [powershell]::Create()
        try {
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $null = $shell.AddScript("Import-Module '$modulePath'; New-HumanloopChat -Project chat-faults -Provider mock -Model mock-1 -Messages 'Hello' -Stream -ApiKey '$TestApiKey' -BaseUri '$($faultServer.Uri)'")
            $async = $shell.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while ($output.Count -lt 1 -and [datetime]::UtcNow -lt $deadline -and -not $async.IsCompleted) {
                Start-Sleep -Milliseconds 20
            }
            $output.Count | Should -Be 1 -Because 'the stream should be stalled after its first chunk'
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $watch.Stop()

            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            $output[0] | Should -BeOfType Humanloop.ChatChunk
            $watch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(2))
        }
        finally {
            $shell.Dispose()
        }
    }
}
