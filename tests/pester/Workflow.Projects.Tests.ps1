# New-, Get-, Set- and Remove-HumanloopProject against the real local server, plus the exact requests
# (paging, escaping, -WhatIf) against the recording stub.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    $script:stub = Start-StubServer
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

    function New-ProjectBody([string] $Id, [string] $Name) {
        @{ id = $Id; name = $Name; users = @(); data_count = 0; feedback_types = @(); team_id = 'tm_1'; created_at = '2024-07-01T10:00:00Z'; updated_at = '2024-07-01T10:00:00Z' }
    }
}

AfterAll {
    Disconnect-Humanloop
    $server, $stub | Stop-ReadyProcess
}

Describe 'New-HumanloopProject' {
    It 'creates a project per name and writes each as a Humanloop.Project' {
        $projects = 'new-one', 'new-two' | New-HumanloopProject

        $projects.Count | Should -Be 2
        $projects[0] | Should -BeOfType Humanloop.Project
        $projects.Name | Should -Be 'new-one', 'new-two'
        $projects[0].Id | Should -BeLike 'pr_*'
        $projects[0].CreatedAt | Should -BeOfType System.DateTimeOffset
        $projects[0].FeedbackTypes.Type | Should -Contain 'rating'
    }

    It 'binds the name of piped objects, such as Import-Csv rows' {
        $project = [pscustomobject]@{ Name = 'from-csv' } | New-HumanloopProject

        $project.Name | Should -Be 'from-csv'
    }

    It 'creates nothing under -WhatIf' {
        New-HumanloopProject -Name 'what-if-project' -WhatIf

        Get-HumanloopProject -Name 'what-if-project' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Get-HumanloopProject' {
    BeforeAll {
        $script:paged = 1..5 | ForEach-Object { New-HumanloopProject -Name "paging-$_" }
        $script:support = 'support-bot', 'support-mail' | New-HumanloopProject
    }

    It 'reads every page: five projects two to a page' {
        $found = @(Get-HumanloopProject -Name 'paging-*' -PageSize 2)

        $found.Count | Should -Be 5
        @($found.Id | Sort-Object -Unique).Count | Should -Be 5
        $found.Name | Should -Be ($paged.Name | Sort-Object -Descending) -Because 'the newest come first'
    }

    It 'lists every project without -Name, across pages' {
        $all = @(Get-HumanloopProject -PageSize 3)

        foreach ($project in $paged + $support) {
            $all.Id | Should -Contain $project.Id
        }
        @($all.Id | Sort-Object -Unique).Count | Should -Be $all.Count
    }

    It 'matches names with wildcards, case-insensitively' {
        @(Get-HumanloopProject -Name 'SUPPORT*').Name | Sort-Object | Should -Be 'support-bot', 'support-mail'
        @(Get-HumanloopProject -Name '*-mail', 'paging-1').Name | Sort-Object | Should -Be 'paging-1', 'support-mail'
    }

    It 'reports a name without wildcards that matches nothing as ObjectNotFound, and one with wildcards not at all' {
        $found = Get-HumanloopProject -Name 'support-bot', 'no-such-project' -ErrorAction SilentlyContinue -ErrorVariable failures

        $found.Name | Should -Be 'support-bot'
        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Project.NotFound,*'
        $failures[0].TargetObject | Should -Be 'no-such-project'

        Get-HumanloopProject -Name 'no-such-*' -ErrorVariable none | Should -BeNullOrEmpty
        $none | Should -BeNullOrEmpty
    }

    It 'reports a failed listing once, not as every name missing' {
        Reset-Stub $stub
        Add-StubResponse $stub @{ status = 401; body = @{ detail = 'Invalid API key' } }

        Get-HumanloopProject -Name 'support-bot' -BaseUri "$($stub.Uri)/v4" -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.401,*'
    }

    It 'reads projects by id, from -Id or piped objects, with a 404 as a non-terminating ObjectNotFound error' {
        $found = $support[0], [pscustomobject]@{ ProjectId = 'pr_missing' }, $support[1] |
            Get-HumanloopProject -ErrorAction SilentlyContinue -ErrorVariable failures

        $found.Id | Should -Be $support[0].Id, $support[1].Id
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.404,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'pr_missing'

        (Get-HumanloopProject -Id $support[0].Id).Name | Should -Be 'support-bot'
    }

    It 'writes the first page before it asks for the next one, and stops when every record arrived' {
        $stubBase = "$($stub.Uri)/v4"
        Reset-Stub $stub
        Add-StubResponse $stub @(
            @{ body = @{ records = @((New-ProjectBody 'pr_a' 'a b'), (New-ProjectBody 'pr_b' 'a c')); page = 0; size = 2; total = 3 } }
            @{ delay_ms = 1500; body = @{ records = @((New-ProjectBody 'pr_c' 'a d')); page = 1; size = 2; total = 3 } }
        )

        $arrivals = Get-HumanloopProject -Name 'a *' -PageSize 2 -BaseUri $stubBase |
            ForEach-Object { [pscustomobject]@{ Id = $_.Id; At = [datetime]::UtcNow } }

        $arrivals.Id | Should -Be 'pr_a', 'pr_b', 'pr_c'
        ($arrivals[2].At - $arrivals[0].At).TotalMilliseconds | Should -BeGreaterThan 1000 -Because 'page 0 was written while page 1 was still on its way'
        $requests = @(Get-StubRequest $stub)
        $requests.Count | Should -Be 2 -Because 'three records of three arrived, so there is no third request'
        $requests.path | Should -Be '/v4/projects', '/v4/projects'
        $requests[0].query | Should -Be '?page=0&size=2&filter=a%20'
        $requests[1].query | Should -Be '?page=1&size=2&filter=a%20'
    }
}

Describe 'Set-HumanloopProject' {
    It 'renames a piped project and writes it as it now is' {
        $project = New-HumanloopProject -Name 'before-rename'

        $renamed = $project | Set-HumanloopProject -Name 'after-rename'

        $renamed | Should -BeOfType Humanloop.Project
        $renamed.Id | Should -Be $project.Id
        (Get-HumanloopProject -Id $project.Id).Name | Should -Be 'after-rename'
    }

    It 'deploys a config as the active config' {
        $project = New-HumanloopProject -Name 'set-active'
        $first = Register-HumanloopModelConfig -ProjectId $project.Id -Provider mock -Model m -PromptTemplate 'one {{x}}'
        $second = Register-HumanloopModelConfig -ProjectId $project.Id -Provider mock -Model m -PromptTemplate 'two {{x}}'
        (Get-HumanloopProject -Id $project.Id).ActiveConfig.Config.Id | Should -Be $first.ModelConfigId

        $updated = Set-HumanloopProject -Id $project.Id -ActiveConfigId $second.ModelConfigId

        $updated.ActiveConfig.Config.Id | Should -Be $second.ModelConfigId
    }

    It 'changes nothing under -WhatIf' {
        $project = New-HumanloopProject -Name 'set-what-if'

        $project | Set-HumanloopProject -Name 'changed' -WhatIf | Should -BeNullOrEmpty

        (Get-HumanloopProject -Id $project.Id).Name | Should -Be 'set-what-if'
    }

    It 'stops with an error naming the parameters when asked for two active things' {
        { Set-HumanloopProject -Id pr_1 -ActiveConfigId config_1 -ActiveExperimentId exp_1 } |
            Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*' -ExpectedMessage '*-ActiveConfigId or -ActiveExperimentId, not both*'
    }

    It 'warns, and sends nothing, when there is nothing to change' {
        Set-HumanloopProject -Id pr_missing -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty

        $warnings | Should -BeLike 'Nothing to change: give -Name, -DirectoryId, -ActiveConfigId, -ActiveExperimentId, -ClearActiveConfig, -ClearActiveExperiment, -FeedbackType or -PositiveLabel.'
        $failures | Should -BeNullOrEmpty -Because 'no request was made, so the unknown id went unnoticed'
    }

    It 'reports an unknown project as a non-terminating ObjectNotFound error' {
        Set-HumanloopProject -Id pr_missing -Name x -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty

        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'pr_missing'
    }
}

Describe 'Remove-HumanloopProject' {
    It 'is ConfirmImpact High' {
        $attribute = (Get-Command Remove-HumanloopProject).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.ConfirmImpact | Should -Be 'High'
    }

    It 'deletes piped projects with -Confirm:$false and writes nothing' {
        $projects = 'doomed-1', 'doomed-2' | New-HumanloopProject

        $projects | Remove-HumanloopProject -Confirm:$false | Should -BeNullOrEmpty

        Get-HumanloopProject -Id $projects.Id -ErrorAction SilentlyContinue -ErrorVariable gone | Should -BeNullOrEmpty
        $gone.Count | Should -Be 2
    }

    It 'deletes without asking under -Force' {
        $project = New-HumanloopProject -Name 'forced'

        Remove-HumanloopProject -Id $project.Id -Force

        Get-HumanloopProject -Id $project.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'deletes nothing under -WhatIf, even with -Force' {
        $project = New-HumanloopProject -Name 'survivor'

        $project | Remove-HumanloopProject -WhatIf
        $project | Remove-HumanloopProject -Force -WhatIf

        (Get-HumanloopProject -Id $project.Id).Name | Should -Be 'survivor'
    }

    It 'reports an unknown project as a non-terminating ObjectNotFound error and goes on' {
        $project = New-HumanloopProject -Name 'after-missing'

        Remove-HumanloopProject -Id pr_missing, $project.Id -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failures

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.404,*'
        $failures[0].TargetObject | Should -Be 'pr_missing'
        Get-HumanloopProject -Id $project.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
