# Invoke-HumanloopEvaluation and Should-HumanloopPassEvaluation against the real local server: configs over a
# dataset with server and local evaluators, the summaries, thresholds, the delta against the previous run,
# evaluator errors, the throttle, and Ctrl+C. The mock provider echoes the prompt ("Echo: About tides …"),
# so a config whose template names the topic mentions it and one that does not, does not.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

    $script:files = Join-Path ([IO.Path]::GetTempPath()) ("hl-evaluation-" + [guid]::NewGuid())
    New-Item -ItemType Directory -Path $files | Out-Null

    function script:New-CasesFile([string] $Name, [string[]] $Topics, [switch] $WithExpectations) {
        $path = Join-Path $files "$Name.csv"
        $rows = foreach ($topic in $Topics) {
            if ($WithExpectations) { "$topic,$topic,icontains:$topic" } else { "$topic,$topic" }
        }
        $header = if ($WithExpectations) { 'name,topic,expect' } else { 'name,topic' }
        Set-Content -LiteralPath $path -Value (@($header) + $rows)
        $path
    }

    function script:New-EvaluationProject([string] $Name) {
        $project = New-HumanloopProject -Name "$Name-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $good = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'names topic' -Provider mock -Model mock-1 -PromptTemplate 'About {{topic}}' -Temperature 0
        $bad = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'forgets topic' -Provider mock -Model mock-1 -PromptTemplate 'Say hello' -Temperature 0
        [pscustomobject]@{ Project = $project; Good = $good.Config.Id; Bad = $bad.Config.Id }
    }

    $script:topics = 'tides', 'glaciers', 'volcanoes'
    $script:casesPath = New-CasesFile -Name 'topics' -Topics $topics
}

AfterAll {
    Disconnect-Humanloop
    $server | Stop-ReadyProcess
    Remove-Item -Recurse -Force $files -ErrorAction SilentlyContinue
}

