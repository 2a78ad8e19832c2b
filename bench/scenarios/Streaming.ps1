<#
.SYNOPSIS
    G6: events per second of a long mock stream, end to end through New-HumanloopCompletion -Stream and
    in process through the client's parser, each against a baseline that reads the same bytes unparsed.

.DESCRIPTION
    Over HTTP: the cmdlet (parse, deserialize, assemble, write to the pipeline) against an HttpClient
    reading the same request's body to the end without parsing. The server's own speed bounds both.
    In process: the core client reading the recorded bytes through a replaying transport, against a
    plain line split of the same bytes. The core client reading the same stream over HTTP in a C# loop
    separates the client's work from PowerShell's pipeline. Writes every run's events/s as JSON.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $ResultPath,
    [int] $Words = 20000,
    [int] $Runs = 5,
    [int] $ParserPasses = 10
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../BenchSupport.ps1')

Import-Module $ModulePath
Connect-Humanloop -ApiKey $BenchApiKey -BaseUri $BaseUri -SkipCheck
$stream = Get-BenchStreamParameters -Words $Words

# Warm-up, and the exact streaming body the cmdlet sends, for the raw reader.
$debugLines = & { $DebugPreference = 'Continue'; New-HumanloopCompletion @stream -Stream 5>&1 } | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }
$body = @($debugLines.Message | Where-Object { $_.StartsWith('Request body: ') })[0].Substring('Request body: '.Length)

Import-BenchHelpers -ModuleBase (Get-Module Humanloop).ModuleBase
$http = [System.Net.Http.HttpClient]::new()
$uri = [uri]"$BaseUri/completion"
$recorded = [HumanloopBench.StreamBench]::ReadRaw($http, $uri, $BenchApiKey, $body)
$eventsPerStream = [HumanloopBench.StreamBench]::CountDataLines($recorded)
Write-Host ("  one stream: {0:N0} events, {1:N0} bytes" -f $eventsPerStream, $recorded.Length)

# The same stream through the core client in C#, over HTTP: the cmdlet's cost without PowerShell's pipeline.
$directOptions = [Humanloop.HumanloopClientOptions]::new()
$directOptions.BaseUri = $BaseUri
$directOptions.ApiKey = [Humanloop.HumanloopApiKey]::new($BenchApiKey)
$directClient = [Humanloop.HumanloopClient]::new($directOptions)
$modelConfig = [Humanloop.ModelConfigCompletionRequest]::new()
$modelConfig.Provider = $stream.Provider
$modelConfig.Model = $stream.Model
$modelConfig.PromptTemplate = $stream.PromptTemplate
$directRequest = [Humanloop.CompletionRequest]::new()
$directRequest.Project = $stream.Project
$directRequest.ModelConfig = $modelConfig
$directEvents = [HumanloopBench.StreamBench]::ReadChunks($directClient, $directRequest, 1).Operations
if ($directEvents -ne $eventsPerStream) {
    throw "The core client read $directEvents chunks where the raw stream had $eventsPerStream events."
}

$cmdletRates = [System.Collections.Generic.List[double]]::new()
$rawRates = [System.Collections.Generic.List[double]]::new()
$directRates = [System.Collections.Generic.List[double]]::new()
for ($run = 1; $run -le $Runs; $run++) {
    [GC]::Collect()
    $chunks = $null
    $milliseconds = Measure-Milliseconds { $script:chunks = New-HumanloopCompletion @stream -Stream }
    if ($chunks.Count -ne $eventsPerStream) {
        throw "The cmdlet wrote $($chunks.Count) chunks where the raw stream had $eventsPerStream events."
    }
    $cmdletRates.Add($chunks.Count / ($milliseconds / 1000))

    [GC]::Collect()
    $milliseconds = Measure-Milliseconds { $script:rawBytes = [HumanloopBench.StreamBench]::ReadRaw($http, $uri, $BenchApiKey, $body) }
    $rawRates.Add($eventsPerStream / ($milliseconds / 1000))

    [GC]::Collect()
    $directRates.Add([HumanloopBench.StreamBench]::ReadChunks($directClient, $directRequest, 1).PerSecond)
    Write-Host ("  run {0}/{1}: cmdlet {2:N0} events/s, core client {3:N0} events/s, raw read {4:N0} events/s" -f $run, $Runs, $cmdletRates[-1], $directRates[-1], $rawRates[-1])
}

# In process: the client's parser over the recorded bytes, against a line split of the same bytes.
$options = [Humanloop.HumanloopClientOptions]::new()
$options.BaseUri = $BaseUri
$options.ApiKey = [Humanloop.HumanloopApiKey]::new($BenchApiKey)
$options.Transport = [HumanloopBench.ReplayHandler]::new($recorded)
$replayClient = [Humanloop.HumanloopClient]::new($options)
$request = [Humanloop.CompletionDeployedRequest]::new()
$request.ProjectId = 'pr_replay'
$null = [HumanloopBench.StreamBench]::ReadChunks($replayClient, $request, 1)
$null = [HumanloopBench.StreamBench]::SplitLines($recorded, 1)
$parserRates = [System.Collections.Generic.List[double]]::new()
$splitRates = [System.Collections.Generic.List[double]]::new()
for ($run = 1; $run -le $Runs; $run++) {
    [GC]::Collect()
    $parserRates.Add([HumanloopBench.StreamBench]::ReadChunks($replayClient, $request, $ParserPasses).PerSecond)
    [GC]::Collect()
    $splitRates.Add([HumanloopBench.StreamBench]::SplitLines($recorded, $ParserPasses).PerSecond)
    Write-Host ("  run {0}/{1}: client parser {2:N0} events/s, line split {3:N0} events/s" -f $run, $Runs, $parserRates[-1], $splitRates[-1])
}

[ordered]@{
    EventsPerStream = $eventsPerStream
    BytesPerStream  = $recorded.Length
    Runs            = $Runs
    ParserPasses    = $ParserPasses
    Cmdlet          = $cmdletRates.ToArray()
    RawRead         = $rawRates.ToArray()
    CoreClient      = $directRates.ToArray()
    ClientParser    = $parserRates.ToArray()
    LineSplit       = $splitRates.ToArray()
} | ConvertTo-Json -Depth 5 | Set-Content -Path $ResultPath -Encoding utf8
