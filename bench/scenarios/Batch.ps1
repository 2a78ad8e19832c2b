<#
.SYNOPSIS
    Batches: -Inputs completions through New-HumanloopCompletion -ThrottleLimit against a server that takes
    -DelayMs to answer each, against the ideal time (Inputs / ThrottleLimit × DelayMs) and against
    ForEach-Object -Parallel with Invoke-RestMethod at the same throttle.

.DESCRIPTION
    Needs a server started with --enable-faults: every completion is slowed by a fault rule, the "delay" kind
    where the server has it, else "stall_before_headers" with delay_ms (both wait, then answer normally). The
    ideal is ceil(Inputs / ThrottleLimit) rounds of DelayMs. When the cmdlet has no -ThrottleLimit, the result
    says so and nothing is timed. Writes every run's seconds per contender to -ResultPath as JSON.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $ResultPath,
    [int] $Inputs = 200,
    [int] $ThrottleLimit = 16,
    [int] $DelayMs = 200,
    [int] $Runs = 3
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../BenchSupport.ps1')

Import-Module $ModulePath
$result = [ordered]@{ Inputs = $Inputs; ThrottleLimit = $ThrottleLimit; DelayMs = $DelayMs; Runs = $Runs; Measured = $false }
if (-not (Get-Command New-HumanloopCompletion).Parameters.ContainsKey('ThrottleLimit')) {
    $result.NotMeasured = 'New-HumanloopCompletion has no -ThrottleLimit'
    $result | ConvertTo-Json | Set-Content -Path $ResultPath -Encoding utf8
    return
}

Connect-Humanloop -ApiKey $BenchApiKey -BaseUri $BaseUri -SkipCheck
$serverRoot = $BaseUri -replace '/v4$', ''
$completion = Get-BenchCompletionParameters
# Piped inputs need -ModelConfig (see Throughput.ps1); every input asks the same question.
$parameters = @{
    Project     = $completion.Project
    ModelConfig = @{ provider = $completion.Provider; model = $completion.Model; prompt_template = $completion.PromptTemplate; max_tokens = $completion.MaxTokens }
}
$body = ConvertTo-Json -Compress -Depth 5 @{ project = $parameters.Project; inputs = $completion.Inputs; model_config = $parameters.ModelConfig }
$uri = "$BaseUri/completion"

function Set-SlowServer {
    # Enough uses for every request of the run, warm-ups included; cleared before the next contender.
    Invoke-RestMethod -NoProxy -Method Delete -Uri "$serverRoot/_faults" -Headers @{ 'X-API-KEY' = $BenchApiKey } | Out-Null
    $uses = 4 * $Inputs + 100
    try {
        Add-ServerFault -ServerRoot $serverRoot -Rule @{ path = '/v4/completion'; fault = 'delay'; delay_ms = $DelayMs; count = $uses }
        'delay'
    }
    catch {
        # A server without the delay kind refuses the rule (422): a stall that ends after delay_ms does the same.
        Add-ServerFault -ServerRoot $serverRoot -Rule @{ path = '/v4/completion'; fault = 'stall_before_headers'; delay_ms = $DelayMs; count = $uses }
        'stall_before_headers'
    }
}

$contenders = [ordered]@{
    "New-HumanloopCompletion -ThrottleLimit $ThrottleLimit" = {
        $items = foreach ($i in 1..$Inputs) { $completion.Inputs }
        $items | New-HumanloopCompletion @parameters -ThrottleLimit $ThrottleLimit
    }
    "ForEach-Object -Parallel -ThrottleLimit $ThrottleLimit, Invoke-RestMethod" = {
        1..$Inputs | ForEach-Object -ThrottleLimit $ThrottleLimit -Parallel {
            Invoke-RestMethod -Method Post -Uri $using:uri -Headers @{ 'X-API-KEY' = $using:BenchApiKey } -ContentType 'application/json' -Body $using:body
        }
    }
}

$fault = Set-SlowServer
$seconds = [ordered]@{}
foreach ($name in $contenders.Keys) {
    $seconds[$name] = [System.Collections.Generic.List[double]]::new()
    # Warm-up: JIT, connections, runspaces.
    $null = & $contenders[$name]
}

for ($run = 1; $run -le $Runs; $run++) {
    foreach ($name in $contenders.Keys) {
        $null = Set-SlowServer
        [GC]::Collect()
        $answers = $null
        $milliseconds = Measure-Milliseconds { $script:answers = @(& $contenders[$name]) }
        if ($answers.Count -ne $Inputs) {
            throw "$name returned $($answers.Count) answers for $Inputs inputs."
        }
        $seconds[$name].Add($milliseconds / 1000)
    }
    Write-Host ("  run {0}/{1}: {2}" -f $run, $Runs, (($seconds.Keys | ForEach-Object { '{0} {1:N2} s' -f $_, $seconds[$_][-1] }) -join '; '))
}
Invoke-RestMethod -NoProxy -Method Delete -Uri "$serverRoot/_faults" -Headers @{ 'X-API-KEY' = $BenchApiKey } | Out-Null

$result.Measured = $true
$result.Fault = $fault
# Issue 12's ideal: the inputs spread evenly over the throttle's slots (200 / 16 × 200 ms = 2.5 s). Whole
# rounds (13 of 200 ms, 2.6 s) are the floor any client meets; it is reported beside it.
$result.IdealSeconds = $Inputs / $ThrottleLimit * $DelayMs / 1000
$result.WholeRoundsSeconds = [math]::Ceiling($Inputs / $ThrottleLimit) * $DelayMs / 1000
$result.Contenders = @(foreach ($name in $seconds.Keys) { [ordered]@{ Name = $name; Seconds = $seconds[$name].ToArray() } })
$result | ConvertTo-Json -Depth 5 | Set-Content -Path $ResultPath -Encoding utf8
