# Regression checks of a deployed prompt: for every case in cases.csv, the prompt deployed to
# production still meets the case's expectations (the expect column: on topic, finishes cleanly, within
# its token budget, and, graded by a model, written for its audience).
#
# By default the checks replay fixtures/prompt-regression.json: no network, no key, the same answers
# every run. Set HUMANLOOP_RECORDING_MODE to Record (or Auto) with HUMANLOOP_API_KEY and
# HUMANLOOP_BASE_URL to run them against a live endpoint and rewrite the fixture (see README).

BeforeDiscovery {
    # Each row of cases.csv is a Humanloop.TestCase: its inputs, and the expectations of its expect column.
    $script:cases = Import-HumanloopTestCase -Path (Join-Path $PSScriptRoot 'cases.csv')
}

BeforeAll {
    Import-Module Humanloop
    # No -Mode: Replay, unless HUMANLOOP_RECORDING_MODE says otherwise.
    Start-HumanloopRecording -Path (Join-Path $PSScriptRoot 'fixtures/prompt-regression.json')
    $script:prompt = @{ Project = 'regression-demo'; Environment = 'production'; MaxRetries = 0 }
    # The rubric expectations are graded by a model: the local server's mock when the fixture was
    # recorded; set HUMANLOOP_GRADER_PROVIDER and HUMANLOOP_GRADER_MODEL to grade with a real one.
    $grader = @{ Provider = $env:HUMANLOOP_GRADER_PROVIDER ?? 'mock'; Model = $env:HUMANLOOP_GRADER_MODEL ?? 'mock-1' }
    Set-HumanloopGrader @grader
}

AfterAll {
    Stop-HumanloopRecording | Out-Null
}

Describe 'The production prompt of regression-demo' {
    It 'meets the expectations of <_.Name>' -ForEach $cases {
        New-HumanloopCompletion @prompt -Inputs $_.Inputs -ErrorAction Stop | Should-HumanloopMeetExpectation $_
    }

    It 'streams an answer that assembles into the same kind of response' {
        $chunks = New-HumanloopCompletion @prompt -Inputs @{ topic = 'lighthouses'; audience = 'keepers' } -Stream -ResponseVariable streamed -ErrorAction Stop

        $chunks.Count | Should -BeGreaterThan 1
        $chunks | Should-HumanloopMatch '^Echo: .*lighthouses for keepers'
        $streamed | Should-HumanloopFinishReason 'stop'
        $streamed | Should-HumanloopMaxTokens 80
    }

    It 'keeps every one of several samples on topic and under 60 words' {
        $response = New-HumanloopCompletion @prompt -Inputs @{ topic = 'kites'; audience = 'pilots' } -NumSamples 3 -ErrorAction Stop

        $response.Data.Count | Should -Be 3
        $response | Should-HumanloopContain 'kites'
        $response | Should-HumanloopWordCount -Minimum 1 -Maximum 59
    }
}
