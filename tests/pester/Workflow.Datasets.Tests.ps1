# Datasets and datapoints against the real local server: New/Get/Set/Remove/Export-HumanloopDataset and
# Add/Get/Set/Remove-HumanloopDatapoint, with dataset files in the format of Import-HumanloopTestCase.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

    $script:project = New-HumanloopProject -Name 'datasets'
    $script:files = Join-Path ([IO.Path]::GetTempPath()) ("hl-datasets-" + [guid]::NewGuid())
    New-Item -ItemType Directory -Path $files | Out-Null

    function Get-DatasetCount {
        # How many datasets the team has: unchanged after a command that must create none.
        @(Get-HumanloopDataset).Count
    }
}

AfterAll {
    Disconnect-Humanloop
    $server | Stop-ReadyProcess
    Remove-Item -Recurse -Force $files -ErrorAction SilentlyContinue
}

Describe 'New-HumanloopDataset' {
    It 'creates an empty dataset in a piped project' {
        $dataset = $project | New-HumanloopDataset -Name 'empty' -Description 'nothing yet'

        $dataset | Should -BeOfType Humanloop.Dataset
        $dataset.Id | Should -Not -BeNullOrEmpty
        $dataset.DatasetId | Should -Be $dataset.Id
        $dataset.Name | Should -Be 'empty'
        $dataset.Description | Should -Be 'nothing yet'
        $dataset.DatapointCount | Should -Be 0
    }

    It 'creates a dataset from a CSV file named after the file, with inputs, messages and target' {
        $path = Join-Path $files 'refunds.csv'
        @(
            'name,question,tone,messages,target,target.policy,expect'
            'first,Can I get a refund?,kind,"[{""role"":""user"",""content"":""Hi""}]",Yes,30 days,contains:refund'
            'second,Where is my order?,brief,,"{""output"":""Tracking link"",""score"":2}",,'
        ) | Set-Content -Path $path

        $dataset = New-HumanloopDataset -ProjectId $project.Id -Path $path

        $dataset.Name | Should -Be 'refunds'
        $dataset.DatapointCount | Should -Be 2
        $points = @(Get-HumanloopDatapoint -DatasetId $dataset.Id)
        $points[0].Inputs['question'] | Should -Be 'Can I get a refund?'
        $points[0].Inputs['tone'] | Should -Be 'kind'
        $points[0].Inputs.Keys | Should -Not -Contain 'name'
        $points[0].Messages[0].Role | Should -Be 'user'
        $points[0].Messages[0].Content | Should -Be 'Hi'
        $points[0].Target['output'] | Should -Be 'Yes'
        $points[0].Target['policy'] | Should -Be '30 days'
        $points[0].Target['expect'] | Should -Be 'contains:refund'
        $points[1].Messages.Count | Should -Be 0
        $points[1].Target['output'] | Should -Be 'Tracking link'
        $points[1].Target['score'] | Should -Be 2
    }

    It 'stops before creating anything when the file is malformed' {
        $path = Join-Path $files 'bad.csv'
        'question,expect', 'x,nonsense-kind:1' | Set-Content -Path $path
        $before = Get-DatasetCount

        { New-HumanloopDataset -ProjectId $project.Id -Path $path } | Should -Throw -ErrorId 'Humanloop.Dataset.Invalid,*'
        Get-DatasetCount | Should -Be $before
    }

    It 'creates nothing under -WhatIf' {
        $before = Get-DatasetCount
        New-HumanloopDataset -ProjectId $project.Id -Name 'never' -WhatIf | Should -BeNullOrEmpty
        Get-DatasetCount | Should -Be $before
    }

    It 'reports an unknown project as a non-terminating ObjectNotFound error' {
        New-HumanloopDataset -ProjectId pr_missing -Name 'x' -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'pr_missing'
    }
}

