# Model-graded checks (rubric, factuality, closed QA) against the local server's mock grader, from a
# recording, and test cases checked through Should-HumanloopMeetExpectation and Test-HumanloopOutput.
# The mock grades by finding the quoted terms of the criterion and reference in the output
# (docs/server.md), so every verdict here can be worked out by hand.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
    Set-HumanloopGrader -Provider mock -Model mock-1

    # The mock echoes its prompt: "Echo: Explain the 30-day refund window …".
    $script:inline = @{ Project = 'graded'; Provider = 'mock'; Model = 'mock-1'; PromptTemplate = 'Explain the {{topic}}' }
    $script:completion = New-HumanloopCompletion @inline -Inputs @{ topic = '30-day refund window' } -NumSamples 2
    $script:completionChunks = @(New-HumanloopCompletion @inline -Inputs @{ topic = '30-day refund window' } -Stream)
    $chat = @{ Project = 'graded'; Provider = 'mock'; Model = 'mock-1' }
    $script:chatAnswer = New-HumanloopChat @chat -Messages 'Explain the 30-day refund window'
    $script:chatChunks = @(New-HumanloopChat @chat -Messages 'Explain the 30-day refund window' -NumSamples 2 -Stream)
}

AfterAll {
    Disconnect-Humanloop
    $server | Stop-ReadyProcess
}

Describe 'Set-HumanloopGrader and Get-HumanloopGrader' {
    It 'keeps the grader of the runspace, with the shipped prompts unless replaced' {
        Set-HumanloopGrader -Provider mock -Model mock-1 -Project grading-calls -Prompt @{ Rubric = 'Grade <output> by <criterion> as JSON {"pass": …}.' }

        $grader = Get-HumanloopGrader
        $grader.ModelConfig.Model | Should -Be 'mock-1'
        $grader.Project | Should -Be 'grading-calls'
        $grader.Prompts[[Humanloop.Judging.GradeKind]::Rubric] | Should -BeLike 'Grade <output>*'
        $grader.Prompts[[Humanloop.Judging.GradeKind]::Factuality] | Should -BeLike 'You grade the factual agreement*'
        Set-HumanloopGrader -Provider mock -Model mock-1
    }

    It 'rejects a prompt for a kind that does not exist' {
        { Set-HumanloopGrader -Provider mock -Model mock-1 -Prompt @{ Tone = 'x' } } | Should -Throw "*-Prompt has the key 'Tone'*"
    }
}

Describe 'Should-HumanloopRubric on <Kind>' -ForEach @(
    @{ Kind = 'a completion with two samples'; Value = { $completion }; Count = 2 }
    @{ Kind = 'a completion stream'; Value = { $completionChunks }; Count = 1 }
    @{ Kind = 'a chat'; Value = { $chatAnswer }; Count = 1 }
    @{ Kind = 'a chat stream with two samples'; Value = { $chatChunks }; Count = 2 }
) {
    It 'passes when the grader finds every quoted term' {
        & $Value | Should-HumanloopRubric "names the '30-day' window and the 'refund'"
    }

    It 'fails naming each sample, the grade, the grader''s reason and the grading call''s log' {
        $failure = { & $Value | Should-HumanloopRubric "mentions the 'receipt'" } | Should -Throw -PassThru

        $message = $failure.Exception.Message
        $message | Should -BeLike "Expected every Humanloop sample to meet the rubric 'mentions the 'receipt'' (Should-HumanloopRubric), but*"
        ([regex]::Matches($message, 'was graded 0 by log data_\w+: Found 0 of 1; missing: receipt\.')).Count | Should -Be $Count
    }

    It 'passes with -Not when no sample meets the rubric' {
        & $Value | Should-HumanloopRubric "mentions the 'receipt'" -Not
    }
}

Describe 'Factuality and closed QA' {
    It 'passes a sample that states the reference''s quoted facts, and fails one that does not' {
        $completion | Should-HumanloopFactuality "Refunds are possible within a '30-day' window."
        { $completion | Should-HumanloopFactuality "Refunds need a 'receipt'." } | Should -Throw '*agree with the reference*missing: receipt*'
    }

    It 'judges the answer to a question by its criterion' {
        $chatAnswer | Should-HumanloopClosedQa -Question 'How long is the refund window?' -Criterion "says '30-day'"
        { $chatAnswer | Should-HumanloopClosedQa -Question 'How long?' -Criterion "says 'ninety'" } | Should -Throw "*answer 'How long?' and meet 'says 'ninety''*"
    }

    It 'fails a grade below -MinScore even when the grader passes it' {
        # Unquoted terms: "refund", "window", "receipt", "policy": the output has 2 of 4 (0.5), which passes
        # the mock's half rule but not a minimum of 0.75.
        $completion | Should-HumanloopRubric 'refund window receipt policy'
        { $completion | Should-HumanloopRubric 'refund window receipt policy' -MinScore 0.75 } | Should -Throw '*with a grade of at least 0.75*was graded 0.5*'
    }
}

