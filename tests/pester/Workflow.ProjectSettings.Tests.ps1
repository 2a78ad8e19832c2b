# What issue 13 added around projects, against the real local server: Export-HumanloopProject across pages,
# Set-HumanloopProject's feedback types, positive labels and clearing of the active config and experiment,
# Get-HumanloopModelConfig -Active and Unpublish-HumanloopModelConfig -PassThru; exact requests against the stub.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    $script:stub = Start-StubServer
    $script:stubRoot = "$($stub.Uri)/v4"
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

    function New-ProjectBody([string] $Id = 'pr_1', [string] $Name = 'p') {
        @{ id = $Id; name = $Name; users = @(); data_count = 0; feedback_types = @(@{ type = 'rating'; values = @(@{ value = 'good'; sentiment = 'positive' }) }); team_id = 'tm_1'; created_at = '2024-07-01T10:00:00Z'; updated_at = '2024-07-01T10:00:00Z' }
    }

    function script:Get-StubRequestCount {
        @(Get-StubRequest $stub | Where-Object { $_.path -notlike '/_stub*' }).Count
    }
}

AfterAll {
    Disconnect-Humanloop
    $server, $stub | Stop-ReadyProcess
}

Describe 'Export-HumanloopProject' {
    BeforeAll {
        $script:exported = New-HumanloopProject -Name 'export'
        $config = Register-HumanloopModelConfig -ProjectId $exported.Id -Name 'plain' -Provider mock -Model mock-1 -PromptTemplate 'About {{topic}}'
        $script:responses = 'otters', 'tides', 'kelp', 'harbours', 'café' | ForEach-Object { @{ topic = $_ } } | New-HumanloopCompletion -ModelConfigId $config.ModelConfigId
    }

    It 'writes every log of every page to JSON lines, newest first, each log whole on one line' {
        $file = Join-Path $TestDrive 'logs.jsonl'

        $written = $exported | Export-HumanloopProject -Path $file -PageSize 2

        $written | Should -BeOfType System.IO.FileInfo
        $lines = @(Get-Content -LiteralPath $file -Encoding utf8)
        $lines.Count | Should -Be 5
        $logs = $lines | ConvertFrom-Json
        $logs.id | Should -Be (@($responses.LogId)[4..0])
        $logs[0].inputs.topic | Should -Be 'café'
        $logs[0].config.model | Should -Be 'mock-1'
        $logs[0].PSObject.Properties.Name | Should -Contain 'project_id' -Because 'the server''s own field names are kept'
    }

    It 'writes a JSON array to a .json file, and an empty array for a project without logs' {
        $file = Join-Path $TestDrive 'logs.json'
        $empty = New-HumanloopProject -Name 'export-empty'

        $null = Export-HumanloopProject -ProjectId $exported.Id -Path $file -PageSize 3
        $null = Export-HumanloopProject -ProjectId $empty.Id -Path (Join-Path $TestDrive 'empty.json')

        $array = Get-Content -LiteralPath $file -Raw | ConvertFrom-Json -NoEnumerate
        $array.Count | Should -Be 5
        $array.id | Should -Be (@($responses.LogId)[4..0])
        (Get-Content -LiteralPath (Join-Path $TestDrive 'empty.json') -Raw).Trim() | Should -Be '[]'
    }

    It 'pages with POST until the total is reached, and writes the server''s JSON as it is' {
        Reset-Stub $stub
        $page = { param($ids, $number) @{ body = @{ records = @($ids | ForEach-Object { @{ id = $_; unknown_field = @{ kept = $true }; config = @{ id = 'config_1'; type = 'model'; model = 'm' } } }); page = $number; size = 2; total = 3 } } }
        Add-StubResponse $stub @((& $page 'data_1', 'data_2' 0), (& $page @('data_3') 1))
        $file = Join-Path $TestDrive 'stub.jsonl'

        $null = Export-HumanloopProject -ProjectId pr_1 -Path $file -PageSize 2 -BaseUri $stubRoot

        $requests = @(Get-StubRequest $stub)
        $requests.method | Should -Be 'POST', 'POST'
        $requests.path | Should -Be '/v4/projects/pr_1/export', '/v4/projects/pr_1/export'
        $requests.query | Should -Be '?page=0&size=2', '?page=1&size=2'
        (Get-Content -LiteralPath $file | ConvertFrom-Json).unknown_field.kept | Should -Be $true, $true, $true
    }

    It 'replaces a file only with -Force, and keeps it when the export fails' {
        $file = Join-Path $TestDrive 'kept.jsonl'
        Set-Content -LiteralPath $file -Value 'earlier export'

        Export-HumanloopProject -ProjectId $exported.Id -Path $file -ErrorAction SilentlyContinue -ErrorVariable exists | Should -BeNullOrEmpty
        Export-HumanloopProject -ProjectId pr_missing -Path $file -Force -ErrorAction SilentlyContinue -ErrorVariable missing | Should -BeNullOrEmpty

        $exists[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Project.FileExists,*'
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $missing[0].TargetObject | Should -Be 'pr_missing'
        Get-Content -LiteralPath $file | Should -Be 'earlier export'
        @(Get-ChildItem -LiteralPath $TestDrive -Filter '*.partial' -Force) | Should -BeNullOrEmpty
        (Export-HumanloopProject -ProjectId $exported.Id -Path $file -Force).Length | Should -BeGreaterThan 100
    }

    It 'sends nothing under -WhatIf, and refuses a file that is neither .json nor .jsonl' {
        Reset-Stub $stub

        Export-HumanloopProject -ProjectId pr_1 -Path (Join-Path $TestDrive 'never.jsonl') -WhatIf -BaseUri $stubRoot | Should -BeNullOrEmpty
        Export-HumanloopProject -ProjectId pr_1 -Path (Join-Path $TestDrive 'logs.csv') -BaseUri $stubRoot -ErrorAction SilentlyContinue -ErrorVariable format

        Get-StubRequestCount | Should -Be 0
        Test-Path -LiteralPath (Join-Path $TestDrive 'never.jsonl') | Should -BeFalse
        $format[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Project.ExportFormat,*'
    }
}

Describe 'Set-HumanloopProject: feedback types and positive labels' {
    BeforeAll {
        $script:rated = New-HumanloopProject -Name 'feedback-types'
    }

    It 'creates a new type with values and sentiments, adds values to an existing one, and writes the project' {
        $project = Set-HumanloopProject -Id $rated.Id -FeedbackType @{ Type = 'tone'; Class = 'select'; Values = [ordered]@{ warm = 'positive'; curt = 'negative' } }, @{ type = 'rating'; values = 'meh' }

        $project | Should -BeOfType Humanloop.Project
        $tone = $project.FeedbackTypes | Where-Object Type -eq 'tone'
        $tone.Values.Value | Should -Be 'warm', 'curt'
        $tone.Values.Sentiment | Should -Be 'positive', 'negative'
        ($project.FeedbackTypes | Where-Object Type -eq 'rating').Values.Value | Should -Contain 'meh'
        ($project.FeedbackTypes | Where-Object Type -eq 'rating').Values.Value | Should -Contain 'good' -Because 'values are added, never removed'
    }

    It 'sets the positive labels, which may name the values the same call adds' {
        $project = Set-HumanloopProject -Id $rated.Id -FeedbackType @{ Type = 'helpful'; Class = 'select'; Values = 'yes', 'no' } -PositiveLabel @{ helpful = 'yes'; rating = 'good' }

        ($project.FeedbackTypes | Where-Object Type -eq 'helpful').Values.Value | Should -Be 'yes', 'no'
    }

    It 'sends POST for a type the project lacks, one PATCH for those it has, then PATCH /projects with the labels' {
        Reset-Stub $stub
        Add-StubResponse $stub @(
            @{ body = (New-ProjectBody) }
            @{ status = 201; body = @{ type = 'tone'; values = @(@{ value = 'warm'; sentiment = 'positive' }) } }
            @{ body = @(@{ type = 'rating'; values = @(@{ value = 'good'; sentiment = 'positive' }) }) }
            @{ body = (New-ProjectBody) }
        )

        $null = Set-HumanloopProject -Id pr_1 -FeedbackType @{ Type = 'tone'; Class = 'select'; Values = @(@{ value = 'warm'; sentiment = 'positive' }) }, @{ Type = 'rating'; Values = @{ good = 'positive' } } `
            -PositiveLabel @{ rating = 'good', 'great' } -BaseUri $stubRoot

        $requests = @(Get-StubRequest $stub)
        $requests | ForEach-Object { "$($_.method) $($_.path)" } | Should -Be 'GET /v4/projects/pr_1', 'POST /v4/projects/pr_1/feedback-types', 'PATCH /v4/projects/pr_1/feedback-types', 'PATCH /v4/projects/pr_1'
        $requests[1].BodyJson | ConvertTo-CanonicalJson | Should -Be (@{ type = 'tone'; class = 'select'; values = @(@{ value = 'warm'; sentiment = 'positive' }) } | ConvertTo-CanonicalJson)
        $requests[2].body | Should -Be '[{"type":"rating","values":[{"value":"good","sentiment":"positive"}]}]'
        $requests[3].body | Should -Be '{"positive_labels":[{"type":"rating","value":"good"},{"type":"rating","value":"great"}]}'
    }

    It 'stops with an error naming the entry when a feedback type is malformed' {
        { Set-HumanloopProject -Id pr_1 -FeedbackType @{ Class = 'select' } } | Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*' -ExpectedMessage '*needs a Type*'
        { Set-HumanloopProject -Id pr_1 -FeedbackType @{ Type = 'tone'; Class = 'dropdown' } } | Should -Throw -ExpectedMessage "*class 'dropdown'*select, multi_select, text, number*"
        { Set-HumanloopProject -Id pr_1 -FeedbackType @{ Type = 'tone'; Values = @{ warm = 'great' } } } | Should -Throw -ExpectedMessage "*sentiment 'great'*"
        { Set-HumanloopProject -Id pr_1 -FeedbackType @{ Type = 'tone'; Colour = 'red' } } | Should -Throw -ExpectedMessage "*key 'Colour'*"
    }

    It 'changes nothing under -WhatIf' {
        Reset-Stub $stub

        Set-HumanloopProject -Id pr_1 -FeedbackType @{ Type = 'tone' } -PositiveLabel @{ rating = 'good' } -ClearActiveConfig -WhatIf -BaseUri $stubRoot | Should -BeNullOrEmpty

        Get-StubRequestCount | Should -Be 0
    }
}

Describe 'The active config: Get-HumanloopModelConfig -Active and Set-HumanloopProject -ClearActiveConfig, -ClearActiveExperiment' {
    BeforeAll {
        $script:served = New-HumanloopProject -Name 'active'
        $script:first = Register-HumanloopModelConfig -ProjectId $served.Id -Name 'first' -Provider mock -Model mock-1 -PromptTemplate 'First {{x}}'
        $script:second = Register-HumanloopModelConfig -ProjectId $served.Id -Name 'second' -Provider mock -Model mock-1 -PromptTemplate 'Second {{x}}'
        $null = $second | Publish-HumanloopModelConfig -Environment staging
    }

    It 'reads the config the default environment serves, and the one a named environment serves' {
        $default = $served | Get-HumanloopModelConfig -Active
        $staging = Get-HumanloopModelConfig -ProjectId $served.Id -Active -Environment staging

        $default | Should -BeOfType Humanloop.ProjectModelConfig
        $default.ModelConfigId | Should -Be $first.ModelConfigId -Because 'the first config registered becomes the active one'
        $staging.ModelConfigId | Should -Be $second.ModelConfigId
    }

    It 'samples from a deployed experiment, with the trial to log against' {
        $experiment = Add-HumanloopExperiment -ProjectId $served.Id -Name 'active-exp' -ModelConfigId $first.ModelConfigId, $second.ModelConfigId
        $null = Set-HumanloopProject -Id $served.Id -ActiveExperimentId $experiment.Id

        $sampled = Get-HumanloopModelConfig -ProjectId $served.Id -Active

        $sampled.ModelConfigId | Should -BeIn $first.ModelConfigId, $second.ModelConfigId
        $sampled.TrialId | Should -Not -BeNullOrEmpty
        $sampled.ExperimentId | Should -Be $experiment.Id
    }

    It 'clears the active experiment, then the active config, writing the project each time' {
        $null = Set-HumanloopProject -Id $served.Id -ActiveExperimentId (Get-HumanloopExperiment -ProjectId $served.Id -Name 'active-exp').Id

        $withoutExperiment = Set-HumanloopProject -Id $served.Id -ClearActiveExperiment
        $withoutExperiment.ActiveExperiment | Should -BeNullOrEmpty

        $null = Set-HumanloopProject -Id $served.Id -ActiveConfigId $first.ModelConfigId
        $unchanged = Set-HumanloopProject -Id $served.Id -ClearActiveExperiment
        $unchanged.ActiveConfig.ModelConfigId | Should -Be $first.ModelConfigId -Because 'clearing the experiment leaves a deployed config'

        $cleared = $served | Set-HumanloopProject -ClearActiveConfig
        $cleared | Should -BeOfType Humanloop.Project
        $cleared.ActiveConfig | Should -BeNullOrEmpty
        Get-HumanloopModelConfig -ProjectId $served.Id -Active -ErrorAction SilentlyContinue -ErrorVariable nothing | Should -BeNullOrEmpty
        $nothing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        (Get-HumanloopModelConfig -ProjectId $served.Id -Active -Environment staging).ModelConfigId | Should -Be $second.ModelConfigId -Because 'other environments keep theirs'
    }

    It 'sends GET and DELETE with the environment in the query' {
        Reset-Stub $stub
        $active = @{ project_id = 'pr_1'; project_name = 'p'; config = @{ id = 'config_1'; type = 'model'; model = 'm' }; created_at = '2026-11-30T10:00:00Z'; updated_at = '2026-11-30T10:00:00Z'; last_used = '2026-11-30T10:00:00Z' }
        Add-StubResponse $stub @(@{ body = $active }, @{ body = (New-ProjectBody) }, @{ body = (New-ProjectBody) })

        $null = Get-HumanloopModelConfig -ProjectId pr_1 -Active -Environment 'stage one' -BaseUri $stubRoot
        $null = Set-HumanloopProject -Id pr_1 -ClearActiveConfig -ClearActiveExperiment -BaseUri $stubRoot

        @(Get-StubRequest $stub) | ForEach-Object { "$($_.method) $($_.path)$($_.query)" } |
            Should -Be 'GET /v4/projects/pr_1/active-config?environment=stage%20one', 'DELETE /v4/projects/pr_1/active-config', 'DELETE /v4/projects/pr_1/active-experiment'
    }

    It 'refuses to set and clear the active deployment in one call' {
        { Set-HumanloopProject -Id pr_1 -ActiveConfigId config_1 -ClearActiveExperiment } | Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*' -ExpectedMessage '*-ClearActiveConfig and -ClearActiveExperiment*'
    }
}

Describe 'Unpublish-HumanloopModelConfig -PassThru' {
    It 'writes the project''s deployments as they are afterwards, and nothing without -PassThru' {
        $own = New-HumanloopProject -Name 'unpublish-passthru'
        $config = Register-HumanloopModelConfig -ProjectId $own.Id -Name 'c' -Provider mock -Model mock-1 -PromptTemplate '{{x}}'
        $null = $config | Publish-HumanloopModelConfig -Environment staging, development

        $after = @(Unpublish-HumanloopModelConfig -ProjectId $own.Id -Environment staging -PassThru)
        $quiet = Unpublish-HumanloopModelConfig -ProjectId $own.Id -Environment development

        $after[0] | Should -BeOfType Humanloop.Deployment
        ($after | Where-Object EnvironmentName -eq 'staging').ModelConfigId | Should -BeNullOrEmpty
        ($after | Where-Object EnvironmentName -eq 'development').ModelConfigId | Should -Be $config.ModelConfigId
        $quiet | Should -BeNullOrEmpty
    }

    It 'writes nothing under -WhatIf, even with -PassThru' {
        Reset-Stub $stub

        Unpublish-HumanloopModelConfig -ProjectId pr_1 -Environment env_1 -PassThru -WhatIf -BaseUri $stubRoot | Should -BeNullOrEmpty

        Get-StubRequestCount | Should -Be 0
    }
}
