<#
.SYNOPSIS
    G1 and G2: sequential non-streaming completions per second, the cmdlet against the direct client and
    against Invoke-RestMethod, all sending the same body to the same local server.

.DESCRIPTION
    Every contender runs $Requests calls per round, in -Slices turns that rotate among the contenders, so
    that drift (another process waking up on a 2-core machine) hits them alike.
    Writes every round's requests/s per contender to -ResultPath as JSON.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $ResultPath,
    [int] $Requests = 1000,
    [int] $Rounds = 7,
    [int] $Slices = 10,
    [int] $WarmupRequests = 100
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../BenchSupport.ps1')

Import-Module $ModulePath
Connect-Humanloop -ApiKey $BenchApiKey -BaseUri $BaseUri -SkipCheck
$completion = Get-BenchCompletionParameters

# Piping inputs in needs -ModelConfig: with -Model and pipeline input the parameter set does not resolve
# (a product bug found here, reported). The request body is the same either way, which is checked below.
$pipelineParameters = @{
    Project     = $completion.Project
    ModelConfig = @{ provider = $completion.Provider; model = $completion.Model; prompt_template = $completion.PromptTemplate; max_tokens = $completion.MaxTokens }
}

function Get-SentBody([scriptblock] $Call) {
    <# The request body a cmdlet call sends, from the client's own debug log. #>
    $debugLines = & { $DebugPreference = 'Continue'; & $Call 5>&1 } | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }
    @($debugLines.Message | Where-Object { $_.StartsWith('Request body: ') })[0].Substring('Request body: '.Length)
}

function ConvertTo-ComparableJson([string] $Json) {
    # Parsed and re-serialized with sorted keys, so that key order does not count as a difference.
    function Sort-Keys($node) {
        if ($node -is [System.Collections.IDictionary]) {
            $sorted = [ordered]@{}
            foreach ($key in ($node.Keys | Sort-Object)) { $sorted[$key] = Sort-Keys $node[$key] }
            return $sorted
        }
        $node
    }
    Sort-Keys (ConvertFrom-Json $Json -AsHashtable) | ConvertTo-Json -Depth 10 -Compress
}

# The body the cmdlet sends is what Invoke-RestMethod sends too.
$cmdletBody = Get-SentBody { New-HumanloopCompletion @completion }
$pipelineBody = Get-SentBody { $completion.Inputs | New-HumanloopCompletion @pipelineParameters }

Import-BenchHelpers -ModuleBase (Get-Module Humanloop).ModuleBase

function New-DirectClient([Humanloop.IHumanloopLogger] $Logger) {
    $options = [Humanloop.HumanloopClientOptions]::new()
    $options.BaseUri = $BaseUri
    $options.ApiKey = [Humanloop.HumanloopApiKey]::new($BenchApiKey)
    $options.Logger = $Logger
    [Humanloop.HumanloopClient]::new($options)
}

$modelConfig = [Humanloop.ModelConfigCompletionRequest]::new()
$modelConfig.Provider = $completion.Provider
$modelConfig.Model = $completion.Model
$modelConfig.PromptTemplate = $completion.PromptTemplate
$modelConfig.MaxTokens = $completion.MaxTokens
$request = [Humanloop.CompletionRequest]::new()
$request.Project = $completion.Project
$request.ModelConfig = $modelConfig
$request.Inputs = $completion.Inputs

# Prove that the direct client sends the cmdlet's body (compared as parsed JSON: key order may differ).
$capture = [HumanloopBench.RequestBodyCapture]::new()
$null = (New-DirectClient $capture).CompleteAsync($request, [System.Threading.CancellationToken]::None).GetAwaiter().GetResult()
$expected = ConvertTo-ComparableJson $cmdletBody
$sameBody = (ConvertTo-ComparableJson $capture.LastBody) -eq $expected -and (ConvertTo-ComparableJson $pipelineBody) -eq $expected
if (-not $sameBody) {
    Write-Warning "The bodies differ:`n  cmdlet:   $cmdletBody`n  pipeline: $pipelineBody`n  direct:   $($capture.LastBody)"
}

$client = New-DirectClient $null
$uri = "$BaseUri/completion"
$headers = @{ 'X-API-KEY' = $BenchApiKey }
$session = $null
$null = Invoke-RestMethod -Method Post -Uri $uri -Headers $headers -ContentType 'application/json' -Body $cmdletBody -SessionVariable session

$contenders = [ordered]@{
    'Cmdlet, pipeline input'        = { param($n) $inputs = foreach ($i in 1..$n) { $completion.Inputs }; $null = $inputs | New-HumanloopCompletion @pipelineParameters }
    'Cmdlet, one call per request'  = { param($n) foreach ($i in 1..$n) { $null = New-HumanloopCompletion @completion } }
    'Direct client, C# loop'        = { param($n) $null = [HumanloopBench.DirectLoop]::Complete($client, $request, $n) }
    'Direct client, PowerShell loop' = { param($n) foreach ($i in 1..$n) { $null = $client.CompleteAsync($request, [System.Threading.CancellationToken]::None).GetAwaiter().GetResult() } }
    'Invoke-RestMethod'             = { param($n) foreach ($i in 1..$n) { $null = Invoke-RestMethod -Method Post -Uri $uri -Headers $headers -ContentType 'application/json' -Body $cmdletBody } }
    'Invoke-RestMethod -WebSession' = { param($n) foreach ($i in 1..$n) { $null = Invoke-RestMethod -Method Post -Uri $uri -Headers $headers -ContentType 'application/json' -Body $cmdletBody -WebSession $session } }
}

$names = @($contenders.Keys)
foreach ($name in $names) {
    $null = & $contenders[$name] $WarmupRequests
}

$rates = [ordered]@{}
foreach ($name in $names) { $rates[$name] = [System.Collections.Generic.List[double]]::new() }
# A round runs every contender $Requests times, in $Slices slices: each slice runs every contender for
# $Requests / $Slices calls, in an order that rotates from slice to slice. Contenders thus take turns every
# few milliseconds, so a slow moment of the machine (another process on a 2-core box) falls on all of them
# alike and cancels out of the per-round comparisons.
$perSlice = [math]::Max(1, [math]::Floor($Requests / $Slices))
for ($round = 0; $round -lt $Rounds; $round++) {
    $elapsed = @{}
    foreach ($name in $names) { $elapsed[$name] = 0.0 }
    [GC]::Collect()
    for ($slice = 0; $slice -lt $Slices; $slice++) {
        $turn = $round * $Slices + $slice
        $order = @($names | Select-Object -Skip ($turn % $names.Count)) + @($names | Select-Object -First ($turn % $names.Count))
        foreach ($name in $order) {
            $elapsed[$name] += Measure-Milliseconds { & $contenders[$name] $perSlice }
        }
    }
    foreach ($name in $names) { $rates[$name].Add($perSlice * $Slices / ($elapsed[$name] / 1000)) }
    Write-Host ("  round {0}/{1}: {2}" -f ($round + 1), $Rounds, (($names | ForEach-Object { '{0} {1:N0}/s' -f $_, $rates[$_][$round] }) -join '; '))
}

[ordered]@{
    Requests      = $perSlice * $Slices
    Rounds        = $Rounds
    BodyBytes     = [Text.Encoding]::UTF8.GetByteCount($cmdletBody)
    SameBody      = $sameBody
    Contenders    = @(foreach ($name in $names) { [ordered]@{ Name = $name; RatesPerSecond = $rates[$name].ToArray() } })
} | ConvertTo-Json -Depth 5 | Set-Content -Path $ResultPath -Encoding utf8
