# Tab completion of ids, names, environments and models from the connected server (TabExpansion2), and a
# server that never answers completing nothing, silently.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri 6>$null

    $script:project = New-HumanloopProject -Name 'tabbing-otters'
    $script:otherProject = New-HumanloopProject -Name 'tabbing-badgers'
    $script:config = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'terse' -Provider mock -Model mock-tab-1 -PromptTemplate 'Briefly: {{q}}'
    $script:second = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'wordy' -Provider openai -Model gpt-tab-4 -PromptTemplate 'At length: {{q}}'
    $null = $config | Publish-HumanloopModelConfig -Environment production -Confirm:$false
    $script:experiment = Add-HumanloopExperiment -ProjectId $project.Id -Name 'tab-tone' -ModelConfigId $config.ModelConfigId, $second.ModelConfigId
    $script:otherExperiment = Add-HumanloopExperiment -ProjectId $otherProject.Id -Name 'tab-other' -ModelConfigId (
        Register-HumanloopModelConfig -ProjectId $otherProject.Id -Name 'plain' -Provider mock -Model mock-tab-1 -PromptTemplate '{{q}}').ModelConfigId
    $script:dataset = New-HumanloopDataset -ProjectId $project.Id -Name 'tab-cases'
    $script:evaluator = New-HumanloopEvaluator -Name 'tab latency' -Type external -ReturnType number
    $null = New-HumanloopCompletion -ProjectId $project.Id -SessionReferenceId 'tab-session' -Inputs @{ q = 'otters' }
    $script:session = Get-HumanloopSession -ProjectId $project.Id | Where-Object ReferenceId -eq 'tab-session'

    function script:Complete([string] $line) {
        # A Tab waits only briefly for the server, and a fetch it starts serves a later Tab: on a busy machine
        # a list may take a few Tabs to arrive, so this presses Tab until something completes (or gives up).
        for ($attempt = 0; $attempt -lt 20; $attempt++) {
            $found = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches)
            if ($found.Count -gt 0) { return $found }
            Start-Sleep -Milliseconds 100
        }
        @()
    }
}

AfterAll {
    Disconnect-Humanloop
    $server | Stop-ReadyProcess
}

Describe 'Completion from the connected server' {
    It '-ProjectId completes ids from a name prefix, with name and id in the tooltip' {
        $found = Complete 'Get-HumanloopProject -Id tabbing-ot'

        $found.CompletionText | Should -Be $project.Id
        $found.ToolTip | Should -BeLike "tabbing-otters*$($project.Id)*"
        $found.ListItemText | Should -Be "tabbing-otters ($($project.Id))"
    }

    It '-ProjectId completes from an id prefix' {
        $found = Complete "New-HumanloopCompletion -ProjectId $($project.Id.Substring(0, $project.Id.Length - 2))"

        $found.CompletionText | Should -Contain $project.Id
    }

    It '-Project completes names' {
        (Complete 'New-HumanloopCompletion -Project tabbing-b').CompletionText | Should -Be 'tabbing-badgers'
    }

    It '-ExperimentId uses the bound -ProjectId' {
        $found = Complete "Publish-HumanloopModelConfig -ProjectId $($project.Id) -ExperimentId tab"

        $found.CompletionText | Should -Be $experiment.Id
    }

    It '-ExperimentId without a project looks into the newest projects' {
        (Complete 'Set-HumanloopExperiment -ExperimentId tab-').CompletionText | Should -Contain $otherExperiment.Id
    }

    It '-ModelConfigId completes the configs of the bound project by name' {
        $found = Complete "New-HumanloopCompletion -ProjectId $($project.Id) -ModelConfigId wor"

        $found.CompletionText | Should -Be $second.ModelConfigId
        $found.ToolTip | Should -BeLike '*wordy*openai gpt-tab-4*'
    }

    It '-Environment completes the environments deployed to' {
        (Complete "Get-HumanloopDeployment -ProjectId $($project.Id) -Environment prod").CompletionText | Should -Contain 'production'
    }

    It '-Model completes the models the configs use, for the bound provider' {
        (Complete 'New-HumanloopCompletion -Provider openai -Model gpt-tab').CompletionText | Should -Be 'gpt-tab-4'
        (Complete 'New-HumanloopCompletion -Provider mock -Model gpt-tab').CompletionText | Should -BeNullOrEmpty
        (Complete 'New-HumanloopCompletion -Provider mock -Model mock-tab').CompletionText | Should -Be 'mock-tab-1'
    }

    It '-DatasetId completes datasets' {
        (Complete 'Get-HumanloopDataset -DatasetId tab-ca').CompletionText | Should -Be $dataset.Id
    }

    It '-EvaluatorId completes evaluators by name' {
        (Complete 'Get-HumanloopEvaluator -EvaluatorId tab').CompletionText | Should -Be $evaluator.EvaluatorId
    }

    It '-SessionId completes the sessions of the bound project by reference id' {
        $session.Id | Should -Not -BeNullOrEmpty
        (Complete "New-HumanloopCompletion -ProjectId $($project.Id) -SessionId tab-se").CompletionText | Should -Be $session.Id
    }

    It '-Provider lists the specification''s providers' {
        (Complete 'New-HumanloopCompletion -Provider ').CompletionText |
            Should -Be 'mock', 'openai', 'openai_azure', 'anthropic', 'cohere', 'replicate', 'google', 'groq', 'bedrock'
    }
}

Describe 'A server that never answers' {
    BeforeAll {
        # Accepts connections and never replies.
        $script:listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $script:silentUri = "http://127.0.0.1:$($listener.LocalEndpoint.Port)/v4"
        $script:accepted = [System.Collections.Generic.List[object]]::new()
        $script:acceptLoop = $listener.AcceptTcpClientAsync()
    }

    AfterAll {
        $listener.Stop()
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri 6>$null
    }

    It 'completes nothing, and writes no error' {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $silentUri -SkipCheck 6>$null
        $Error.Clear()

        $line = 'Get-HumanloopProject -Id tab'
        $first = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches)
        $line = 'New-HumanloopCompletion -ProjectId pr_1 -ModelConfigId '
        $second = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches)

        $first | Should -BeNullOrEmpty
        $second | Should -BeNullOrEmpty
        $Error.Count | Should -Be 0
    }
}
