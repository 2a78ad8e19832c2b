# Import-HumanloopTestCase: cases from CSV and JSON lines, and the expectation syntax.

BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $csv = Join-Path ([System.IO.Path]::GetTempPath()) "hl-cases-$PID.csv"
    Set-Content -LiteralPath $csv -Value @(
        'name,topic,expect'
        'tides,tides,contains:{{topic}}; tokens<=80'
        'kites,kites,icontains:KITE'
    )
    $script:discovered = @(Import-HumanloopTestCase $csv)
    Remove-Item -LiteralPath $csv
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule

    function script:New-CaseFile {
        param([string] $Name, [string[]] $Lines)
        $path = Join-Path $TestDrive $Name
        Set-Content -LiteralPath $path -Value $Lines
        $path
    }
}

Describe 'Import-HumanloopTestCase from CSV' {
    It 'makes the name, the inputs and the expectations of every row, with where it came from' {
        $path = New-CaseFile 'cases.csv' @(
            'name,topic,audience,expect'
            'rivers,rivers,children,"contains:{{topic}}; tokens<=80; not-regex:\bsorry\b"'
            ',tides,sailors,json'
        )

        $cases = @(Import-HumanloopTestCase $path)

        $cases.Count | Should -Be 2
        $cases[0] | Should -BeOfType Humanloop.TestCase
        $cases[0].Name | Should -Be 'rivers'
        $cases[0].Inputs.Keys | Should -Be 'topic', 'audience'
        $cases[0].Inputs.audience | Should -Be 'children'
        $cases[0].Expectations.Kind | Should -Be 'contains', 'tokens', 'regex'
        $cases[0].Expectations[0].Argument | Should -Be 'rivers'
        $cases[0].Expectations[1].Comparison | Should -Be '<='
        $cases[0].Expectations[1].Threshold | Should -Be 80
        $cases[0].Expectations[2].Negated | Should -BeTrue
        $cases[1].Name | Should -Be "${path}:3"
        $cases[1].Source | Should -Be "${path}:3"
    }

    It 'takes a message column as one user message and a messages column as JSON' {
        $path = New-CaseFile 'chat.csv' @(
            'name,message,messages,expect'
            'one,Hello there,,contains:hi'
            'two,,"[{""role"":""system"",""content"":""Be brief""},{""role"":""user"",""content"":""Hi""}]",contains:hi'
        )

        $cases = @(Import-HumanloopTestCase $path)

        $cases[0].Messages[0].Role | Should -Be 'user'
        $cases[0].Messages[0].Content | Should -Be 'Hello there'
        $cases[1].Messages.Role | Should -Be 'system', 'user'
        $cases[1].Inputs.Count | Should -Be 0
    }

    It 'reads the target from a target column (a JSON object, or text as output) and target.<name> columns' {
        $path = New-CaseFile 'targets.csv' @(
            'question,target,target.policy,target.days'
            'Refund?,Yes,refunds,30'
            'Where?,"{""output"":""Here"",""exact"":true}",,'
            'Nothing?,,,'
        )

        $cases = @(Import-HumanloopTestCase $path)

        $cases[0].Inputs.Keys | Should -Be 'question'
        $cases[0].Target['output'] | Should -Be 'Yes'
        $cases[0].Target['policy'] | Should -Be 'refunds'
        $cases[0].Target['days'] | Should -Be '30'
        $cases[1].Target['output'] | Should -Be 'Here'
        $cases[1].Target['exact'] | Should -BeTrue
        $cases[1].Target.Contains('policy') | Should -BeFalse
        $cases[2].Target.Count | Should -Be 0
    }

    It 'stops with the file and line of a malformed expectation: <Case>' -ForEach @(
        @{ Case = 'unknown kind'; Cell = 'smells:nice'; Message = "*cases.csv:2*kind 'smells', which is not known*" }
        @{ Case = 'missing threshold'; Cell = 'tokens'; Message = '*cases.csv:2*tokens needs a threshold*' }
        @{ Case = 'missing argument'; Cell = 'contains'; Message = '*cases.csv:2*contains needs an argument*' }
        @{ Case = 'bad pattern'; Cell = 'regex:(unclosed'; Message = '*cases.csv:2*not a valid regular expression*' }
        @{ Case = 'unknown input'; Cell = 'contains:{{nope}}'; Message = "*cases.csv:2*names the input 'nope'*" }
    ) {
        $path = New-CaseFile 'cases.csv' @('name,topic,expect', "bad,x,$Cell")

        { Import-HumanloopTestCase $path } | Should -Throw $Message
    }

    It 'reports a missing file as not found and goes on' {
        $path = New-CaseFile 'ok.csv' @('name,expect', 'a,json')

        $cases = @(Import-HumanloopTestCase (Join-Path $TestDrive 'missing.csv'), $path -ErrorVariable problems -ErrorAction SilentlyContinue)

        $cases.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.TestCase.FileNotFound,*'
    }
}

Describe 'Import-HumanloopTestCase from JSON lines' {
    It 'reads inputs, messages and a list of expectations per line' {
        $path = New-CaseFile 'cases.jsonl' @(
            '{"name": "weather", "inputs": {"city": "Paris", "days": 2}, "messages": [{"role": "user", "content": "Weather in {{city}}?"}], "expect": ["tool:get_weather", "finish:tool_call"]}'
            ''
            '{"topic": "tides", "expect": "contains:tides; latency<=2s"}'
        )

        $cases = @(Import-HumanloopTestCase $path)

        $cases.Count | Should -Be 2
        $cases[0].Inputs.city | Should -Be 'Paris'
        $cases[0].Inputs.days | Should -Be 2
        $cases[0].Messages[0].Content | Should -Be 'Weather in {{city}}?'
        $cases[0].Expectations.Kind | Should -Be 'tool', 'finish'
        $cases[0].Expectations[1].Values | Should -Be 'tool_call'
        $cases[1].Inputs.topic | Should -Be 'tides'
        $cases[1].Expectations[1].Threshold | Should -Be 2000
        $cases[1].Source | Should -Be "${path}:3"
    }

    It 'reads a target object, a scalar target and target.<name> keys per line, keeping JSON types' {
        $path = New-CaseFile 'targets.jsonl' @(
            '{"q":"a","target":{"score":0.5,"tags":["x","y"]}}'
            '{"q":"b","target":42,"target.note":"close"}'
        )

        $cases = @(Import-HumanloopTestCase $path)

        $cases[0].Target['score'] | Should -Be 0.5
        $cases[0].Target['tags'] | Should -Be 'x', 'y'
        $cases[1].Target['output'] | Should -Be 42
        $cases[1].Target['note'] | Should -Be 'close'
        $cases[1].Inputs.Keys | Should -Be 'q'
    }

    It 'stops on a line that is not JSON, naming it' {
        $path = New-CaseFile 'bad.jsonl' @('{"name": "ok"}', '{not json')

        { Import-HumanloopTestCase $path } | Should -Throw '*bad.jsonl:2 is not valid JSON*'
    }
}

Describe 'Cases for Pester -ForEach' {
    It 'names each test after its case: <_.Name>' -ForEach $discovered {
        $_ | Should -BeOfType Humanloop.TestCase
        $_.Name | Should -BeIn 'tides', 'kites'
        $_.Expectations | Should -Not -BeNullOrEmpty
    }
}