Describe 'Test-HumanloopOutput with a grader' {
    It 'returns each sample''s grade, reason and the grading call''s log id' {
        $report = $completion | Test-HumanloopOutput -Rubric "names the '30-day' window"

        $report.Passed | Should -BeTrue
        $report.Results.Count | Should -Be 2
        $report.Results[0].Score | Should -Be 1
        $report.Results[0].GraderLogId | Should -BeLike 'data_*'
        $report.Results[0].GraderLogId | Should -Not -Be $report.Results[0].LogId
        (Get-HumanloopLog -Id $report.Results[0].GraderLogId).Output | Should -BeLike '*"pass":true*'
    }

    It 'cannot judge without a grader, with or without -Not' {
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$((Get-Module Humanloop).Path)'; 'some text' | Test-HumanloopOutput -Rubric 'x'")
            $report = $shell.Invoke()[0]
        }
        finally {
            $shell.Dispose()
        }

        $report.Passed | Should -BeFalse
        $report.Results[0].Reason | Should -BeLike '*no grader is set (run Set-HumanloopGrader first)*'
    }
}

Describe 'Reading a verdict' {
    It 'takes the first JSON object of the answer, with text around it' {
        $verdict = [Humanloop.PowerShell.Grading.Grader]::Read('Sure. {"pass": false, "score": 0.25, "reason": "too rude"} Hope that helps.', 'data_g1')

        $verdict.Passed | Should -BeFalse
        $verdict.Score | Should -Be 0.25
        $verdict.Reason | Should -Be 'too rude'
        $verdict.LogId | Should -Be 'data_g1'
    }

    It 'refuses an answer without a verdict, quoting it' {
        { [Humanloop.PowerShell.Grading.Grader]::Read('I think it is fine.', 'data_g2') } | Should -Throw '*did not answer with a JSON verdict*(log data_g2): I think it is fine.*'
    }
}

Describe 'Graded checks from a recording' {
    It 'replays the grading calls offline with the same verdicts' {
        $fixture = Join-Path $TestDrive 'graded.json'
        $live = Use-HumanloopRecording -Path $fixture -Mode Record { $completion | Test-HumanloopOutput -Rubric "names the '30-day' window" }

        # No connection and no server address: the grading calls can only come from the fixture.
        Disconnect-Humanloop
        try {
            $replayed = Use-HumanloopRecording -Path $fixture -Mode Replay { $completion | Test-HumanloopOutput -Rubric "names the '30-day' window" }
        }
        finally {
            Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
        }

        $replayed.Passed | Should -BeTrue
        $replayed.Results.GraderLogId | Should -Be $live.Results.GraderLogId
        $replayed.Results.Reason | Should -Be $live.Results.Reason
    }
}

Describe 'Test cases checked against their expectations' {
    BeforeAll {
        $path = Join-Path $TestDrive 'cases.csv'
        Set-Content -LiteralPath $path -Value @(
            'name,topic,expect'
            'good,30-day refund window,"contains:{{topic}}; icontains:ECHO; words:3..60; tokens<=200; rubric:names the ''refund''; not-regex:\bsorry\b"'
            'bad,30-day refund window,"contains:receipt; tokens<=5; not-contains:refund"'
        )
        $script:cases = @(Import-HumanloopTestCase $path)
    }

    It 'passes a case whose answer meets every expectation' {
        $case = $cases[0]
        New-HumanloopCompletion @inline -Inputs $case.Inputs | Should-HumanloopMeetExpectation $case
    }

    It 'fails a case, listing every expectation that failed' {
        $case = $cases[1]
        $answer = New-HumanloopCompletion @inline -Inputs $case.Inputs

        $failure = { $answer | Should-HumanloopMeetExpectation $case } | Should -Throw -PassThru

        $message = $failure.Exception.Message
        $message | Should -BeLike "*to contain 'receipt' (Should-HumanloopMeetExpectation)*"
        $message | Should -BeLike '*to use at most 5 tokens (Should-HumanloopMeetExpectation)*'
        $message | Should -BeLike "*Expected no Humanloop sample to contain 'refund'*"
    }

    It 'reports one result per expectation through Test-HumanloopOutput -TestCase' {
        $case = $cases[1]
        $reports = @(New-HumanloopCompletion @inline -Inputs $case.Inputs | Test-HumanloopOutput -TestCase $case)

        $reports.Count | Should -Be 3
        $reports.Check | Should -Be 'Contain', 'MaxTokens', 'Contain'
        $reports.Passed | Should -Be $false, $false, $false
    }

    It 'takes expectations written inline, and names a malformed one' {
        $completion | Should-HumanloopMeetExpectation -Expectation 'contains:refund', 'finish:stop|length'
        { $completion | Should-HumanloopMeetExpectation -Expectation 'tokens>=5' } | Should -Throw "*tokens takes an upper bound*"
        { $completion | Should-HumanloopMeetExpectation -Expectation 'smells:nice' } | Should -Throw "*kind 'smells', which is not known*"
    }
}
