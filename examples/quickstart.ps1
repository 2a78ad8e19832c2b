<#
.SYNOPSIS
    The HumanloopPS quick start: a project, two competing model configs, an experiment over a CSV,
    a live stream, feedback, and the results as tables.

.DESCRIPTION
    Talks to the endpoint in $env:HUMANLOOP_BASE_URL with the key in $env:HUMANLOOP_API_KEY, or to the
    current Connect-Humanloop connection when those are not set. `dotnet pwsh ./build.ps1 -Task Demo`
    runs it against the local server that ships with the project (mock provider, no network).

    Safe to run again against a persistent server: the project is reused, registering an identical
    config returns the existing one, and each run adds an experiment of its own.

.EXAMPLE
    $env:HUMANLOOP_BASE_URL = 'http://127.0.0.1:5080/v4'; $env:HUMANLOOP_API_KEY = 'hl_dev_…'
    ./examples/quickstart.ps1

.EXAMPLE
    ./examples/quickstart.ps1 -Provider openai -Model gpt-4o-mini
#>
[CmdletBinding()]
param(
    # The module to import: the built one in output/ when present, else an installed Humanloop.
    [string] $ModulePath = (Join-Path $PSScriptRoot '../output/Humanloop'),
    [string] $ProjectName = 'HumanloopPS quick start',
    [string] $Provider = 'mock',
    [string] $Model = 'mock-1',
    [string] $InputPath = (Join-Path $PSScriptRoot 'quickstart-inputs.csv')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

Import-Module $(if (Test-Path $ModulePath) { (Resolve-Path $ModulePath).Path } else { 'Humanloop' })

# 1. Connect: the environment wins over an existing connection.
if ($env:HUMANLOOP_API_KEY) {
    $endpoint = @{}
    if ($env:HUMANLOOP_BASE_URL) { $endpoint.BaseUri = $env:HUMANLOOP_BASE_URL }
    Connect-Humanloop @endpoint
}
$context = Get-HumanloopContext
if (-not $context.ApiKey) {
    throw 'No Humanloop API key: set HUMANLOOP_API_KEY (and HUMANLOOP_BASE_URL), or run Connect-Humanloop first.'
}
Write-Host "Connected to $($context.BaseUri) with key $($context.ApiKey)."

# 2. The project, reused when it exists.
$project = Get-HumanloopProject -Name $ProjectName -ErrorAction SilentlyContinue | Select-Object -First 1
if (-not $project) {
    $project = New-HumanloopProject -Name $ProjectName
}

# 3. Two configs that differ in tone, and an experiment in which they compete for "rating = good".
$shared = @{ ProjectId = $project.Id; Provider = $Provider; Model = $Model; MaxTokens = 80 }
$concise = Register-HumanloopModelConfig @shared -Name 'concise' -Temperature 0.2 -PromptTemplate 'Answer in one sentence: {{question}}'
$friendly = Register-HumanloopModelConfig @shared -Name 'friendly' -Temperature 0.9 `
    -PromptTemplate 'You are a warm, patient support agent. Greet the customer, then answer their question: {{question}}'
$experiment = Add-HumanloopExperiment -ProjectId $project.Id -Name "tone $(Get-Date -Format 'yyyy-MM-dd HH:mm:ss')" `
    -ModelConfigId $concise.ModelConfigId, $friendly.ModelConfigId -PositiveLabel @{ rating = 'good' }

# 4. Every question of the CSV through the experiment; the server picks a config for each.
$questions = @(Import-Csv $InputPath)
$responses = @($questions | ForEach-Object -Begin { $done = 0 } -Process {
        Write-Progress -Activity "Experiment '$($experiment.Name)'" -Status $_.question -PercentComplete (100 * $done++ / $questions.Count)
        $_
    } | New-HumanloopExperiment -ExperimentId $experiment.Id)
Write-Progress -Activity "Experiment '$($experiment.Name)'" -Completed
Write-Host "Ran $($responses.Count) completions through experiment '$($experiment.Name)'."

# 5. One answer streamed token by token: shown as it arrives, since nothing keeps the output.
Write-Host "`nStreaming an answer from '$($friendly.Config.Name)':"
New-HumanloopCompletion -ModelConfigId $friendly.ModelConfigId -Inputs @{ question = 'Where can I find my invoices?' } -Stream
Write-Host ""

# 6. Feedback. A stand-in for a human verdict: short answers are good answers.
foreach ($response in $responses) {
    $rating = if (($response.Output -split '\s+').Count -le 35) { 'good' } else { 'bad' }
    $null = $response | Add-HumanloopFeedback -Type rating -Value $rating
}

# 7. The results: this run's logs (newest first) and how each config is doing.
Write-Host 'Latest logs:'
Get-HumanloopLog -ProjectId $project.Id | Select-Object -First ($responses.Count + 1) | Format-Table | Out-Host
Write-Host "Experiment '$($experiment.Name)', per config:"
(Get-HumanloopExperiment -ProjectId $project.Id | Where-Object Id -EQ $experiment.Id).Configs | Format-Table | Out-Host