Describe 'Get-HumanloopDataset' {
    BeforeAll {
        $script:other = New-HumanloopProject -Name 'datasets-other'
        $script:otherDataset = New-HumanloopDataset -ProjectId $other.Id -Name 'other cases'
    }

    It 'lists every dataset, a piped project''s, and those matching -Name' {
        (Get-HumanloopDataset).Id | Should -Contain $otherDataset.Id
        $mine = @($project | Get-HumanloopDataset)
        $mine.Id | Should -Not -Contain $otherDataset.Id
        $mine[0] | Should -BeOfType Humanloop.Dataset
        (Get-HumanloopDataset -Name 'OTHER*').Id | Should -Be $otherDataset.Id
    }

    It 'reads datasets by id, and reports a missing name or id as ObjectNotFound' {
        $read = Get-HumanloopDataset -Id $otherDataset.Id, (Get-HumanloopDataset -ProjectId $project.Id -Name 'empty').Id -ErrorAction Stop
        $read.Name | Should -Be 'other cases', 'empty'

        Get-HumanloopDataset -Name 'no such' -ErrorAction SilentlyContinue -ErrorVariable byName | Should -BeNullOrEmpty
        $byName[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Dataset.NotFound,*'
        Get-HumanloopDataset -Id evts_missing -ErrorAction SilentlyContinue -ErrorVariable byId | Should -BeNullOrEmpty
        $byId[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $byId[0].TargetObject | Should -Be 'evts_missing'
    }
}

Describe 'Set-HumanloopDataset' {
    It 'renames a piped dataset and changes its description' {
        $dataset = New-HumanloopDataset -ProjectId $project.Id -Name 'to rename'

        $changed = $dataset | Set-HumanloopDataset -Name 'renamed' -Description 'new words'

        $changed | Should -BeOfType Humanloop.Dataset
        $changed.Name | Should -Be 'renamed'
        (Get-HumanloopDataset -Id $dataset.Id).Description | Should -Be 'new words'
    }

    It 'changes nothing under -WhatIf, and warns when given nothing to change' {
        $dataset = New-HumanloopDataset -ProjectId $project.Id -Name 'kept'
        Set-HumanloopDataset -Id $dataset.Id -Name 'changed' -WhatIf | Should -BeNullOrEmpty
        Set-HumanloopDataset -Id $dataset.Id -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty

        $warnings | Should -BeLike 'Nothing to change*'
        (Get-HumanloopDataset -Id $dataset.Id).Name | Should -Be 'kept'
    }

    It 'reports an unknown dataset as a non-terminating ObjectNotFound error' {
        Set-HumanloopDataset -Id evts_missing -Name 'x' -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Remove-HumanloopDataset' {
    It 'deletes piped datasets with -Force, and nothing under -WhatIf' {
        $dataset = New-HumanloopDataset -ProjectId $project.Id -Name 'doomed'
        $dataset | Remove-HumanloopDataset -WhatIf
        (Get-HumanloopDataset -Id $dataset.Id).Id | Should -Be $dataset.Id

        $dataset | Remove-HumanloopDataset -Force | Should -BeNullOrEmpty

        Get-HumanloopDataset -Id $dataset.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'reports an unknown dataset as a non-terminating ObjectNotFound error' {
        Remove-HumanloopDataset -Id evts_missing -Force -ErrorAction SilentlyContinue -ErrorVariable failures
        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Add-HumanloopDatapoint' {
    BeforeAll {
        $script:dataset = New-HumanloopDataset -ProjectId $project.Id -Name 'added'
    }

    It 'adds a datapoint per Import-Csv row, reading the columns like a test case file' {
        $path = Join-Path $files 'rows.csv'
        'question,target.answer,message', 'What is 2+2?,4,Hello', 'And 3+3?,6,' | Set-Content -Path $path

        $added = @(Import-Csv $path | Add-HumanloopDatapoint -DatasetId $dataset.Id)

        $added.Count | Should -Be 2
        $added[0] | Should -BeOfType Humanloop.Datapoint
        $added[0].DatasetId | Should -Be $dataset.Id
        $added[0].Inputs['question'] | Should -Be 'What is 2+2?'
        $added[0].Target['answer'] | Should -Be '4'
        $added[0].Messages[0].Content | Should -Be 'Hello'
        $added[1].Messages.Count | Should -Be 0
    }

    It 'adds one datapoint from -Inputs, -Messages and -Target, and test cases piped from Import-HumanloopTestCase' {
        $one = Add-HumanloopDatapoint -DatasetId $dataset.Id -Inputs @{ question = 'Hi?' } -Messages 'Hello', @{ role = 'assistant'; content = 'Hi!' } -Target @{ output = 'Hi'; strict = $true }
        $one.Messages.Role | Should -Be 'user', 'assistant'
        $one.Target['strict'] | Should -BeTrue

        $path = Join-Path $files 'cases.jsonl'
        '{"name":"n","inputs":{"topic":"refunds"},"expect":["contains:{{topic}}"],"target":{"output":"Refunds take 5 days"}}' | Set-Content -Path $path
        $fromCase = Import-HumanloopTestCase $path | Add-HumanloopDatapoint -DatasetId $dataset.Id
        $fromCase.Inputs['topic'] | Should -Be 'refunds'
        $fromCase.Target['expect'] | Should -Be 'contains:refunds'
        $fromCase.Target['output'] | Should -Be 'Refunds take 5 days'
    }

    It 'sends a large pipeline in batches and writes every datapoint' {
        $big = New-HumanloopDataset -ProjectId $project.Id -Name 'big'
        $added = @(1..230 | ForEach-Object { [pscustomobject]@{ n = "$_" } } | Add-HumanloopDatapoint -DatasetId $big.Id)

        $added.Count | Should -Be 230
        (Get-HumanloopDataset -Id $big.Id).DatapointCount | Should -Be 230
    }

    It 'reports a malformed row and still adds the others' {
        $rows = [pscustomobject]@{ q = 'good' }, [pscustomobject]@{ q = 'bad'; messages = 'not json' }, [pscustomobject]@{ q = 'also good' }
        $added = @($rows | Add-HumanloopDatapoint -DatasetId $dataset.Id -ErrorAction SilentlyContinue -ErrorVariable failures)

        $added.Inputs.q | Should -Be 'good', 'also good'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Datapoint.Invalid,*'
        $failures[0].Exception.Message | Should -BeLike '*input 2*'
    }

    It 'makes a datapoint of each log given by -LogId, with its inputs and no target' {
        $fromLogs = New-HumanloopDataset -ProjectId $project.Id -Name 'from logs'
        $answer = New-HumanloopCompletion -ProjectId $project.Id -Provider mock -Model mock-1 -PromptTemplate 'About {{topic}}' -Inputs @{ topic = 'tides' } -NumSamples 2

        $added = @(Add-HumanloopDatapoint -DatasetId $fromLogs.Id -LogId $answer.LogId)

        $added.Count | Should -Be 2
        $added.Inputs.topic | Should -Be 'tides', 'tides'
        $added[0].Target.Count | Should -Be 0
        Add-HumanloopDatapoint -DatasetId $fromLogs.Id -LogId $answer.LogId -WhatIf | Should -BeNullOrEmpty
        (Get-HumanloopDataset -Id $fromLogs.Id).DatapointCount | Should -Be 2
    }

    It 'adds nothing under -WhatIf' {
        $before = (Get-HumanloopDataset -Id $dataset.Id).DatapointCount
        [pscustomobject]@{ q = 'never' } | Add-HumanloopDatapoint -DatasetId $dataset.Id -WhatIf | Should -BeNullOrEmpty
        (Get-HumanloopDataset -Id $dataset.Id).DatapointCount | Should -Be $before
    }

    It 'reports an unknown dataset as a non-terminating ObjectNotFound error' {
        [pscustomobject]@{ q = 'x' } | Add-HumanloopDatapoint -DatasetId evts_missing -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'evts_missing'
    }
}

Describe 'Get-HumanloopDatapoint' {
    BeforeAll {
        $script:paged = New-HumanloopDataset -ProjectId $project.Id -Name 'paged'
        1..7 | ForEach-Object { [pscustomobject]@{ n = "$_" } } | Add-HumanloopDatapoint -DatasetId $paged.Id | Out-Null
    }

    It 'reads every datapoint of a piped dataset over several pages, in order' {
        $points = @($paged | Get-HumanloopDatapoint -PageSize 3)

        $points.Count | Should -Be 7
        $points[0] | Should -BeOfType Humanloop.Datapoint
        $points.Inputs.n | Should -Be ('1', '2', '3', '4', '5', '6', '7')
    }

    It 'reads datapoints by piped id, and reports an unknown id as ObjectNotFound' {
        $first = Get-HumanloopDatapoint -DatasetId $paged.Id -PageSize 1 | Select-Object -First 1
        ($first | Get-HumanloopDatapoint -Id { $_.Id }).Inputs.n | Should -Be '1'

        Get-HumanloopDatapoint -Id dp_missing -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'dp_missing'
    }
}

Describe 'Set-HumanloopDatapoint' {
    BeforeAll {
        $script:target = New-HumanloopDataset -ProjectId $project.Id -Name 'edited'
        $script:point = Add-HumanloopDatapoint -DatasetId $target.Id -Inputs @{ q = 'old' } -Target @{ output = 'old' }
    }

    It 'changes the target of a piped datapoint and leaves its inputs' {
        $changed = $point | Set-HumanloopDatapoint -Target @{ output = 'new' }

        $changed | Should -BeOfType Humanloop.Datapoint
        $changed.Target['output'] | Should -Be 'new'
        (Get-HumanloopDatapoint -Id $point.Id).Inputs['q'] | Should -Be 'old'
    }

    It 'changes nothing under -WhatIf' {
        Set-HumanloopDatapoint -Id $point.Id -Inputs @{ q = 'never' } -WhatIf | Should -BeNullOrEmpty
        (Get-HumanloopDatapoint -Id $point.Id).Inputs['q'] | Should -Be 'old'
    }

    It 'reports an unknown datapoint as a non-terminating ObjectNotFound error' {
        Set-HumanloopDatapoint -Id dp_missing -Inputs @{ q = 'x' } -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Remove-HumanloopDatapoint' {
    It 'deletes piped datapoints with -Force, and nothing under -WhatIf' {
        $set = New-HumanloopDataset -ProjectId $project.Id -Name 'pruned'
        $points = @(1..3 | ForEach-Object { [pscustomobject]@{ n = "$_" } } | Add-HumanloopDatapoint -DatasetId $set.Id)

        $points | Remove-HumanloopDatapoint -WhatIf
        (Get-HumanloopDataset -Id $set.Id).DatapointCount | Should -Be 3

        $points | Select-Object -First 2 | Remove-HumanloopDatapoint -Force | Should -BeNullOrEmpty

        (Get-HumanloopDatapoint -DatasetId $set.Id).Inputs.n | Should -Be '3'
    }
}

Describe 'Export-HumanloopDataset' {
    It 'writes a CSV file that New-HumanloopDataset reads back to the same datapoints' {
        $path = Join-Path $files 'trip.csv'
        @(
            'question,tone,messages,target.answer,expect'
            '"Quoted, with comma and a line',
            'break",kind,"[{""role"":""system"",""content"":""Be brief""},{""role"":""user"",""content"":""Line one\nline two""}]",yes,icontains:refund; not-contains:sorry'
            'Plain,brief,,,'
        ) | Set-Content -Path $path
        $first = New-HumanloopDataset -ProjectId $project.Id -Path $path

        $file = $first | Export-HumanloopDataset -Path (Join-Path $files 'exported.csv')
        $second = New-HumanloopDataset -ProjectId $project.Id -Name 'trip again' -Path $file.FullName

        $file | Should -BeOfType System.IO.FileInfo
        $before = @(Get-HumanloopDatapoint -DatasetId $first.Id)
        $after = @(Get-HumanloopDatapoint -DatasetId $second.Id)
        $after.Count | Should -Be 2
        foreach ($i in 0, 1) {
            ($after[$i].Inputs | ConvertTo-Json -Compress) | Should -Be ($before[$i].Inputs | ConvertTo-Json -Compress)
            ($after[$i].Target | ConvertTo-Json -Compress) | Should -Be ($before[$i].Target | ConvertTo-Json -Compress)
            ($after[$i].Messages | ConvertTo-Json -Compress) | Should -Be ($before[$i].Messages | ConvertTo-Json -Compress)
        }
        $before[0].Inputs['question'] | Should -Be "Quoted, with comma and a line$([Environment]::NewLine)break"
        $before[0].Messages[1].Content | Should -Be "Line one`nline two"
        (Import-HumanloopTestCase $file.FullName)[0].Expectations.Kind | Should -Be 'icontains', 'contains'
    }

    It 'writes a JSON lines file that keeps the target''s types, and reads it back' {
        $source = New-HumanloopDataset -ProjectId $project.Id -Name 'typed'
        Add-HumanloopDatapoint -DatasetId $source.Id -Inputs @{ q = 'a' } -Target @{ score = 0.5; pass = $true; tags = 'x', 'y'; nested = @{ k = 1 } } | Out-Null

        $file = Export-HumanloopDataset -DatasetId $source.Id -Path (Join-Path $files 'typed.jsonl')
        $again = New-HumanloopDataset -ProjectId $project.Id -Name 'typed again' -Path $file.FullName
        $point = Get-HumanloopDatapoint -DatasetId $again.Id

        $point.Inputs['q'] | Should -Be 'a'
        $point.Target['score'] | Should -Be 0.5
        $point.Target['pass'] | Should -BeTrue
        $point.Target['tags'] | Should -Be 'x', 'y'
        $point.Target['nested']['k'] | Should -Be 1
    }

    It 'refuses to replace a file without -Force, and writes nothing under -WhatIf' {
        $dataset = New-HumanloopDataset -ProjectId $project.Id -Name 'guarded'
        $path = Join-Path $files 'exists.csv'
        'keep' | Set-Content -Path $path

        Export-HumanloopDataset -DatasetId $dataset.Id -Path $path -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Dataset.FileExists,*'
        Export-HumanloopDataset -DatasetId $dataset.Id -Path $path -Force -WhatIf | Should -BeNullOrEmpty
        Get-Content -Raw $path | Should -Match '^keep'
    }

    It 'reports an unknown dataset as a non-terminating ObjectNotFound error and writes no file' {
        $path = Join-Path $files 'missing.csv'
        Export-HumanloopDataset -DatasetId evts_missing -Path $path -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Test-Path $path | Should -BeFalse
    }
}