Describe 'Invoke-HumanloopEvaluation' {
    BeforeAll {
        $script:setup = New-EvaluationProject 'runner'
        $script:builtin = New-HumanloopEvaluator -Name "topic named $([guid]::NewGuid().ToString('n').Substring(0, 6))" -Code 'builtin:icontains:{{topic}}'
        $script:summaries = Invoke-HumanloopEvaluation -ProjectId $setup.Project.Id -ModelConfigId $setup.Good, $setup.Bad -Path $casesPath `
            -Evaluator $builtin.Id -Expect 'icontains:{{topic}}' -LocalEvaluator @{ 'starts with echo' = { param($Log) $Log.Output.StartsWith('Echo:') } }
    }

    It 'writes a typed summary per config and evaluator: server evaluators, then -Expect, then -LocalEvaluator' {
        $summaries.Count | Should -Be 6
        $summaries | Should -BeOfType Humanloop.PowerShell.Evaluations.EvaluationSummary
        ($summaries | Where-Object ConfigId -eq $setup.Good).Evaluator | Should -Be $builtin.Name, 'icontains:{{topic}}', 'starts with echo'
        ($summaries | Where-Object ConfigId -eq $setup.Good)[0].Source | Should -Be 'python'
        ($summaries | Where-Object ConfigId -eq $setup.Good)[1].Source | Should -Be 'local'
        $summaries.Datapoints | Sort-Object -Unique | Should -Be 3
        $summaries.Count | Should -Be 6
    }

    It 'scores the fraction of true results, the same on the server and locally' {
        $good = $summaries | Where-Object ConfigId -eq $setup.Good
        $bad = $summaries | Where-Object ConfigId -eq $setup.Bad
        $good.Score | Should -Be 1, 1, 1
        $good | ForEach-Object Count | Should -Be 3, 3, 3
        $good.Errors | Should -Be 0, 0, 0
        $bad[0].Score | Should -Be 0
        $bad[1].Score | Should -Be 0
        $bad[2].Score | Should -Be 1
    }

    It 'stores every run, log and result on the server, completed' {
        $ids = $summaries.EvaluationId | Sort-Object -Unique
        $ids.Count | Should -Be 2
        foreach ($id in $ids) {
            $evaluation = Get-HumanloopEvaluation -EvaluationId $id -IncludeAggregates
            $evaluation.Status | Should -Be 'completed'
            $evaluation.Evaluators.Count | Should -Be 3
            $results = @(Get-HumanloopEvaluationResult -EvaluationId $id)
            $results.Count | Should -Be 3
            $results | ForEach-Object { $_.Log.Output | Should -BeLike 'Echo:*' }
            $results | ForEach-Object { $_.EvaluationResults.Count | Should -Be 3 }
        }
    }

    It 'makes a dataset of the file once, and compares a second run with the first' {
        $again = Invoke-HumanloopEvaluation -ProjectId $setup.Project.Id -ModelConfigId $setup.Good -Path $casesPath -Expect 'icontains:{{topic}}'

        $again.DatasetId | Should -Be ($summaries[0].DatasetId)
        $again.Previous | Should -Be 1
        $again.Delta | Should -Be 0
        $again.PreviousEvaluationId | Should -Be ($summaries | Where-Object { $_.ConfigId -eq $setup.Good -and $_.Evaluator -eq 'icontains:{{topic}}' }).EvaluationId
    }

    It 'reports a drop as a negative delta against the same evaluator on the same config' {
        $setup2 = New-EvaluationProject 'delta'
        $before = Invoke-HumanloopEvaluation -ProjectId $setup2.Project.Id -ModelConfigId $setup2.Good -Path $casesPath -Expect 'icontains:tides'
        $after = Invoke-HumanloopEvaluation -ProjectId $setup2.Project.Id -ModelConfigId $setup2.Good -Path $casesPath -Expect 'icontains:tides' -LocalEvaluator @{ 'long' = { param($Log) $Log.Output.Length } }

        $before.Previous | Should -BeNullOrEmpty
        $before.Delta | Should -BeNullOrEmpty
        [math]::Round($before.Score, 4) | Should -Be 0.3333
        $after[0].Delta | Should -Be 0
        $after[1].Evaluator | Should -Be 'long'
        $after[1].Previous | Should -BeNullOrEmpty -Because 'the number evaluator did not run before'
        $after[1].Score | Should -BeGreaterThan 10
    }

    It 'creates a new script evaluator once, on its first verdict, and gives it to every config''s run' {
        $name = "words $([guid]::NewGuid().ToString('n').Substring(0, 6))"
        $result = Invoke-HumanloopEvaluation -ProjectId $setup.Project.Id -ModelConfigId $setup.Good, $setup.Bad -Path $casesPath -ThrottleLimit 6 -WarningVariable warned -LocalEvaluator @{ $name = { param($Log) ($Log.Output -split ' ').Count } }

        $warned | Should -BeNullOrEmpty
        $result.Count | Should -Be 2
        $result | ForEach-Object Count | Should -Be 3, 3
        $result | ForEach-Object Errors | Should -Be 0, 0
        $created = @(Get-HumanloopEvaluator -Name $name)
        $created.Count | Should -Be 1
        $created[0].Type | Should -Be 'external'
        $created[0].ReturnType | Should -Be 'number'
    }

    It 'judges the expectations a dataset file carries as the evaluator expect' {
        $path = New-CasesFile -Name 'expecting' -Topics 'tides', 'glaciers' -WithExpectations
        $result = Invoke-HumanloopEvaluation -ProjectId $setup.Project.Id -ModelConfigId $setup.Good, $setup.Bad -Path $path

        $result.Evaluator | Sort-Object -Unique | Should -Be 'expect'
        ($result | Where-Object ConfigId -eq $setup.Good).Score | Should -Be 1
        ($result | Where-Object ConfigId -eq $setup.Bad).Score | Should -Be 0
    }

    It 'evaluates a deployed config and an inline chat config' {
        $setup3 = New-EvaluationProject 'deployed'
        $null = Publish-HumanloopModelConfig -ProjectId $setup3.Project.Id -ModelConfigId $setup3.Good -Environment production
        $chat = @{ provider = 'mock'; model = 'mock-1'; temperature = 0; chat_template = @(@{ role = 'system'; content = 'About {{topic}}' }) }

        $result = Invoke-HumanloopEvaluation -ProjectId $setup3.Project.Id -Environment production -ModelConfig $chat -Path $casesPath -Expect 'icontains:{{topic}}'

        $result.Count | Should -Be 2
        $result[0].Config | Should -BeLike 'production: *'
        $result[0].ConfigId | Should -Be $setup3.Good
        $result[1].ConfigId | Should -Not -Be $setup3.Good
        $result.Score | Should -Be 1, 1
    }

    It 'counts an evaluator that throws, or returns what is not a verdict, as that datapoint''s error and goes on' {
        $result = Invoke-HumanloopEvaluation -ProjectId $setup.Project.Id -ModelConfigId $setup.Good -Path $casesPath -WarningVariable warned -WarningAction SilentlyContinue -LocalEvaluator @{
            'fails on glaciers' = { param($Log, $Datapoint) if ($Datapoint.Inputs.topic -eq 'glaciers') { throw 'no ice here' }; $true }
            'says yes' = { 'yes' }
        }

        $fails = $result | Where-Object Evaluator -eq 'fails on glaciers'
        $fails.Count | Should -Be 2
        $fails.Errors | Should -Be 1
        $fails.Score | Should -Be 1
        $fails.ErrorMessages | Should -Be 'no ice here'
        $says = $result | Where-Object Evaluator -eq 'says yes'
        $says.Errors | Should -Be 3
        $says.Score | Should -BeNullOrEmpty
        $says.ErrorMessages[0] | Should -BeLike "returned 'yes' (String)*"
        @($warned | Where-Object { "$_" -like "*'fails on glaciers' failed: no ice here*" }).Count | Should -Be 1
        (Get-HumanloopEvaluation -EvaluationId $fails.EvaluationId).Status | Should -Be 'completed'
    }

    It 'records a generation that failed as the error of every evaluator for that datapoint' {
        $project = New-HumanloopProject -Name "broken-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $broken = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'unknown provider key' -Provider openai -Model gpt-4o -PromptTemplate 'About {{topic}}'

        $result = Invoke-HumanloopEvaluation -ProjectId $project.Id -ModelConfigId $broken.Config.Id -Path $casesPath -Expect 'icontains:{{topic}}' -WarningAction SilentlyContinue

        $result.Errors | Should -Be 3
        $result.Count | Should -Be 0
        $result.ErrorMessages[0] | Should -BeLike 'generation failed:*'
    }

    It 'stops before creating anything when a threshold names no evaluator, or an evaluator is unknown' {
        $setup4 = New-EvaluationProject 'mistakes'

        { Invoke-HumanloopEvaluation -ProjectId $setup4.Project.Id -ModelConfigId $setup4.Good -Path $casesPath -Expect 'icontains:x' -Threshold @{ 'contains' = 0.9 } } |
            Should -Throw -ErrorId 'Humanloop.Evaluation.InvalidRun,*' -ExpectedMessage "*'contains'*match none*'icontains:x'*"
        { Invoke-HumanloopEvaluation -ProjectId $setup4.Project.Id -ModelConfigId $setup4.Good -Path $casesPath -Evaluator 'no such evaluator' } |
            Should -Throw -ExpectedMessage "*no evaluator with the id or name 'no such evaluator'*"
        { Invoke-HumanloopEvaluation -ProjectId $setup4.Project.Id -ModelConfigId $setup4.Good -Path $casesPath -Expect 'contains' } |
            Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*'
        { Invoke-HumanloopEvaluation -ProjectId $setup4.Project.Id -Path $casesPath } | Should -Throw -ExpectedMessage '*-ModelConfigId, -Environment or -ModelConfig*'
        @(Get-HumanloopEvaluation -ProjectId $setup4.Project.Id).Count | Should -Be 0
        @(Get-HumanloopDataset -ProjectId $setup4.Project.Id).Count | Should -Be 0
    }

    It 'creates nothing with -WhatIf' {
        $setup5 = New-EvaluationProject 'whatif'

        Invoke-HumanloopEvaluation -ProjectId $setup5.Project.Id -ModelConfigId $setup5.Good -Path $casesPath -Expect 'icontains:x' -WhatIf

        @(Get-HumanloopEvaluation -ProjectId $setup5.Project.Id).Count | Should -Be 0
    }
}

Describe 'Thresholds' {
    BeforeAll {
        $script:setup = New-EvaluationProject 'thresholds'
    }

    It 'passes a run that meets them and marks each summary' {
        $result = Invoke-HumanloopEvaluation -ProjectId $setup.Project.Id -ModelConfigId $setup.Good -Path $casesPath -Expect 'icontains:{{topic}}', 'icontains:tides' -Threshold @{ 'icontains:{{*' = 1; 'icontains:tides' = 0.3 }

        $result.Threshold | Should -Be 1, 0.3
        $result.Passed | Should -Be $true, $true
    }

    It 'ends a run below a threshold with a terminating error naming the config and evaluator, after writing the summaries' {
        $caught = $null
        try {
            Invoke-HumanloopEvaluation -ProjectId $setup.Project.Id -ModelConfigId $setup.Good, $setup.Bad -Path $casesPath -Expect 'icontains:{{topic}}' -Threshold 0.9 -OutVariable written
        }
        catch {
            $caught = $_
        }

        $caught.FullyQualifiedErrorId | Should -BeLike 'Humanloop.Evaluation.BelowThreshold*'
        "$caught" | Should -BeLike "*forgets topic / icontains:{{topic}}*scored 0, below the threshold 0.9*"
        "$caught" | Should -Not -BeLike '*names topic /*'
        $written.Count | Should -Be 2
        ($written | Where-Object ConfigId -eq $setup.Bad).Passed | Should -BeFalse
    }
}

Describe 'Should-HumanloopPassEvaluation' {
    BeforeAll {
        $script:setup = New-EvaluationProject 'should'
        $script:first = Invoke-HumanloopEvaluation -ProjectId $setup.Project.Id -ModelConfigId $setup.Good, $setup.Bad -Path $casesPath -Expect 'icontains:{{topic}}'
    }

    It 'passes summaries without thresholds, and ones that meet -Threshold' {
        $first | Should-HumanloopPassEvaluation
        $first | Where-Object ConfigId -eq $setup.Good | Should-HumanloopPassEvaluation -Threshold @{ 'icontains*' = 1 }
    }

    It 'fails, listing what fell short, when a config scores below the threshold' {
        { $first | Should-HumanloopPassEvaluation -Threshold 0.5 -Because 'the candidate must name the topic' } |
            Should -Throw -ExpectedMessage "*because the candidate must name the topic*forgets topic / icontains:{{topic}}*scored 0, below the threshold 0.5*"
    }

    It 'fails when a score fell by more than -MaximumDrop since the previous run' {
        # The same config, dataset and evaluator name, now judged by a stricter script: a regression.
        $null = Invoke-HumanloopEvaluation -ProjectId $setup.Project.Id -ModelConfigId $setup.Good -Path $casesPath -LocalEvaluator @{ strict = { $true } }
        $regressed = Invoke-HumanloopEvaluation -ProjectId $setup.Project.Id -ModelConfigId $setup.Good -Path $casesPath -LocalEvaluator @{ strict = { param($Log, $Datapoint) $Datapoint.Inputs.topic -eq 'tides' } }

        $regressed.Delta | Should -BeLessThan -0.6
        $regressed | Should-HumanloopPassEvaluation -MaximumDrop 0.7
        { $regressed | Should-HumanloopPassEvaluation -MaximumDrop 0.1 } | Should -Throw -ExpectedMessage '*names topic / strict*fell by 0.667*more than 0.1*'
    }

    It 'fails when given something other than summaries' {
        { 'text' | Should-HumanloopPassEvaluation } | Should -Throw -ExpectedMessage '*summaries Invoke-HumanloopEvaluation writes*System.String*'
        { @() | Should-HumanloopPassEvaluation } | Should -Throw -ExpectedMessage '*given nothing*'
    }
}

Describe 'Throttle and progress' {
    It 'keeps at most -ThrottleLimit generations in flight' {
        $setup = New-EvaluationProject 'throttle'
        $slow = Register-HumanloopModelConfig -ProjectId $setup.Project.Id -Name slow -ModelConfig @{ provider = 'mock'; model = 'mock-1'; prompt_template = 'About {{topic}}'; other = @{ mock_token_delay_ms = 20 } }
        $path = New-CasesFile -Name 'many' -Topics (1..8 | ForEach-Object { "topic$_" })

        $inFlight = foreach ($limit in 1, 3) {
            $lines = Invoke-HumanloopEvaluation -ProjectId $setup.Project.Id -ModelConfigId $slow.Config.Id -Path $path -Expect 'icontains:topic' -ThrottleLimit $limit -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'completion-model-config' } | ForEach-Object Message
            $now = 0
            $most = 0
            foreach ($line in $lines) {
                if ($line -match ' answered ') { $now-- } else { $now++; $most = [math]::Max($most, $now) }
            }
            $most
        }

        $inFlight[0] | Should -Be 1
        $inFlight[1] | Should -BeLessOrEqual 3
        $inFlight[1] | Should -BeGreaterThan 1 -Because 'eight slow generations with room for three overlap'
    }

    It 'shows a progress bar when asked with -ProgressAction, ending it when done' {
        $setup = New-EvaluationProject 'progress'
        $modulePath = Join-Path $RepoRoot 'output/Humanloop'
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$modulePath'; Invoke-HumanloopEvaluation -ProjectId '$($setup.Project.Id)' -ModelConfigId '$($setup.Good)' -Path '$casesPath' -Expect 'icontains:{{topic}}' -ProgressAction Continue -ApiKey '$TestApiKey' -BaseUri '$($server.Uri)'").Invoke()
            $progress = @($shell.Streams.Progress)
        }
        finally {
            $shell.Dispose()
        }

        $progress[0].Activity | Should -Be 'Evaluating 1 config(s) over 3 datapoint(s)'
        $progress[0].StatusDescription | Should -BeLike '0 of 3 done, 0 failed, *'
        ($progress | Where-Object RecordType -eq 'Processing')[-1].StatusDescription | Should -BeLike '3 of 3 done, 0 failed, */s'
        $progress[-1].RecordType | Should -Be 'Completed'
    }

    It 'words progress as done, failed, in flight, rate and time left' {
        $start = [datetime]::new(2026, 11, 30, 12, 0, 0, [DateTimeKind]::Utc)
        $progress = [Humanloop.PowerShell.Infrastructure.WorkProgress]::new('Evaluating 2 config(s) over 5 datapoint(s)', $start, 10)
        1..4 | ForEach-Object { $progress.Begun() }
        $null = $progress.Done($true, $start.AddSeconds(1))
        $record = $progress.Done($false, $start.AddSeconds(2))

        $record.StatusDescription | Should -Be '2 of 10 done, 1 failed, 2 in flight, 1.0/s'
        $record.PercentComplete | Should -Be 20
        $record.SecondsRemaining | Should -Be 8
        $record.Activity | Should -Be 'Evaluating 2 config(s) over 5 datapoint(s)'
        $progress.Done($true, $start.AddSeconds(2.1)) | Should -BeNullOrEmpty -Because 'a record was shown less than 250 ms before'
        $progress.Completed().RecordType | Should -Be 'Completed'
    }

    It 'words progress without a time left while items are still coming' {
        $start = [datetime]::new(2026, 11, 30, 12, 0, 0, [DateTimeKind]::Utc)
        $progress = [Humanloop.PowerShell.Infrastructure.WorkProgress]::new('Generating', $start, 0, $false)
        1..3 | ForEach-Object { $progress.AddItem(); $progress.Begun() }
        $record = $progress.Done($true, $start.AddSeconds(1))

        $record.StatusDescription | Should -Be '1 of 3+ done, 0 failed, 2 in flight, 1.0/s'
        $record.PercentComplete | Should -Be -1
        $record.SecondsRemaining | Should -Be -1

        $progress.AllItemsAdded()
        $record = $progress.Update($start.AddSeconds(2))
        $record.StatusDescription | Should -Be '1 of 3 done, 0 failed, 2 in flight, 0.5/s'
        $record.SecondsRemaining | Should -Be 4
        $null = $progress.Done($true, $start.AddSeconds(2.01))
        $progress.Done($true, $start.AddSeconds(2.02)).StatusDescription | Should -BeLike '3 of 3 done, *' -Because 'the last item is always shown'
    }

    It 'shows progress only to a person: not in CI, not redirected, not -NonInteractive' {
        $none = { param($name) $null }
        $ci = { param($name) if ($name -eq 'CI') { 'true' } }
        [Humanloop.PowerShell.Infrastructure.Interactivity]::IsInteractive($none, $false, @('pwsh')) | Should -BeTrue
        [Humanloop.PowerShell.Infrastructure.Interactivity]::IsInteractive($ci, $false, @('pwsh')) | Should -BeFalse
        [Humanloop.PowerShell.Infrastructure.Interactivity]::IsInteractive($none, $true, @('pwsh')) | Should -BeFalse
        [Humanloop.PowerShell.Infrastructure.Interactivity]::IsInteractive($none, $false, @('pwsh', '-NonInteractive')) | Should -BeFalse
        [Humanloop.PowerShell.Infrastructure.Interactivity]::IsInteractive($none, $false, @('pwsh', '-noni')) | Should -BeFalse
        [Humanloop.PowerShell.Infrastructure.Interactivity]::IsInteractive($none, $false, @('pwsh', '-NoProfile')) | Should -BeTrue
    }
}

Describe 'Ctrl+C' {
    BeforeAll {
        # Generations that never answer (a fault rule stalls them), so the run is surely in flight when stopped.
        $script:faultServer = Start-HumanloopTestServer -Arguments '--enable-faults', '--in-memory'
        $script:on = @{ ApiKey = $TestApiKey; BaseUri = $faultServer.Uri }
    }

    AfterAll {
        $faultServer | Stop-ReadyProcess
    }

    It 'stops the run at once and marks it cancelled' {
        $project = New-HumanloopProject -Name 'cancel' @on
        $config = Register-HumanloopModelConfig -ProjectId $project.Id -Name stalled -Provider mock -Model mock-1 -PromptTemplate 'About {{topic}}' @on
        Add-ServerFault $faultServer @{ path = '/v4/completion-model-config'; fault = 'stall_before_headers'; count = 100 }
        $modulePath = Join-Path $RepoRoot 'output/Humanloop'
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$modulePath'; Invoke-HumanloopEvaluation -ProjectId '$($project.Id)' -ModelConfigId '$($config.Config.Id)' -Path '$casesPath' -Expect 'icontains:topic' -ThrottleLimit 2 -ApiKey '$TestApiKey' -BaseUri '$($faultServer.Uri)'")
            $async = $shell.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while ((Get-ServerRequestCount $faultServer -Path '/v4/completion-model-config') -lt 2 -and [datetime]::UtcNow -lt $deadline -and -not $async.IsCompleted) {
                Start-Sleep -Milliseconds 50
            }
            Get-ServerRequestCount $faultServer -Path '/v4/completion-model-config' | Should -Be 2 -Because 'two generations should be in flight'
            $run = Get-HumanloopEvaluation -ProjectId $project.Id @on

            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $watch.Stop()

            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            $watch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(5))
            $status = $null
            $deadline = [datetime]::UtcNow.AddSeconds(15)
            while ($status -ne 'cancelled' -and [datetime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
                $status = (Get-HumanloopEvaluation -EvaluationId $run.Id @on).Status
            }
            $status | Should -Be 'cancelled'
            @(Get-HumanloopEvaluationResult -EvaluationId $run.Id @on | Where-Object Log).Count | Should -Be 0
        }
        finally {
            $shell.Dispose()
            Clear-ServerFault $faultServer
        }
    }
}

Describe 'The evaluation example' {
    # examples/evaluation as a user's CI runs it, in its own process with its own local server: with the
    # committed candidate it passes (build.ps1 runs that as its own suite); with a candidate that no longer
    # names the topic, its Pester test fails and says why.
    It 'fails the candidate that regressed, naming the evaluators it fell short on' {
        $counts = Join-Path $files 'regressed.counts.json'
        $script = Join-Path $RepoRoot 'examples/evaluation/Invoke-Evaluation.ps1'
        $regressed = Join-Path $RepoRoot 'examples/evaluation/configs/regressed.json'
        $serverDll = Join-Path $RepoRoot 'src/Humanloop.Server/bin/Release/net10.0/Humanloop.Server.dll'

        $null = Invoke-FreshPwsh -Script "& '$script' -Candidate '$regressed' -ServerPath '$serverDll' -CountsPath '$counts'" -Environment @{ HUMANLOOP_BASE_URL = $null; HUMANLOOP_API_KEY = $null }

        $result = Get-Content -Raw $counts | ConvertFrom-Json
        $result.Failed | Should -Be 1
        $result.Passed | Should -Be 2
        $result.Failures[0].Name | Should -Be 'the candidate config meets every threshold and has not regressed'
        $result.Failures[0].Message | Should -BeLike '*support-v2-short / icontains:{{topic}}*scored 0, below the threshold 1*'
        $result.Failures[0].Message | Should -BeLike '*support-v2-short / names the topic (judge)*below the threshold 0.8*'
    }
}
