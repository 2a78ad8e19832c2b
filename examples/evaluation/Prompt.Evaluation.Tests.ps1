# The support-bot prompt's evaluation, as a CI job keeps it: the deployed config and a candidate run over
# the committed cases, each scored by a check of the module, a local script block and a model-graded
# evaluator on the server; every config must meet the thresholds, and none may fall far since its last
# run. Invoke-Evaluation.ps1 runs this against the local server (mock provider, offline); any v4 server
# works when HUMANLOOP_BASE_URL and HUMANLOOP_API_KEY point at it.

param(
    # The candidate config to compare with the deployed one: a JSON file of API field names.
    [string] $Candidate = (Join-Path $PSScriptRoot 'configs/candidate.json')
)

BeforeAll {
    Import-Module Humanloop -ErrorAction Stop

    function Read-Config([string] $Path) { Get-Content -Raw -LiteralPath $Path | ConvertFrom-Json -AsHashtable }

    # The project, its deployed config and the judge: made on first use, found afterwards.
    $project = Get-HumanloopProject -Name 'support-bot' -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $project) {
        $project = New-HumanloopProject -Name 'support-bot'
    }
    $deployed = Register-HumanloopModelConfig -ProjectId $project.Id -ModelConfig (Read-Config (Join-Path $PSScriptRoot 'configs/production.json'))
    $null = $deployed | Publish-HumanloopModelConfig -Environment production
    $candidateConfig = Register-HumanloopModelConfig -ProjectId $project.Id -ModelConfig (Read-Config $Candidate)

    $judgeName = 'names the topic (judge)'
    $judge = Get-HumanloopEvaluator -Name $judgeName -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $judge) {
        # On the local server the mock provider grades this prompt offline; elsewhere, give a real model.
        $judge = New-HumanloopEvaluator -Name $judgeName -ArgumentsType target_free -ModelConfig @{
            provider        = 'mock'
            model           = 'judge-1'
            prompt_template = '<output>{{log.output}}</output> <criterion>The answer mentions "{{topic}}".</criterion> Reply with JSON {"pass": true|false}.'
        }
    }

    $script:configIds = @{ deployed = $deployed.Config.Id; candidate = $candidateConfig.Config.Id }
    $script:summaries = $judge | Invoke-HumanloopEvaluation -ProjectId $project.Id -Environment production -ModelConfigId $candidateConfig.Config.Id `
        -Path (Join-Path $PSScriptRoot 'cases.csv') -DatasetName 'support-bot cases' `
        -Expect 'icontains:{{topic}}' `
        -LocalEvaluator @{ 'under 80 words' = { param($Log) ($Log.Output -split '\s+').Count -le 80 } }
    $script:thresholds = @{ 'icontains:*' = 1; 'under 80 words' = 0.9; $judgeName = 0.8 }
}

Describe 'The support-bot prompt' {
    It 'the <_> config meets every threshold and has not regressed' -ForEach 'deployed', 'candidate' {
        $summaries | Where-Object ConfigId -eq $configIds[$_] | Should-HumanloopPassEvaluation -Threshold $thresholds -MaximumDrop 0.1
    }

    It 'scored every case with every evaluator' {
        $summaries.Count | Should -Be 6
        $summaries | ForEach-Object { $_.Count + $_.Errors | Should -Be 6 -Because "$($_.Config) / $($_.Evaluator) covers every case" }
    }
}
