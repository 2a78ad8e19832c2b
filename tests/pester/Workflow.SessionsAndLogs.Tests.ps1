# Sessions (New-, Get-HumanloopSession, sessions piped into the generation cmdlets) and the logs a user writes
# (Add-, Set-, Remove-HumanloopLog, Add-HumanloopFeedback -Unset) against the real local server; the exact
# requests, and that -WhatIf sends none, against the recording stub.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    $script:stub = Start-StubServer
    $script:stubRoot = "$($stub.Uri)/v4"
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

    $script:project = New-HumanloopProject -Name 'sessions'
    $script:config = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'steps' -Provider mock -Model mock-1 -PromptTemplate 'Step: {{step}}'
    $script:chatConfig = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'chat' -ModelConfig @{ provider = 'mock'; model = 'mock-1'; chat_template = @(@{ role = 'system'; content = 'Be brief.' }) }

    function script:Get-StubRequestCount {
        @(Get-StubRequest $stub | Where-Object { $_.path -notlike '/_stub*' }).Count
    }
}

AfterAll {
    Disconnect-Humanloop
    $server, $stub | Stop-ReadyProcess
}

Describe 'New-HumanloopSession' {
    It 'creates a session and writes its id, which binds -SessionId by property name' {
        $session = New-HumanloopSession

        $session | Should -BeOfType Humanloop.CreatedSession
        $session.Id | Should -BeLike 'sesh_*'
        $session.SessionId | Should -Be $session.Id
    }

    It 'sends nothing under -WhatIf' {
        Reset-Stub $stub

        New-HumanloopSession -WhatIf -BaseUri $stubRoot | Should -BeNullOrEmpty

        Get-StubRequestCount | Should -Be 0
    }
}

Describe 'A session piped into the generation cmdlets' {
    It 'puts each completion into the session, as a child when -ParentId names another' {
        $session = New-HumanloopSession

        $first = $session | New-HumanloopCompletion -ModelConfigId $config.ModelConfigId -Inputs @{ step = 'plan' }
        $second = $session | New-HumanloopCompletion -ModelConfigId $config.ModelConfigId -Inputs @{ step = 'search' } -ParentId $first.LogId

        $first.SessionId | Should -Be $session.Id
        $second.SessionId | Should -Be $session.Id
        (Get-HumanloopLog -Id $second.LogId).Inputs.step | Should -Be 'search'
        (Get-HumanloopLog -Id $second.LogId).ParentId | Should -Be $first.LogId
    }

    It 'binds the SessionId of any piped object, keeping a plain object''s properties as the inputs, and an empty one as none' {
        Reset-Stub $stub
        Add-StubResponse $stub @(@{ body = (New-CompletionBody) }, @{ body = (New-CompletionBody) }, @{ body = (New-CompletionBody) })

        $null = [pscustomobject]@{ Id = 'sesh_piped'; SessionId = 'sesh_piped' } | New-HumanloopCompletion -ModelConfigId config_1 -BaseUri $stubRoot
        $null = [pscustomobject]@{ step = 'row'; SessionId = 'sesh_row' }, [pscustomobject]@{ step = 'no session'; SessionId = '' } |
            New-HumanloopCompletion -ModelConfigId config_1 -BaseUri $stubRoot

        $bodies = @(Get-StubRequest $stub).BodyJson
        $bodies[0].session_id | Should -Be 'sesh_piped'
        $bodies[0].Contains('inputs') | Should -BeTrue
        $bodies[0].inputs.Keys | Should -Be @('Id', 'SessionId') -Because 'a plain object is inputs; only Humanloop sessions are not'
        $bodies[1].session_id | Should -Be 'sesh_row'
        $bodies[1].inputs.step | Should -Be 'row'
        $bodies[2].Contains('session_id') | Should -BeFalse -Because 'an empty SessionId means none'
    }

    It 'sends no inputs for a piped Humanloop session' {
        Reset-Stub $stub
        Add-StubResponse $stub @(@{ body = (New-CompletionBody) })
        $session = New-HumanloopSession

        $null = $session | New-HumanloopCompletion -ModelConfigId config_1 -BaseUri $stubRoot

        $body = @(Get-StubRequest $stub)[0].BodyJson
        $body.session_id | Should -Be $session.Id
        $body.Contains('inputs') | Should -BeFalse
    }

    It 'keeps a continued chat in the session of the chat it continues, unless -SessionReferenceId is typed' {
        $first = New-HumanloopChat -ModelConfigId $chatConfig.ModelConfigId -ProjectId $project.Id -Messages 'Hello' -SessionReferenceId 'chat-1'
        $first.SessionId | Should -BeLike 'sesh_*'

        $second = $first | New-HumanloopChat -ModelConfigId $chatConfig.ModelConfigId -ProjectId $project.Id -Messages 'And then?'
        $third = $second | New-HumanloopChat -ModelConfigId $chatConfig.ModelConfigId -ProjectId $project.Id -Messages 'Bye' -SessionReferenceId 'chat-2'

        $second.SessionId | Should -Be $first.SessionId
        $third.SessionId | Should -Not -Be $first.SessionId -Because 'a typed -SessionReferenceId wins over the piped SessionId'
    }
}

