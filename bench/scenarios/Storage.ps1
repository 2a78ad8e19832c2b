<#
.SYNOPSIS
    Issue 15: completions with logging per second under 16 concurrent clients, on SQLite, on PostgreSQL, and on two
    PostgreSQL replicas sharing one database.

.DESCRIPTION
    The servers are started by the orchestrator; this script only loads them. Each round runs every contender once,
    in an order that rotates from round to round, so a slow moment on the shared machine falls on all of them alike.
    Writes every round's requests/s per contender to -ResultPath as JSON.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [Parameter(Mandatory)] [string] $SqliteUri,
    [Parameter(Mandatory)] [string] $PostgresUri,
    [Parameter(Mandatory)] [string] $SecondPostgresUri,
    [int] $Requests = 2000,
    [int] $Rounds = 5,
    [int] $Clients = 16,
    [int] $WarmupRequests = 200
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../BenchSupport.ps1')

$module = Import-Module $ModulePath -PassThru
Import-BenchHelpers -ModuleBase $module.ModuleBase

$completion = Get-BenchCompletionParameters
$body = @{
    project      = 'bench-storage'
    model_config = @{ provider = $completion.Provider; model = $completion.Model; prompt_template = $completion.PromptTemplate; max_tokens = $completion.MaxTokens }
    inputs       = $completion.Inputs
} | ConvertTo-Json -Compress -Depth 5

$contenders = @(
    [pscustomobject]@{ Name = 'SQLite (one server, data folder)'; Uris = [string[]]@($SqliteUri); Rates = [System.Collections.Generic.List[double]]::new() }
    [pscustomobject]@{ Name = 'PostgreSQL (one server)'; Uris = [string[]]@($PostgresUri); Rates = [System.Collections.Generic.List[double]]::new() }
    [pscustomobject]@{ Name = 'PostgreSQL (two replicas, requests alternating)'; Uris = [string[]]@($PostgresUri, $SecondPostgresUri); Rates = [System.Collections.Generic.List[double]]::new() }
)

foreach ($contender in $contenders) {
    $null = [HumanloopBench.ConcurrentLoad]::Run($contender.Uris, $BenchApiKey, $body, $Clients, $WarmupRequests)
}

for ($round = 0; $round -lt $Rounds; $round++) {
    for ($turn = 0; $turn -lt $contenders.Count; $turn++) {
        $contender = $contenders[($round + $turn) % $contenders.Count]
        $timing = [HumanloopBench.ConcurrentLoad]::Run($contender.Uris, $BenchApiKey, $body, $Clients, $Requests)
        $contender.Rates.Add($timing.PerSecond)
        Write-Host ("  round {0}: {1}: {2:N0} requests/s" -f ($round + 1), $contender.Name, $timing.PerSecond)
    }
}

@{
    Clients    = $Clients
    Requests   = $Requests
    Contenders = @($contenders | ForEach-Object { @{ Name = $_.Name; Rates = [double[]]$_.Rates } })
} | ConvertTo-Json -Depth 5 | Set-Content -Path $ResultPath -Encoding utf8
