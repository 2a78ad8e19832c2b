<#
.SYNOPSIS
    G3, first-call latency: in a fresh process, the first and second completion through the cmdlet
    (-Mode Cmdlet, after Import-Module) or through Invoke-RestMethod (-Mode RestMethod, the baseline).

.DESCRIPTION
    The process must be fresh: the first call is where assembly loading, JIT and connection set-up land.
    Writes the two latencies (and, for the cmdlet, the import time) to -ResultPath as JSON.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $ResultPath,
    [Parameter(Mandatory)] [ValidateSet('Cmdlet', 'RestMethod')] [string] $Mode
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../BenchSupport.ps1')
$completion = Get-BenchCompletionParameters

if ($Mode -eq 'Cmdlet') {
    $importMs = Measure-Milliseconds { Import-Module $ModulePath }
    Connect-Humanloop -ApiKey $BenchApiKey -BaseUri $BaseUri -SkipCheck
    $call = { $null = New-HumanloopCompletion @completion }
}
else {
    $importMs = 0
    # The JSON the cmdlet sends for these parameters, written out so that no JSON code is warmed up first.
    $body = '{"project":"bench","inputs":{"question":"what is a runbook?"},"model_config":{"provider":"mock","model":"mock-1","max_tokens":12,"prompt_template":"Answer briefly: {{question}}"}}'
    $call = { $null = Invoke-RestMethod -Method Post -Uri "$BaseUri/completion" -Headers @{ 'X-API-KEY' = $BenchApiKey } -ContentType 'application/json' -Body $body }
}

$firstMs = Measure-Milliseconds $call
$secondMs = Measure-Milliseconds $call

[ordered]@{ Mode = $Mode; ImportMs = $importMs; FirstCallMs = $firstMs; SecondCallMs = $secondMs } |
    ConvertTo-Json | Set-Content -Path $ResultPath -Encoding utf8
