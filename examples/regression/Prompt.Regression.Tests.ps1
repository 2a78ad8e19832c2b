# Regression checks of a deployed prompt: for every case in cases.csv, the prompt deployed to
# production still answers on topic, finishes cleanly and stays within its token budget.
#
# By default the checks replay fixtures/prompt-regression.json: no network, no key, the same answers
# every run. Set HUMANLOOP_RECORDING_MODE to Record (or Auto) with HUMANLOOP_API_KEY and
# HUMANLOOP_BASE_URL to run them against a live endpoint and rewrite the fixture (see README).

BeforeDiscovery {
    # -ForEach makes variables of hashtable keys ($topic, $audience, …), so each CSV row becomes one.
    $script:cases = Import-Csv -Path (Join-Path $PSScriptRoot 'cases.csv') | ForEach-Object {
        $case = @{}
        foreach ($column in $_.PSObject.Properties) { $case[$column.Name] = $column.Value }
        $case
    }
}

BeforeAll {
    Import-Module Humanloop
    Register-HumanloopShouldOperator
    # No -Mode: Replay, unless HUMANLOOP_RECORDING_MODE says otherwise.
    Start-HumanloopRecording -Path (Join-Path $PSScriptRoot 'fixtures/prompt-regression.json')
    $script:prompt = @{ Project = 'regression-demo'; Environment = 'production'; MaxRetries = 0 }
}

AfterAll {
    Stop-HumanloopRecording | Out-Null
}

Describe 'The production prompt of regression-demo' {
    It 'writes about <topic> for <audience> within <max_tokens> tokens' -ForEach $cases {
        $response = New-HumanloopCompletion @prompt -Inputs @{ topic = $topic; audience = $audience } -ErrorAction Stop

        $response | Should -ContainHumanloopOutput $must_contain
        $response | Should -HaveHumanloopFinishReason 'stop'
        $response | Should -HaveHumanloopTokensAtMost ([int] $max_tokens)
    }

    It 'streams an answer that assembles into the same kind of response' {
        $chunks = New-HumanloopCompletion @prompt -Inputs @{ topic = 'lighthouses'; audience = 'keepers' } -Stream -ResponseVariable streamed -ErrorAction Stop

        $chunks.Count | Should -BeGreaterThan 1
        $chunks | Should -MatchHumanloopOutput '^Echo: .*lighthouses for keepers'
        $streamed | Should -HaveHumanloopFinishReason 'stop'
        $streamed | Should -HaveHumanloopTokensAtMost 80
    }

    It 'keeps every one of several samples on topic and under 60 words' {
        $response = New-HumanloopCompletion @prompt -Inputs @{ topic = 'kites'; audience = 'pilots' } -NumSamples 3 -ErrorAction Stop

        $response.Data.Count | Should -Be 3
        $response | Should -HaveEveryHumanloopSample { $_.Output -match 'kites' -and ($_.Output -split '\s+').Count -lt 60 }
    }
}