Describe 'Add-HumanloopLog' {
    It 'records a call with an inline config, inputs, output, timing, tokens and metadata' {
        $created = Add-HumanloopLog -Project 'sessions' -ModelConfig @{ provider = 'openai'; model = 'gpt-4o'; prompt_template = 'Summarise {{text}}'; temperature = 0.3 } `
            -Inputs @{ text = 'a long story' } -Output 'A story.' -Duration ([timespan]::FromMilliseconds(1250)) -PromptTokens 12 -OutputTokens 3 `
            -PromptCost 0.001 -OutputCost 0.002 -Metadata @{ run = 7 } -Source 'pester' -CreatedAt ([datetime]::new(2026, 11, 1, 9, 30, 0, [DateTimeKind]::Utc))

        $created | Should -BeOfType Humanloop.CreatedLog
        $created.LogId | Should -BeLike 'data_*'
        $created.ProjectId | Should -Be $project.Id
        $log = Get-HumanloopLog -Id $created.LogId
        $log.Output | Should -Be 'A story.'
        $log.Inputs.text | Should -Be 'a long story'
        $log.Duration | Should -Be 1.25
        $log.PromptTokens | Should -Be 12
        $log.OutputTokens | Should -Be 3
        $log.Metadata.run | Should -Be 7
        $log.Source | Should -Be 'pester'
        $log.Config.Model | Should -Be 'gpt-4o'
        $log.Config.PromptTemplate | Should -Be 'Summarise {{text}}'
        $log.CreatedAt.UtcDateTime | Should -Be ([datetime]::new(2026, 11, 1, 9, 30, 0, [DateTimeKind]::Utc))
    }

    It 'records a call of a stored config, and a failed one, in a session as parent and children, which -Tree shows' {
        $session = New-HumanloopSession
        $root = $session | Add-HumanloopLog -ProjectId $project.Id -ModelConfigId $config.ModelConfigId -Output 'plan' -ReferenceId 'root-1'
        $child = $root | Add-HumanloopLog -ModelConfigId $config.ModelConfigId -ParentId $root.Id -Output 'search'
        $failed = Add-HumanloopLog -ProjectId $project.Id -ModelConfigId $config.ModelConfigId -SessionId $session.Id -ParentReferenceId 'root-1' -ErrorMessage 'timed out'
        $grandchild = $child | Add-HumanloopLog -ModelConfigId $config.ModelConfigId -ParentId $child.Id -Output 'book'

        $root.SessionId, $child.SessionId, $grandchild.SessionId | Should -Be $session.Id, $session.Id, $session.Id
        $tree = @(Get-HumanloopSession -Id $session.Id -Tree)

        $tree[0] | Should -BeOfType Humanloop.SessionLogNode
        $tree.Id | Should -Be $root.Id, $child.Id, $grandchild.Id, $failed.Id
        $tree.Depth | Should -Be 0, 1, 2, 1
        $tree.Prefix | Should -Be '', '├─ ', '│  └─ ', '└─ '
        $tree[3].Log.Error | Should -Be 'timed out'
        $tree[1].LogId | Should -Be $child.Id
    }

    It 'binds the trial of a config sampled from an experiment, so feedback counts for that config' {
        $experiment = Add-HumanloopExperiment -ProjectId $project.Id -Name 'logged' -ModelConfigId $config.ModelConfigId -PositiveLabel @{ rating = 'good' }

        $created = Get-HumanloopModelConfig -ExperimentId $experiment.Id | Add-HumanloopLog -Inputs @{ step = 'x' } -Output 'done'
        $null = $created | Add-HumanloopFeedback -Type rating -Value good

        (Get-HumanloopLog -Id $created.LogId).ExperimentId | Should -Be $experiment.Id
        (Get-HumanloopExperiment -Id $experiment.Id).Configs[0].TrialsCount | Should -Be 1
    }

    It 'sends the spec''s fields: config with its type, duration in seconds, -Save, and piped Import-Csv rows' {
        Reset-Stub $stub
        Add-StubResponse $stub @(@{ body = @{ id = 'data_1'; project_id = 'pr_1' } }, @{ body = @{ id = 'data_2'; project_id = 'pr_1' } })

        $null = Add-HumanloopLog -ProjectId pr_1 -ModelConfig @{ model = 'm'; chat_template = @(@{ role = 'system'; content = 'Hi' }) } -Messages 'Hello' -OutputMessage 'Hi there' `
            -Duration 2.5 -Save:$false -SessionReferenceId 's1' -ParentReferenceId 'p1' -Environment production -BaseUri $stubRoot
        $null = [pscustomobject]@{ ProjectId = 'pr_1'; Output = 'from a row'; Inputs = [pscustomobject]@{ q = 'why' } } | Add-HumanloopLog -ModelConfigId config_1 -TrialId trial_1 -BaseUri $stubRoot

        $requests = @(Get-StubRequest $stub)
        $requests.path | Should -Be '/v4/logs', '/v4/logs'
        $requests[0].BodyJson | ConvertTo-CanonicalJson | Should -Be (@{
                project_id = 'pr_1'; session_reference_id = 's1'; parent_reference_id = 'p1'; save = $false; environment = 'production'; duration = 2.5
                messages = @(@{ role = 'user'; content = 'Hello' }); output_message = @{ role = 'assistant'; content = 'Hi there' }
                config = @{ model = 'm'; chat_template = @(@{ role = 'system'; content = 'Hi' }); type = 'model' }
            } | ConvertTo-CanonicalJson)
        $requests[1].BodyJson | ConvertTo-CanonicalJson | Should -Be (@{ project_id = 'pr_1'; config_id = 'config_1'; trial_id = 'trial_1'; output = 'from a row'; inputs = @{ q = 'why' } } | ConvertTo-CanonicalJson)
    }

    It 'sends nothing under -WhatIf' {
        Reset-Stub $stub

        Add-HumanloopLog -ProjectId pr_1 -ModelConfigId config_1 -Output 'never' -WhatIf -BaseUri $stubRoot | Should -BeNullOrEmpty

        Get-StubRequestCount | Should -Be 0
    }

    It 'reports an unknown config as a non-terminating error about the project, and goes on' {
        $rows = [pscustomobject]@{ Output = 'a'; ModelConfigId = 'config_missing' }, [pscustomobject]@{ Output = 'b'; ModelConfigId = $config.ModelConfigId }

        $created = $rows | Add-HumanloopLog -ProjectId $project.Id -ErrorAction SilentlyContinue -ErrorVariable failures

        @($created).Count | Should -Be 1
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.*'
        $failures[0].TargetObject | Should -Be $project.Id
    }

    It 'stops with an error naming the parameters when the project is missing or given twice' {
        { Add-HumanloopLog -ModelConfigId config_1 -Output x } | Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*' -ExpectedMessage '*-Project (a name) or -ProjectId*'
        { Add-HumanloopLog -Project p -ProjectId pr_1 -ModelConfigId config_1 } | Should -Throw -ExpectedMessage '*-Project or -ProjectId, not both*'
        { Add-HumanloopLog -ProjectId pr_1 -ModelConfigId config_1 -ParentId data_1 -ParentReferenceId r } | Should -Throw -ErrorId 'Humanloop.Input.ConflictingParameters,*'
        { Add-HumanloopLog -ProjectId pr_1 -ModelConfig @{ model = 'm'; colour = 'red' } } | Should -Throw -ExpectedMessage '*colour*'
    }
}

Describe 'Set-HumanloopLog' {
    BeforeAll {
        $script:parent = Add-HumanloopLog -ProjectId $project.Id -ModelConfigId $config.ModelConfigId -ReferenceId 'set-ref-1'
    }

    It 'changes a piped log''s output and duration, and writes the log as it now is' {
        $log = $parent | Set-HumanloopLog -Output 'finished' -Duration ([timespan]::FromSeconds(3))

        $log | Should -BeOfType Humanloop.Log
        $log.Id | Should -Be $parent.Id
        $log.Output | Should -Be 'finished'
        $log.Duration | Should -Be 3
    }

    It 'finds a log by the reference it was created with' {
        $log = Set-HumanloopLog -ReferenceId 'set-ref-1' -ErrorMessage 'gave up'

        $log.Id | Should -Be $parent.Id
        $log.Error | Should -Be 'gave up'
        $log.Output | Should -Be 'finished' -Because 'unset fields stay as they are'
    }

    It 'sends only the fields given, by id or by escaped reference, and nothing under -WhatIf' {
        Reset-Stub $stub
        $body = @{ id = 'data_1'; config = @{ id = 'config_1'; type = 'model'; model = 'm' } }
        Add-StubResponse $stub @(@{ body = $body }, @{ body = $body })

        $null = Set-HumanloopLog -Id data_1 -Duration 1.5 -BaseUri $stubRoot
        $null = Set-HumanloopLog -ReferenceId 'a b/c' -Output 'x' -BaseUri $stubRoot
        Set-HumanloopLog -Id data_1 -Output 'never' -WhatIf -BaseUri $stubRoot | Should -BeNullOrEmpty

        $requests = @(Get-StubRequest $stub)
        $requests.Count | Should -Be 2
        $requests.method | Should -Be 'PATCH', 'PATCH'
        $requests[0].path | Should -Be '/v4/logs/data_1'
        $requests[0].body | Should -Be '{"duration":1.5}'
        $requests[1].path | Should -Be '/v4/logs'
        $requests[1].query | Should -Be '?reference_id=a%20b%2Fc'
        $requests[1].body | Should -Be '{"output":"x"}'
    }

    It 'warns and sends nothing when given nothing to change' {
        Reset-Stub $stub

        Set-HumanloopLog -Id data_1 -BaseUri $stubRoot -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty

        $warnings | Should -BeLike '*Nothing to change*-Output, -ErrorMessage or -Duration*'
        Get-StubRequestCount | Should -Be 0
    }

    It 'reports an unknown log as a non-terminating ObjectNotFound error' {
        Set-HumanloopLog -Id data_missing -Output x -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty

        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'data_missing'
    }
}

Describe 'Remove-HumanloopLog' {
    It 'deletes piped logs with -Force, and nothing under -WhatIf' {
        $responses = @{ step = 'a' }, @{ step = 'b' } | New-HumanloopCompletion -ModelConfigId $config.ModelConfigId

        $responses | Remove-HumanloopLog -WhatIf
        @(Get-HumanloopLog -Id $responses.LogId).Count | Should -Be 2

        $responses | Remove-HumanloopLog -Force

        Get-HumanloopLog -Id $responses[0].LogId -ErrorAction SilentlyContinue -ErrorVariable gone | Should -BeNullOrEmpty
        $gone[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'deletes 100 ids to a request, repeating id in the query, and sends nothing under -WhatIf' {
        Reset-Stub $stub
        Add-StubResponse $stub @(@{ status = 204 }, @{ status = 204 })
        $ids = 1..150 | ForEach-Object { "data_$_" }

        Remove-HumanloopLog -LogId $ids -WhatIf -BaseUri $stubRoot
        Get-StubRequestCount | Should -Be 0
        $ids | ForEach-Object { [pscustomobject]@{ LogId = $_ } } | Remove-HumanloopLog -Force -BaseUri $stubRoot

        $requests = @(Get-StubRequest $stub)
        $requests.method | Should -Be 'DELETE', 'DELETE'
        $requests.path | Should -Be '/v4/logs', '/v4/logs'
        ($requests[0].query -split '&').Count | Should -Be 100
        $requests[0].query | Should -BeLike '?id=data_1&id=data_2&*'
        $requests[1].query | Should -BeLike '?id=data_101&*&id=data_150'
    }

    It 'asks before deleting (ConfirmImpact High)' {
        (Get-Command Remove-HumanloopLog).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }
}

Describe 'Add-HumanloopFeedback -Unset' {
    It 'takes back feedback of a type, sending unset without a value' {
        $response = New-HumanloopCompletion -ModelConfigId $config.ModelConfigId -Inputs @{ step = 'rated' }
        $null = $response | Add-HumanloopFeedback -Type rating -Value good

        $null = $response | Add-HumanloopFeedback -Type rating -Unset

        @((Get-HumanloopLog -Id $response.LogId).Feedback | Where-Object { $_.Type -eq 'rating' -and $null -ne $_.Value }) | Should -BeNullOrEmpty
    }

    It 'sends type, data_id and unset, and nothing under -WhatIf' {
        Reset-Stub $stub
        Add-StubResponse $stub @(@{ body = @{ id = 'ann_1'; data_id = 'data_1'; type = 'rating'; value = $null } })

        $null = Add-HumanloopFeedback -LogId data_1 -Type rating -Unset -BaseUri $stubRoot
        Add-HumanloopFeedback -LogId data_1 -Type rating -Unset -WhatIf -BaseUri $stubRoot | Should -BeNullOrEmpty

        $requests = @(Get-StubRequest $stub)
        $requests.Count | Should -Be 1
        $requests[0].BodyJson | ConvertTo-CanonicalJson | Should -Be (@{ type = 'rating'; data_id = 'data_1'; unset = $true } | ConvertTo-CanonicalJson)
    }

    It 'does not take -Value with -Unset' {
        { Add-HumanloopFeedback -LogId data_1 -Type rating -Value good -Unset } | Should -Throw -ErrorId 'AmbiguousParameterSet,*'
    }
}

Describe 'Get-HumanloopSession' {
    BeforeAll {
        $script:listed = New-HumanloopSession
        $null = $listed | New-HumanloopCompletion -ModelConfigId $config.ModelConfigId -Inputs @{ step = 'first' }
        $null = $listed | New-HumanloopCompletion -ModelConfigId $config.ModelConfigId -Inputs @{ step = 'last' }
    }

    It 'reads a session by id or piped, with its log count, projects, first inputs and last output' {
        $session = $listed | Get-HumanloopSession

        $session | Should -BeOfType Humanloop.Session
        $session.Id | Should -Be $listed.Id
        $session.DatapointsCount | Should -Be 2
        $session.Projects.Id | Should -Be $project.Id
        $session.FirstInputs.step | Should -Be 'first'
        $session.LastOutput | Should -Not -BeNullOrEmpty
        (Get-HumanloopSession -Id $listed.Id).Id | Should -Be $listed.Id
    }

    It 'lists the sessions of a piped project' {
        $sessions = @($project | Get-HumanloopSession)

        $sessions.Id | Should -Contain $listed.Id
        @($sessions.Id | Sort-Object -Unique).Count | Should -Be $sessions.Count
    }

    It 'pages from page 1 until the total is reached' {
        Reset-Stub $stub
        $page = { param($ids, $number) @{ body = @{ records = @($ids | ForEach-Object { @{ id = $_; projects = @(); datapoints_count = 0; created_at = '2026-11-30T10:00:00Z'; updated_at = '2026-11-30T10:00:00Z' } }); page = $number; size = 2; total = 3 } } }
        Add-StubResponse $stub @((& $page 'sesh_1', 'sesh_2' 1), (& $page @('sesh_3') 2))

        $sessions = Get-HumanloopSession -ProjectId pr_1 -PageSize 2 -BaseUri $stubRoot

        $sessions.Id | Should -Be 'sesh_1', 'sesh_2', 'sesh_3'
        @(Get-StubRequest $stub).query | Should -Be '?project_id=pr_1&page=1&size=2', '?project_id=pr_1&page=2&size=2'
    }

    It 'shows the tree with branch lines in its default view' {
        $text = Get-HumanloopSession -Id $listed.Id -Tree | Out-String

        $text | Should -Match 'Log\s+Created\s+Project\s+Output'
        $text | Should -Match "data_\w+\s+\d\d-\d\d \d\d:\d\d:\d\d\s+sessions"
    }

    It 'reports an unknown session as a non-terminating ObjectNotFound error and goes on' {
        $found = Get-HumanloopSession -Id sesh_missing, $listed.Id -ErrorAction SilentlyContinue -ErrorVariable failures
        Get-HumanloopSession -Id sesh_missing -Tree -ErrorAction SilentlyContinue -ErrorVariable treeFailures | Should -BeNullOrEmpty

        $found.Id | Should -Be $listed.Id
        @($failures + $treeFailures).CategoryInfo.Category | Should -Be 'ObjectNotFound', 'ObjectNotFound'
        @($failures + $treeFailures).TargetObject | Should -Be 'sesh_missing', 'sesh_missing'
    }
}
