<#
.SYNOPSIS
    Issue 15: what the server's openai provider adds to a completion. The same completions go through the local
    server (provider openai, pointed at an OpenAI-compatible stub) and straight to the stub, from -Clients
    concurrent clients.

.DESCRIPTION
    Each round runs both contenders, -RequestsPerClient requests per client, in an order that alternates from
    round to round, so a slow moment of the machine falls on both. Writes every request's latency (ms) per
    contender to -ResultPath as JSON.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $StubUri,
    [Parameter(Mandatory)] [string] $ResultPath,
    [int] $Clients = 16,
    [int] $RequestsPerClient = 200,
    [int] $Rounds = 5,
    [int] $WarmupPerClient = 20
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../BenchSupport.ps1')

Import-Module $ModulePath
Import-BenchHelpers -ModuleBase (Get-Module Humanloop).ModuleBase

# Through the server: a completion with an inline openai config. Straight to the stub: the chat completion the
# server sends upstream for it (the rendered prompt as one user message, the same parameters).
$serverBody = [ordered]@{
    project      = 'bench-forwarding'
    inputs       = @{ question = 'What does a forwarding proxy add?' }
    model_config = [ordered]@{ provider = 'openai'; model = 'gpt-bench'; prompt_template = 'Answer briefly: {{question}}'; max_tokens = 12; temperature = 0 }
} | ConvertTo-Json -Compress -Depth 5
$directBody = [ordered]@{
    model      = 'gpt-bench'
    messages   = @(@{ role = 'user'; content = 'Answer briefly: What does a forwarding proxy add?' })
    max_tokens = 12
    temperature = 0
    n          = 1
    stream     = $false
} | ConvertTo-Json -Compress -Depth 5

$contenders = [ordered]@{
    'Through the server (openai provider)' = @{ Url = "$BaseUri/completion"; Body = $serverBody; Key = $BenchApiKey }
    'Straight to the stub'                 = @{ Url = "$StubUri/v1/chat/completions"; Body = $directBody; Key = $null }
}

foreach ($contender in $contenders.Values) {
    $null = [HumanloopBench.ForwardingLoad]::Run($contender.Url, $contender.Body, $contender.Key, $Clients, $WarmupPerClient)
}

$latencies = [ordered]@{}
foreach ($name in $contenders.Keys) { $latencies[$name] = [System.Collections.Generic.List[double]]::new() }
$names = @($contenders.Keys)
for ($round = 0; $round -lt $Rounds; $round++) {
    [GC]::Collect()
    $order = if ($round % 2 -eq 0) { $names } else { @($names[1], $names[0]) }
    foreach ($name in $order) {
        $contender = $contenders[$name]
        $latencies[$name].AddRange([HumanloopBench.ForwardingLoad]::Run($contender.Url, $contender.Body, $contender.Key, $Clients, $RequestsPerClient))
    }
    Write-Host ("  round {0}/{1} done" -f ($round + 1), $Rounds)
}

[ordered]@{
    Clients           = $Clients
    RequestsPerClient = $RequestsPerClient
    Rounds            = $Rounds
    Contenders        = @(foreach ($name in $names) { [ordered]@{ Name = $name; LatenciesMs = $latencies[$name].ToArray() } })
} | ConvertTo-Json -Depth 5 -Compress | Set-Content -Path $ResultPath -Encoding utf8
