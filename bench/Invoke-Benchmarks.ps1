#Requires -Version 7.4
<#
.SYNOPSIS
    Runs the HumanloopPS benchmarks against the built module and a local server, and prints every result
    as a ratio against a baseline measured in the same run.

.DESCRIPTION
    Throughput  G1, G2: cmdlet vs direct client vs Invoke-RestMethod (with and without -WebSession).
    Import      G3: Import-Module in a fresh process vs `pwsh -c exit`; first and second call vs Invoke-RestMethod's.
    Streaming   G6: events/s through New-HumanloopCompletion -Stream vs a raw read; the client's parser vs a line split.
    Cancel      G4: PowerShell.Stop() during stalled requests and streams vs Invoke-RestMethod and Start-Sleep.
    Soak        G8: -SoakCalls sequential calls in one session; sockets and memory every -SoakInterval calls.
    Batch       -BatchInputs completions with -ThrottleLimit against a server slowed to -BatchDelayMs per request,
                vs the ideal time and vs ForEach-Object -Parallel with Invoke-RestMethod.
    Forwarding  Issue 15: completions through the server's openai provider to an OpenAI-compatible stub vs the
                same requests straight to the stub, -ForwardingClients concurrent clients; p50 and p99 added.

    The report ends with the goals of issue 12, each row with its measure and its goal. With -Quick (as CI
    runs it, to prove the benchmarks still work) the numbers are not judged: the run ends with the line
    "Benchmarks (quick): N passed, N failed", where a failure is a benchmark that errored.

    Each benchmark runs in its own fresh pwsh process, so no benchmark warms another up. The machine's
    other load shows up as noise, so best-of and median are both reported; the ratios are what to read.
    The summary is also written to bench/results/<timestamp>.md (ignored by git).

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Build, Bench

.EXAMPLE
    dotnet pwsh ./bench/Invoke-Benchmarks.ps1 -Benchmark Soak -SoakCalls 2000

.EXAMPLE
    dotnet pwsh ./bench/Invoke-Benchmarks.ps1 -Quick -CountsPath ./test-results/benchmarks.counts.json
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [ValidateSet('Throughput', 'Import', 'Streaming', 'Cancel', 'Soak', 'Batch', 'Forwarding', 'Storage')]
    [string[]] $Benchmark = @('Throughput', 'Import', 'Streaming', 'Cancel', 'Soak', 'Batch', 'Forwarding', 'Storage'),

    # Smaller sizes everywhere, for a run of about a minute that checks the benchmarks still work.
    [switch] $Quick,

    # Requests per contender per round, and rounds (best-of-N) for Throughput.
    [int] $Requests = 1000,
    [int] $Rounds = 7,

    # Inputs, throttle, server delay per request and runs for Batch.
    [int] $BatchInputs = 200,
    [int] $BatchThrottleLimit = 16,
    [int] $BatchDelayMs = 200,
    [int] $BatchRuns = 3,

    # Fresh processes per kind for Import.
    [int] $ImportRuns = 8,

    # Prompt words (about one event each) per stream, and runs, for Streaming.
    [int] $StreamWords = 20000,
    [int] $StreamRuns = 5,

    # Stop() measurements per case for Cancel.
    [int] $CancelRuns = 10,

    # Sequential calls for Soak, and how often to sample.
    [int] $SoakCalls = 10000,
    [int] $SoakInterval = 1000,

    # Concurrent clients, requests per client per round, and rounds for Forwarding.
    [int] $ForwardingClients = 16,
    [int] $ForwardingRequests = 200,
    [int] $ForwardingRounds = 5,

    # Requests per contender per round, and rounds, for Storage (16 concurrent clients). Its PostgreSQL is
    # HUMANLOOP_BENCH_DATABASE (or HUMANLOOP_TEST_DATABASE) when set, else a throwaway one from .ci/postgres.sh.
    [int] $StorageRequests = 2000,
    [int] $StorageRounds = 5,

    # Where to write {"Passed": n, "Failed": n} (benchmarks that ran / errored), for build.ps1's Test task.
    [string] $CountsPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
. (Join-Path $PSScriptRoot 'BenchSupport.ps1')

if ($Quick) {
    if (-not $PSBoundParameters.ContainsKey('Requests')) { $Requests = 300 }
    if (-not $PSBoundParameters.ContainsKey('Rounds')) { $Rounds = 3 }
    if (-not $PSBoundParameters.ContainsKey('ImportRuns')) { $ImportRuns = 3 }
    if (-not $PSBoundParameters.ContainsKey('StreamWords')) { $StreamWords = 5000 }
    if (-not $PSBoundParameters.ContainsKey('StreamRuns')) { $StreamRuns = 3 }
    if (-not $PSBoundParameters.ContainsKey('CancelRuns')) { $CancelRuns = 3 }
    if (-not $PSBoundParameters.ContainsKey('SoakCalls')) { $SoakCalls = 2000 }
    if (-not $PSBoundParameters.ContainsKey('SoakInterval')) { $SoakInterval = 500 }
    if (-not $PSBoundParameters.ContainsKey('BatchInputs')) { $BatchInputs = 64 }
    if (-not $PSBoundParameters.ContainsKey('BatchRuns')) { $BatchRuns = 1 }
    if (-not $PSBoundParameters.ContainsKey('ForwardingRequests')) { $ForwardingRequests = 20 }
    if (-not $PSBoundParameters.ContainsKey('ForwardingRounds')) { $ForwardingRounds = 2 }
    if (-not $PSBoundParameters.ContainsKey('StorageRequests')) { $StorageRequests = 100 }
    if (-not $PSBoundParameters.ContainsKey('StorageRounds')) { $StorageRounds = 1 }
}

$root = Split-Path $PSScriptRoot -Parent
$version = (Import-PowerShellDataFile (Join-Path $root 'Humanloop.psd1')).ModuleVersion
$modulePath = Join-Path $root "output/Humanloop/$version/Humanloop.psd1"
$serverDll = Join-Path $root "src/Humanloop.Server/bin/$Configuration/net10.0/Humanloop.Server.dll"
$stubDll = Join-Path $root "tests/Humanloop.StubServer/bin/$Configuration/net10.0/Humanloop.StubServer.dll"
if (-not (Test-Path $modulePath) -or -not (Test-Path $serverDll)) {
    Write-Host "The module or the server is not built; building ($Configuration) first."
    & (Join-Path $root 'build.ps1') -Task Build -Configuration $Configuration
}

# ---------------------------------------------------------------------------------------------------
# Report helpers
# ---------------------------------------------------------------------------------------------------

$report = [System.Collections.Generic.List[string]]::new()
function Out-Report([string] $Line = '') {
    $report.Add($Line)
    Write-Host $Line
}

function Format-Rate([double] $Value) { '{0:N0}' -f $Value }
function Format-Ratio([double] $Value) { '{0:N2}×' -f $Value }
function Format-Ms([double] $Value) { '{0:N1} ms' -f $Value }
function Format-Goal([bool] $Met) { if ($Met) { 'meets' } else { '**misses**' } }
function Get-Best([double[]] $Values) { ($Values | Measure-Object -Maximum).Maximum }
function Get-Least([double[]] $Values) { ($Values | Measure-Object -Minimum).Minimum }
function Get-Most([double[]] $Values) { ($Values | Measure-Object -Maximum).Maximum }

# The goals of issue 12, one row each, filled in by the benchmarks that measure them and printed at the end.
$goals = [ordered]@{
    BatchIdeal   = @{ Measure = 'Batch: wall time / ideal (200 inputs, 200 ms each, -ThrottleLimit 16)'; Value = 'not run'; Goal = '≤ 1.10' }
    BatchForEach = @{ Measure = 'Batch: the module vs ForEach-Object -Parallel -ThrottleLimit 16 with Invoke-RestMethod'; Value = 'not run'; Goal = 'faster (ratio reported)' }
    ClientCost   = @{ Measure = 'Client cost per call over the direct C# client (µs added, median)'; Value = 'not run'; Goal = '≤ 15 µs per call' }
    VersusRest   = @{ Measure = 'Client cost per call vs Invoke-RestMethod / -WebSession (µs added, median)'; Value = 'not run'; Goal = '≥ 10× / ≥ 5× cheaper' }
    Import       = @{ Measure = 'In-process Import-Module / importing Microsoft.PowerShell.Utility, fresh processes (median)'; Value = 'not run'; Goal = '≤ 0.35×' }
    Streaming    = @{ Measure = '-Stream events/s through the cmdlet / raw unparsed read of the same stream (median)'; Value = 'not run'; Goal = '≥ 0.5×' }
    Forwarding   = @{ Measure = 'Issue 15: forwarding overhead, server''s openai provider vs straight to the stub, 16 clients (p50 / p99 added)'; Value = 'not run'; Goal = '≤ 1 ms / ≤ 5 ms' }
    PostgresVsSqlite = @{ Measure = 'Issue 15: PostgreSQL vs SQLite throughput, 16 concurrent clients, completions with logging (median of per-round ratios)'; Value = 'not run'; Goal = '≥ 0.5×' }
    TwoReplicas      = @{ Measure = 'Issue 15: two replicas on PostgreSQL vs one (median of per-round ratios)'; Value = 'not run'; Goal = '≥ 1.5× (2 cores cap it)' }
}
function Set-Goal([string] $Key, [string] $Value, [Nullable[bool]] $Met) {
    $goals[$Key].Value = $Value
    $goals[$Key].Verdict = if ($null -eq $Met) { '' } elseif ($Met) { 'meets' } else { '**misses**' }
}

function Get-PairedRatio([double[]] $Numerator, [double[]] $Denominator) {
    <# The median of per-round ratios: both sides of each ratio ran moments apart, so shared noise cancels. #>
    Get-Median @(for ($i = 0; $i -lt [math]::Min($Numerator.Count, $Denominator.Count); $i++) { $Numerator[$i] / $Denominator[$i] })
}

# ---------------------------------------------------------------------------------------------------
# Benchmarks
# ---------------------------------------------------------------------------------------------------

function Invoke-ThroughputBenchmark([string] $BaseUri) {
    Write-Host "Throughput: $Requests requests per contender, $Rounds rounds"
    $result = Invoke-BenchScenario -Name Throughput -Parameters @{ ModulePath = $modulePath; BaseUri = $BaseUri; Requests = $Requests; Rounds = $Rounds }
    $rates = @{}
    foreach ($contender in $result.Contenders) { $rates[$contender.Name] = [double[]]$contender.RatesPerSecond }

    Out-Report '## Throughput (G1, G2)'
    Out-Report
    Out-Report "Sequential non-streaming completions against the local server (mock provider, in memory), $Requests per contender per round, best of $Rounds rounds. Every contender sends the same $($result.BodyBytes)-byte body$(if ($result.SameBody) { ' (the direct client''s body checked equal to the cmdlet''s)' } else { ' — **the direct client''s body differed from the cmdlet''s**' })."
    Out-Report
    # What a contender adds per call on top of the direct C# loop: the server's share cancels out, so this
    # compares the clients even when the server is the bottleneck (it assumes the costs simply add up).
    $directBest = Get-Best $rates['Direct client, C# loop']
    $directMedian = Get-Median $rates['Direct client, C# loop']
    Out-Report '| Contender | best req/s | median req/s | µs per call added over the direct C# loop (best / median) |'
    Out-Report '|---|---:|---:|---:|'
    foreach ($contender in $result.Contenders) {
        $best = Get-Best $rates[$contender.Name]
        $median = Get-Median $rates[$contender.Name]
        $added = '{0:N0} / {1:N0}' -f (1e6 / $best - 1e6 / $directBest), (1e6 / $median - 1e6 / $directMedian)
        Out-Report "| $($contender.Name) | $(Format-Rate $best) | $(Format-Rate $median) | $added |"
    }
    Out-Report
    Out-Report '| Ratio | best-of | median of per-round ratios | goal |'
    Out-Report '|---|---:|---:|---|'
    $comparisons = @(
        @{ Name = 'G2: cmdlet (one call per request) / Invoke-RestMethod'; A = 'Cmdlet, one call per request'; B = 'Invoke-RestMethod'; Goal = 3.0 }
        @{ Name = 'G2: cmdlet (one call per request) / Invoke-RestMethod -WebSession'; A = 'Cmdlet, one call per request'; B = 'Invoke-RestMethod -WebSession'; Goal = 1.5 }
        @{ Name = 'G2: cmdlet (pipeline input) / Invoke-RestMethod'; A = 'Cmdlet, pipeline input'; B = 'Invoke-RestMethod'; Goal = 3.0 }
        @{ Name = 'G2: cmdlet (pipeline input) / Invoke-RestMethod -WebSession'; A = 'Cmdlet, pipeline input'; B = 'Invoke-RestMethod -WebSession'; Goal = 1.5 }
        @{ Name = 'G1: cmdlet (pipeline input) / direct client, C# loop'; A = 'Cmdlet, pipeline input'; B = 'Direct client, C# loop'; Goal = 0.75 }
        @{ Name = 'G1: cmdlet (one call per request) / direct client, C# loop'; A = 'Cmdlet, one call per request'; B = 'Direct client, C# loop'; Goal = 0.75 }
        @{ Name = 'cmdlet (one call per request) / direct client, PowerShell loop'; A = 'Cmdlet, one call per request'; B = 'Direct client, PowerShell loop'; Goal = $null }
    )
    foreach ($comparison in $comparisons) {
        # Rounded as shown, so that the verdict agrees with the figure printed beside it.
        $best = [math]::Round((Get-Best $rates[$comparison.A]) / (Get-Best $rates[$comparison.B]), 2)
        $paired = Get-PairedRatio $rates[$comparison.A] $rates[$comparison.B]
        $goal = if ($null -eq $comparison.Goal) { '(context)' } else { "≥ $($comparison.Goal)×: $(Format-Goal ($best -ge $comparison.Goal))" }
        Out-Report "| $($comparison.Name) | $(Format-Ratio $best) | $(Format-Ratio $paired) | $goal |"
    }
    Out-Report
    # Issue 12's measure of the client's own cost: µs per call added over the direct C# loop, per round (both
    # sides measured in the same slices of time), then the median over the rounds; and Invoke-RestMethod's
    # added µs over the cmdlet's.
    $direct = $rates['Direct client, C# loop']
    $added = @{}
    foreach ($name in $rates.Keys) {
        $added[$name] = Get-Median @(for ($i = 0; $i -lt $direct.Count; $i++) { 1e6 / $rates[$name][$i] - 1e6 / $direct[$i] })
    }
    $perCall = $added['Cmdlet, one call per request']
    $piped = $added['Cmdlet, pipeline input']
    Out-Report '| Issue 12 | median over rounds | goal |'
    Out-Report '|---|---:|---|'
    Out-Report ("| Client cost per call over the direct C# client, one call per request (piped) | {0:N1} µs ({1:N1} µs) | ≤ 15 µs per call: {2} |" -f $perCall, $piped, (Format-Goal ($perCall -le 15)))
    $cheaper = foreach ($baseline in 'Invoke-RestMethod', 'Invoke-RestMethod -WebSession') {
        if ($perCall -gt 0) { $added[$baseline] / $perCall } else { [double]::PositiveInfinity }
    }
    Out-Report ("| Invoke-RestMethod's added µs per call / the cmdlet's (one call per request) | {0:N1}× ({1:N0} µs / {2:N1} µs) | ≥ 10×: {3} |" -f $cheaper[0], $added['Invoke-RestMethod'], $perCall, (Format-Goal ($cheaper[0] -ge 10)))
    Out-Report ("| Invoke-RestMethod -WebSession's added µs per call / the cmdlet's (one call per request) | {0:N1}× ({1:N0} µs / {2:N1} µs) | ≥ 5×: {3} |" -f $cheaper[1], $added['Invoke-RestMethod -WebSession'], $perCall, (Format-Goal ($cheaper[1] -ge 5)))
    Out-Report
    Set-Goal ClientCost ('{0:N1} µs per call ({1:N1} µs piped)' -f $perCall, $piped) ($perCall -le 15)
    Set-Goal VersusRest ('{0:N1}× / {1:N1}× cheaper' -f $cheaper[0], $cheaper[1]) ($cheaper[0] -ge 10 -and $cheaper[1] -ge 5)
}

function Invoke-ImportBenchmark([string] $BaseUri) {
    Write-Host "Import: $ImportRuns fresh processes of each kind"
    $timer = '$t = [System.Diagnostics.Stopwatch]::StartNew()'
    $baselineWall = [System.Collections.Generic.List[double]]::new()
    $importWall = [System.Collections.Generic.List[double]]::new()
    $importInProcess = [System.Collections.Generic.List[double]]::new()
    $utilityInProcess = [System.Collections.Generic.List[double]]::new()
    $warmImport = [System.Collections.Generic.List[double]]::new()
    $warmUtility = [System.Collections.Generic.List[double]]::new()
    $elapsed = '$t.Elapsed.TotalMilliseconds.ToString([cultureinfo]::InvariantCulture)'
    # An empty manifest: importing it first pays PowerShell's one-off cost of a process's first import, so
    # that the import timed after it is the module's own work.
    $emptyFolder = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "humanloop-bench-empty-$PID") -Force
    $emptyManifest = Join-Path $emptyFolder 'BenchEmpty.psd1'
    Set-Content -Path $emptyManifest -Value "@{ ModuleVersion = '1.0' }"
    $warmFirst = "Import-Module '$emptyManifest'"
    for ($run = 1; $run -le $ImportRuns; $run++) {
        # Same shape on every side: start a stopwatch, (import), print the elapsed time, exit.
        $baseline = Invoke-FreshPwsh -Capture -Arguments '-Command', "$timer; $elapsed; exit"
        $import = Invoke-FreshPwsh -Capture -Arguments '-Command', "$timer; Import-Module '$modulePath'; $elapsed; exit"
        # The first import in a process pays for PowerShell's module machinery; PowerShell's own binary
        # Utility module, imported the same way, shows how much of the time that is.
        $utility = Invoke-FreshPwsh -Capture -Arguments '-Command', "$timer; Import-Module Microsoft.PowerShell.Utility; $elapsed; exit"
        $importAfter = Invoke-FreshPwsh -Capture -Arguments '-Command', "$warmFirst; $timer; Import-Module '$modulePath'; $elapsed; exit"
        $utilityAfter = Invoke-FreshPwsh -Capture -Arguments '-Command', "$warmFirst; $timer; Import-Module Microsoft.PowerShell.Utility; $elapsed; exit"
        if (@($baseline, $import, $utility, $importAfter, $utilityAfter).Where({ $_.ExitCode -ne 0 })) {
            throw "An import process failed: $($baseline.Errors) $($import.Errors) $($utility.Errors) $($importAfter.Errors) $($utilityAfter.Errors)"
        }
        $warmImport.Add([double]::Parse($importAfter.Output.Trim(), [cultureinfo]::InvariantCulture))
        $warmUtility.Add([double]::Parse($utilityAfter.Output.Trim(), [cultureinfo]::InvariantCulture))
        $baselineWall.Add($baseline.WallMs)
        $importWall.Add($import.WallMs)
        $importInProcess.Add([double]::Parse($import.Output.Trim(), [cultureinfo]::InvariantCulture))
        $utilityInProcess.Add([double]::Parse($utility.Output.Trim(), [cultureinfo]::InvariantCulture))
        Write-Host ("  run {0}/{1}: pwsh -c exit {2:N0} ms; with Import-Module {3:N0} ms (import itself {4:N1} ms; Microsoft.PowerShell.Utility's {5:N1} ms; after an empty module {6:N1} / {7:N1} ms)" -f
            $run, $ImportRuns, $baseline.WallMs, $import.WallMs, $importInProcess[-1], $utilityInProcess[-1], $warmImport[-1], $warmUtility[-1])
    }
    Remove-Item $emptyFolder -Recurse -Force

    $cmdletCalls = [System.Collections.Generic.List[object]]::new()
    $restCalls = [System.Collections.Generic.List[object]]::new()
    for ($run = 1; $run -le $ImportRuns; $run++) {
        $cmdletCalls.Add((Invoke-BenchScenario -Name FirstCall -Parameters @{ ModulePath = $modulePath; BaseUri = $BaseUri; Mode = 'Cmdlet' }))
        $restCalls.Add((Invoke-BenchScenario -Name FirstCall -Parameters @{ ModulePath = $modulePath; BaseUri = $BaseUri; Mode = 'RestMethod' }))
        Write-Host ("  run {0}/{1}: first call cmdlet {2:N0} ms, Invoke-RestMethod {3:N0} ms; second {4:N1} / {5:N1} ms" -f
            $run, $ImportRuns, $cmdletCalls[-1].FirstCallMs, $restCalls[-1].FirstCallMs, $cmdletCalls[-1].SecondCallMs, $restCalls[-1].SecondCallMs)
    }

    $baselineMedian = Get-Median $baselineWall
    $importMedian = Get-Median $importWall
    $inProcessMedian = Get-Median $importInProcess
    $utilityMedian = Get-Median $utilityInProcess
    $firstCmdlet = Get-Median ([double[]]$cmdletCalls.FirstCallMs)
    $firstRest = Get-Median ([double[]]$restCalls.FirstCallMs)
    $secondCmdlet = Get-Median ([double[]]$cmdletCalls.SecondCallMs)
    $secondRest = Get-Median ([double[]]$restCalls.SecondCallMs)

    Out-Report '## Import and first call (G3)'
    Out-Report
    Out-Report "Medians of $ImportRuns fresh processes each (min in brackets)."
    Out-Report
    Out-Report '| Measure | module | baseline | ratio | goal |'
    Out-Report '|---|---:|---:|---:|---|'
    Out-Report "| Process wall time: Import-Module vs ``pwsh -c exit`` | $(Format-Ms $importMedian) ($(Format-Ms (Get-Least $importWall))) | $(Format-Ms $baselineMedian) ($(Format-Ms (Get-Least $baselineWall))) | $(Format-Ratio ($importMedian / $baselineMedian)) | delta $(Format-Ms ($importMedian - $baselineMedian)) ≤ 150 ms: $(Format-Goal (($importMedian - $baselineMedian) -le 150)) |"
    $importRatio = [math]::Round($inProcessMedian / $utilityMedian, 2)
    Out-Report "| Import-Module in process vs Microsoft.PowerShell.Utility's | $(Format-Ms $inProcessMedian) ($(Format-Ms (Get-Least $importInProcess))) | $(Format-Ms $utilityMedian) ($(Format-Ms (Get-Least $utilityInProcess))) | $(Format-Ratio $importRatio) | ≤ 100 ms: $(Format-Goal ($inProcessMedian -le 100)); ≤ 0.35×: $(Format-Goal ($importRatio -le 0.35)) |"
    $warmImportMedian = Get-Median $warmImport
    $warmUtilityMedian = Get-Median $warmUtility
    Out-Report "| The same, each after importing an empty manifest (PowerShell's first-import cost paid before timing) | $(Format-Ms $warmImportMedian) ($(Format-Ms (Get-Least $warmImport))) | $(Format-Ms $warmUtilityMedian) ($(Format-Ms (Get-Least $warmUtility))) | $(Format-Ratio ($warmImportMedian / $warmUtilityMedian)) | (context) |"
    Set-Goal Import ("{0} ({1} vs {2}); {3} after an empty manifest ({4} vs {5})" -f (Format-Ratio $importRatio), (Format-Ms $inProcessMedian), (Format-Ms $utilityMedian), (Format-Ratio ($warmImportMedian / $warmUtilityMedian)), (Format-Ms $warmImportMedian), (Format-Ms $warmUtilityMedian)) ($importRatio -le 0.35)
    Out-Report "| First completion: cmdlet vs Invoke-RestMethod | $(Format-Ms $firstCmdlet) | $(Format-Ms $firstRest) | $(Format-Ratio ($firstCmdlet / $firstRest)) | ≤ 250 ms: $(Format-Goal ($firstCmdlet -le 250)) |"
    Out-Report "| Second completion: cmdlet vs Invoke-RestMethod | $(Format-Ms $secondCmdlet) | $(Format-Ms $secondRest) | $(Format-Ratio ($secondCmdlet / $secondRest)) | ≤ 20 ms: $(Format-Goal ($secondCmdlet -le 20)) |"
    Out-Report
}

function Invoke-StreamingBenchmark([string] $BaseUri) {
    Write-Host "Streaming: $StreamWords-word mock streams, $StreamRuns runs"
    $result = Invoke-BenchScenario -Name Streaming -Parameters @{ ModulePath = $modulePath; BaseUri = $BaseUri; Words = $StreamWords; Runs = $StreamRuns }
    $cmdlet = [double[]]$result.Cmdlet
    $raw = [double[]]$result.RawRead
    $core = [double[]]$result.CoreClient
    $parser = [double[]]$result.ClientParser
    $split = [double[]]$result.LineSplit

    Out-Report '## Streaming (G6)'
    Out-Report
    Out-Report "One mock stream is $('{0:N0}' -f $result.EventsPerStream) events ($('{0:N0}' -f $result.BytesPerStream) bytes); $StreamRuns runs."
    Out-Report
    Out-Report '| Path | best events/s | median events/s | baseline | best-of ratio | median of per-run ratios | goal |'
    Out-Report '|---|---:|---:|---|---:|---:|---|'
    Out-Report "| New-HumanloopCompletion -Stream over HTTP (parse, deserialize, assemble, write to the pipeline) | $(Format-Rate (Get-Best $cmdlet)) | $(Format-Rate (Get-Median $cmdlet)) | HttpClient reading the same stream unparsed: $(Format-Rate (Get-Best $raw)) / $(Format-Rate (Get-Median $raw)) | $(Format-Ratio ((Get-Best $cmdlet) / (Get-Best $raw))) | $(Format-Ratio (Get-PairedRatio $cmdlet $raw)) | ≥ 100k events/s: $(Format-Goal ((Get-Best $cmdlet) -ge 100000)) |"
    Out-Report "| Core client over HTTP in a C# loop (the same work without PowerShell's pipeline) | $(Format-Rate (Get-Best $core)) | $(Format-Rate (Get-Median $core)) | the same raw read | $(Format-Ratio ((Get-Best $core) / (Get-Best $raw))) | $(Format-Ratio (Get-PairedRatio $core $raw)) | (context) |"
    Out-Report "| Cmdlet vs the core client over HTTP (PowerShell's share) | | | the core client: $(Format-Rate (Get-Best $core)) / $(Format-Rate (Get-Median $core)) | $(Format-Ratio ((Get-Best $cmdlet) / (Get-Best $core))) | $(Format-Ratio (Get-PairedRatio $cmdlet $core)) | (context) |"
    Out-Report "| Client parser in process (recorded bytes, replaying transport; $($result.ParserPasses) streams per run) | $(Format-Rate (Get-Best $parser)) | $(Format-Rate (Get-Median $parser)) | line split of the same bytes: $(Format-Rate (Get-Best $split)) / $(Format-Rate (Get-Median $split)) | $(Format-Ratio ((Get-Best $parser) / (Get-Best $split))) | $(Format-Ratio (Get-PairedRatio $parser $split)) | ≥ 100k events/s: $(Format-Goal ((Get-Best $parser) -ge 100000)) |"
    Out-Report
    Out-Report 'Over HTTP the server produces the events too, on the same two cores: the raw read shows how fast it can, so the ratio, not the absolute rate, is the client''s share.'
    Out-Report
    $streamRatio = [math]::Round((Get-PairedRatio $cmdlet $raw), 2)
    Set-Goal Streaming ("{0} ({1} vs {2} events/s, medians)" -f (Format-Ratio $streamRatio), (Format-Rate (Get-Median $cmdlet)), (Format-Rate (Get-Median $raw))) ($streamRatio -ge 0.5)
}

function Invoke-CancelBenchmark([string] $FaultBaseUri) {
    Write-Host "Cancel: $CancelRuns Stop() measurements per case"
    $result = Invoke-BenchScenario -Name Cancel -Parameters @{ ModulePath = $modulePath; BaseUri = $FaultBaseUri; Runs = $CancelRuns }
    $times = [ordered]@{}
    foreach ($case in $result.Cases) { $times[$case.Name] = [double[]]$case.StopMilliseconds }
    $restMedian = Get-Median $times['Invoke-RestMethod, request stalled before headers']
    $sleepMedian = Get-Median $times['Start-Sleep 60 (baseline)']

    Out-Report '## Ctrl+C latency (G4)'
    Out-Report
    Out-Report "``PowerShell.Stop()`` timed from a hosted runspace, $($result.SettleMs) ms after the command blocked on a server fault (``--enable-faults``); $CancelRuns runs per case."
    Out-Report
    Out-Report '| Case | median | max | median / Invoke-RestMethod''s | median / Start-Sleep''s | goal |'
    Out-Report '|---|---:|---:|---:|---:|---|'
    foreach ($name in $times.Keys) {
        $median = Get-Median $times[$name]
        $max = Get-Most $times[$name]
        $goal = if ($name.StartsWith('Cmdlet')) { "max ≤ 250 ms: $(Format-Goal ($max -le 250))" } else { '(baseline)' }
        Out-Report "| $name | $(Format-Ms $median) | $(Format-Ms $max) | $(Format-Ratio ($median / $restMedian)) | $(Format-Ratio ($median / $sleepMedian)) | $goal |"
    }
    Out-Report
}

function Invoke-SoakBenchmark {
    Write-Host "Soak: $SoakCalls sequential calls, a sample every $SoakInterval"
    # A server of its own, so that no other benchmark's TIME_WAIT connections are counted.
    $soakServer = Start-BenchServer -ServerDll $serverDll
    try {
        $result = Invoke-BenchScenario -Name Soak -Parameters @{ ModulePath = $modulePath; BaseUri = $soakServer.Uri; Calls = $SoakCalls; Interval = $SoakInterval }
    }
    finally {
        Stop-ReadyProcess $soakServer
    }
    $samples = @($result.Samples)

    Out-Report '## Soak (G8)'
    Out-Report
    Out-Report "$SoakCalls sequential ``New-HumanloopCompletion`` calls in one session, against a server of its own; GC heap measured after a full collection. The process held $($result.SocketsAtStart) socket(s) before importing the module."
    Out-Report
    Out-Report '| Calls | seconds | open sockets | established / TIME_WAIT to the server | GC heap | working set | errors |'
    Out-Report '|---:|---:|---:|---:|---:|---:|---:|'
    foreach ($sample in $samples) {
        Out-Report ("| {0:N0} | {1:N1} | {2} | {3} / {4} | {5:N1} MB | {6:N1} MB | {7} |" -f $sample.Calls, $sample.Seconds, $sample.OpenSockets, $sample.Established, $sample.TimeWait, ($sample.GcHeapBytes / 1MB), ($sample.WorkingSetBytes / 1MB), $sample.Errors)
    }

    # The first interval still includes warm-up (JIT, caches); flatness is judged from the second sample on.
    $reference = $samples[[math]::Min(2, $samples.Count - 1)]
    $last = $samples[-1]
    $maxSockets = ($samples | Measure-Object -Property OpenSockets -Maximum).Maximum
    $maxConnections = ($samples | ForEach-Object { $_.Established + $_.TimeWait } | Measure-Object -Maximum).Maximum
    $heapRatio = $last.GcHeapBytes / $reference.GcHeapBytes
    $workingSetGrowth = ($last.WorkingSetBytes - $reference.WorkingSetBytes) / 1MB
    $workingSetGrowthFromStart = ($last.WorkingSetBytes - $samples[0].WorkingSetBytes) / 1MB
    # Sequential calls need one pooled connection; allow one more (a recycled connection) and one TIME_WAIT.
    $socketsBounded = ($maxSockets - $result.SocketsAtStart) -le 2 -and $maxConnections -le 3
    $memoryFlat = $heapRatio -le 1.10 -and $workingSetGrowth -lt 20
    Out-Report
    Out-Report "Sockets: at most $maxSockets open ($($maxSockets - $result.SocketsAtStart) more than before the import) and $maxConnections connection(s) (established + TIME_WAIT) to the server at any sample: $(if ($socketsBounded) { 'bounded' } else { '**not bounded**' }) (limits: 2 more sockets, 3 connections)."
    Out-Report ("Memory: GC heap at {0:N0} calls / at {1:N0} calls = {2}; working set {3:+0.0;-0.0} MB over the same span ({4:+0.0;-0.0} MB since the start): {5} (limits 1.10× and 20 MB)." -f
        $last.Calls, $reference.Calls, (Format-Ratio $heapRatio), $workingSetGrowth, $workingSetGrowthFromStart, $(if ($memoryFlat) { 'flat' } else { '**growing**' }))
    Out-Report "Verdict: $(if ($socketsBounded -and $memoryFlat -and $last.Errors -eq 0) { 'sockets bounded, memory flat, no errors.' } else { '**check the table above.**' })"
    Out-Report
}

function Invoke-BatchBenchmark([string] $FaultBaseUri) {
    Write-Host "Batch: $BatchInputs inputs, -ThrottleLimit $BatchThrottleLimit, $BatchDelayMs ms per request, $BatchRuns runs"
    $goals.BatchIdeal.Measure = "Batch: wall time / ideal ($BatchInputs inputs, $BatchDelayMs ms each, -ThrottleLimit $BatchThrottleLimit)"
    $goals.BatchForEach.Measure = "Batch: the module vs ForEach-Object -Parallel -ThrottleLimit $BatchThrottleLimit with Invoke-RestMethod"
    $result = Invoke-BenchScenario -Name Batch -Parameters @{ ModulePath = $modulePath; BaseUri = $FaultBaseUri; Inputs = $BatchInputs; ThrottleLimit = $BatchThrottleLimit; DelayMs = $BatchDelayMs; Runs = $BatchRuns }
    Out-Report '## Batches (-ThrottleLimit)'
    Out-Report
    if (-not $result.Measured) {
        Out-Report "Not measured: -ThrottleLimit missing ($($result.NotMeasured))."
        Out-Report
        Set-Goal BatchIdeal 'not measured: -ThrottleLimit missing' $null
        Set-Goal BatchForEach 'not measured: -ThrottleLimit missing' $null
        return
    }

    $module = [double[]]$result.Contenders[0].Seconds
    $parallel = [double[]]$result.Contenders[1].Seconds
    $ideal = [double]$result.IdealSeconds
    $idealRatio = [math]::Round((Get-Median $module) / $ideal, 2)
    $versus = [math]::Round((Get-PairedRatio $parallel $module), 2)
    Out-Report "$BatchInputs completions against the local server, each slowed to $BatchDelayMs ms by a ``$($result.Fault)`` fault rule; the ideal is $BatchInputs / $BatchThrottleLimit × $BatchDelayMs ms = $('{0:N2}' -f $ideal) s (whole rounds of $BatchThrottleLimit make $('{0:N2}' -f $result.WholeRoundsSeconds) s the floor). Medians of $BatchRuns runs (best in brackets)."
    Out-Report
    Out-Report '| Contender | seconds | / ideal | goal |'
    Out-Report '|---|---:|---:|---|'
    Out-Report ("| {0} | {1:N2} ({2:N2}) | {3} | ≤ 1.10×: {4} |" -f $result.Contenders[0].Name, (Get-Median $module), (Get-Least $module), (Format-Ratio $idealRatio), (Format-Goal ($idealRatio -le 1.10)))
    Out-Report ("| {0} | {1:N2} ({2:N2}) | {3} | (baseline) |" -f $result.Contenders[1].Name, (Get-Median $parallel), (Get-Least $parallel), (Format-Ratio ((Get-Median $parallel) / $ideal)))
    Out-Report
    Out-Report ("ForEach-Object -Parallel's time / the module's (median of per-run ratios): {0}: the module is {1}." -f (Format-Ratio $versus), $(if ($versus -gt 1) { 'faster' } else { '**not faster**' }))
    Out-Report
    Set-Goal BatchIdeal ("{0} ({1:N2} s vs {2:N2} s)" -f (Format-Ratio $idealRatio), (Get-Median $module), $ideal) ($idealRatio -le 1.10)
    Set-Goal BatchForEach ("ForEach-Object -Parallel takes {0} the module's time ({1:N2} s vs {2:N2} s)" -f (Format-Ratio $versus), (Get-Median $parallel), (Get-Median $module)) ($versus -gt 1)
}

function Get-Percentile([double[]] $Values, [double] $Percent) {
    <# Nearest-rank percentile. #>
    $sorted = [double[]]($Values | Sort-Object)
    $sorted[[math]::Max(0, [math]::Ceiling($Percent / 100 * $sorted.Count) - 1)]
}

function Invoke-ForwardingBenchmark {
    Write-Host "Forwarding: $ForwardingClients clients, $ForwardingRequests requests each per contender per round, $ForwardingRounds rounds"
    # The scripted stub of the Pester suite, answering every request with one OpenAI chat completion; and a
    # server of its own whose openai provider points at it.
    $stub = Start-ReadyProcess -DllPath $stubDll -ReadyPrefix 'Stub server ready: ' -Argument '--urls', 'http://127.0.0.1:0'
    $forwardingServer = $null
    try {
        $answer = @{
            status = 200
            body   = [ordered]@{
                id      = 'chatcmpl-bench'
                object  = 'chat.completion'
                model   = 'gpt-bench'
                choices = @(@{ index = 0; message = @{ role = 'assistant'; content = 'It adds a hop: rendering, a log write, and a second request.' }; finish_reason = 'stop' })
                usage   = @{ prompt_tokens = 9; completion_tokens = 12; total_tokens = 21 }
            }
        }
        Invoke-RestMethod -NoProxy -Method Post -Uri "$($stub.Uri)/_stub/default" -ContentType 'application/json' -Body ($answer | ConvertTo-Json -Depth 8 -Compress) | Out-Null
        $forwardingServer = Start-BenchServer -ServerDll $serverDll -Environment @{
            HUMANLOOP_SERVER_OPENAI_BASE_URL = "$($stub.Uri)/v1"
            HUMANLOOP_SERVER_OPENAI_API_KEY  = 'sk-bench-forwarding'
        }
        $result = Invoke-BenchScenario -Name Forwarding -Parameters @{
            ModulePath = $modulePath; BaseUri = $forwardingServer.Uri; StubUri = $stub.Uri
            Clients = $ForwardingClients; RequestsPerClient = $ForwardingRequests; Rounds = $ForwardingRounds
        }
    }
    finally {
        Stop-ReadyProcess $forwardingServer
        Stop-ReadyProcess $stub
    }

    $through = [double[]]$result.Contenders[0].LatenciesMs
    $direct = [double[]]$result.Contenders[1].LatenciesMs
    Out-Report '## Forwarding overhead (issue 15)'
    Out-Report
    Out-Report "Non-streaming completions from $ForwardingClients concurrent clients (one pooled HttpClient in a C# loop), $($through.Count) per contender over $ForwardingRounds rounds that alternate the order: through the local server (in memory, provider ``openai`` pointed at the OpenAI-compatible stub, so each request also renders the prompt and writes its log) and the same chat completion straight to the stub. Client, server and stub share the machine's cores."
    Out-Report
    Out-Report '| Contender | p50 | p90 | p99 | max |'
    Out-Report '|---|---:|---:|---:|---:|'
    foreach ($contender in $result.Contenders) {
        $values = [double[]]$contender.LatenciesMs
        Out-Report ("| {0} | {1:N2} ms | {2:N2} ms | {3:N2} ms | {4:N2} ms |" -f $contender.Name, (Get-Percentile $values 50), (Get-Percentile $values 90), (Get-Percentile $values 99), (Get-Most $values))
    }
    $p50 = [math]::Round((Get-Percentile $through 50) - (Get-Percentile $direct 50), 2)
    $p99 = [math]::Round((Get-Percentile $through 99) - (Get-Percentile $direct 99), 2)
    $met = $p50 -le 1 -and $p99 -le 5
    Out-Report
    Out-Report ("Added by the server: p50 {0:N2} ms (goal ≤ 1 ms), p99 {1:N2} ms (goal ≤ 5 ms): {2}." -f $p50, $p99, (Format-Goal $met))
    Out-Report
    Set-Goal Forwarding ('{0:N2} ms / {1:N2} ms' -f $p50, $p99) $met
}

function Invoke-StorageBenchmark {
    Write-Host "Storage: $StorageRequests completions per contender per round, 16 concurrent clients, $StorageRounds round(s)"
    $postgres = if ($env:HUMANLOOP_BENCH_DATABASE) { $env:HUMANLOOP_BENCH_DATABASE } else { $env:HUMANLOOP_TEST_DATABASE }
    $cluster = $null
    $folder = Join-Path ([IO.Path]::GetTempPath()) "humanloop-bench-sqlite-$([guid]::NewGuid().ToString('n'))"
    $servers = [System.Collections.Generic.List[object]]::new()
    try {
        if (-not $postgres) {
            $lines = @(& bash (Join-Path $root '.ci/postgres.sh') start)
            if ($LASTEXITCODE -ne 0 -or $lines.Count -lt 2) { throw 'PostgreSQL could not be started (.ci/postgres.sh).' }
            $postgres, $cluster = $lines[0], $lines[1]
        }
        # A schema of its own (the server creates it), so the run starts empty and leaves other data alone.
        $database = "$postgres;Search Path=hlbench_$([guid]::NewGuid().ToString('n'))"
        $environment = @{ HUMANLOOP_SERVER_API_KEYS = $BenchApiKey }
        foreach ($arguments in @(@('--data', $folder), @('--database', $database), @('--database', $database))) {
            $servers.Add((Start-ReadyProcess -DllPath $serverDll -ReadyPrefix 'Humanloop server ready: ' -TimeoutSec 60 `
                -Argument (@('--urls', 'http://127.0.0.1:0') + $arguments) -Environment $environment))
        }
        $result = Invoke-BenchScenario -Name Storage -Parameters @{
            ModulePath = $modulePath; SqliteUri = $servers[0].Uri; PostgresUri = $servers[1].Uri; SecondPostgresUri = $servers[2].Uri
            Requests = $StorageRequests; Rounds = $StorageRounds; WarmupRequests = [math]::Min(200, [math]::Ceiling($StorageRequests / 4))
        }
    }
    finally {
        foreach ($server in $servers) { Stop-ReadyProcess $server }
        if ($cluster) { & bash (Join-Path $root '.ci/postgres.sh') stop $cluster | Out-Null }
        Remove-Item $folder -Recurse -Force -ErrorAction Ignore
    }

    $sqlite, $one, $two = $result.Contenders | ForEach-Object { , [double[]]$_.Rates }
    $versusSqlite = [math]::Round((Get-PairedRatio $one $sqlite), 2)
    $versusOne = [math]::Round((Get-PairedRatio $two $one), 2)
    Out-Report '## Storage engines and replicas (issue 15)'
    Out-Report
    Out-Report "Non-streaming mock completions, each logged (one log row, and the project looked up by name), from $($result.Clients) concurrent clients in one process (C#, HttpClient), $($result.Requests) per contender per round, $StorageRounds round(s) in rotating order. Every server and PostgreSQL itself share this machine's $([Environment]::ProcessorCount) cores with the load generator, so two replicas cannot have twice the CPU of one: on 2 cores the replica ratio measures the cost of spreading the same CPU over two processes, not the scaling a second machine would bring."
    Out-Report
    Out-Report '| Contender | requests/s (median) | best |'
    Out-Report '|---|---:|---:|'
    foreach ($contender in $result.Contenders) {
        $rates = [double[]]$contender.Rates
        Out-Report ("| {0} | {1} | {2} |" -f $contender.Name, (Format-Rate (Get-Median $rates)), (Format-Rate (Get-Best $rates)))
    }
    Out-Report
    Out-Report ("PostgreSQL / SQLite: {0} (goal ≥ 0.5×); two replicas / one: {1} (goal ≥ 1.5×; capped by the cores)." -f (Format-Ratio $versusSqlite), (Format-Ratio $versusOne))
    Out-Report
    Set-Goal PostgresVsSqlite ("{0} ({1:N0} vs {2:N0} requests/s)" -f (Format-Ratio $versusSqlite), (Get-Median $one), (Get-Median $sqlite)) ($versusSqlite -ge 0.5)
    Set-Goal TwoReplicas ("{0} ({1:N0} vs {2:N0} requests/s, {3} cores shared by both replicas, PostgreSQL and the clients)" -f (Format-Ratio $versusOne), (Get-Median $two), (Get-Median $one), [Environment]::ProcessorCount) ($versusOne -ge 1.5)
}

# ---------------------------------------------------------------------------------------------------
# Run
# ---------------------------------------------------------------------------------------------------

$commit = (& git -C $root rev-parse --short HEAD 2>$null)
$dirty = if (& git -C $root status --porcelain 2>$null) { ' (with uncommitted changes in the tree)' } else { '' }
$load = if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ' } else { 'n/a' }
$started = Get-Date
Out-Report "# HumanloopPS benchmarks, $($started.ToString('yyyy-MM-dd HH:mm'))"
Out-Report
Out-Report "Module $version ($Configuration) at commit $commit$dirty; PowerShell $($PSVersionTable.PSVersion) on $([System.Runtime.InteropServices.RuntimeInformation]::FrameworkDescription); $([Environment]::ProcessorCount) cores; load average at start $load."
Out-Report

$server = $null
$faultServer = $null
$passed = 0
$failed = [System.Collections.Generic.List[string]]::new()
try {
    if ($Benchmark | Where-Object { $_ -in 'Throughput', 'Import', 'Streaming' }) {
        $server = Start-BenchServer -ServerDll $serverDll
    }
    if ($Benchmark | Where-Object { $_ -in 'Cancel', 'Batch' }) {
        $faultServer = Start-BenchServer -ServerDll $serverDll -Arguments '--enable-faults'
    }
    foreach ($name in 'Throughput', 'Import', 'Streaming', 'Cancel', 'Soak', 'Batch', 'Forwarding', 'Storage') {
        if ($Benchmark -notcontains $name) { continue }
        # One benchmark that errors is reported, and the others still run.
        try {
            switch ($name) {
                'Throughput' { Invoke-ThroughputBenchmark $server.Uri }
                'Import' { Invoke-ImportBenchmark $server.Uri }
                'Streaming' { Invoke-StreamingBenchmark $server.Uri }
                'Cancel' { Invoke-CancelBenchmark $faultServer.Uri }
                'Soak' { Invoke-SoakBenchmark }
                'Batch' { Invoke-BatchBenchmark $faultServer.Uri }
                'Forwarding' { Invoke-ForwardingBenchmark }
                'Storage' { Invoke-StorageBenchmark }
            }
            $passed++
        }
        catch {
            $failed.Add($name)
            Out-Report "## ${name}: **failed**"
            Out-Report
            Out-Report "The benchmark errored: $($_.Exception.Message)"
            Out-Report
        }
    }
}
finally {
    Stop-ReadyProcess $server
    Stop-ReadyProcess $faultServer
}

Out-Report '## Goals of issues 12 and 15'
Out-Report
if ($Quick) {
    Out-Report 'A quick run (-Quick): smaller sizes, to show that the benchmarks still run; its numbers are not judged.'
    Out-Report
}
Out-Report '| Measure | measured | goal | verdict |'
Out-Report '|---|---|---|---|'
foreach ($goal in $goals.Values) {
    $verdict = if ($Quick -or -not $goal.ContainsKey('Verdict')) { '' } else { $goal.Verdict }
    Out-Report "| $($goal.Measure) | $($goal.Value) | $($goal.Goal) | $verdict |"
}
Out-Report

Out-Report "Finished in $([math]::Round(((Get-Date) - $started).TotalMinutes, 1)) min."
$resultsFolder = New-Item -ItemType Directory -Path (Join-Path $PSScriptRoot 'results') -Force
$resultFile = Join-Path $resultsFolder "$($started.ToString('yyyyMMdd-HHmmss')).md"
Set-Content -Path $resultFile -Value $report -Encoding utf8
Write-Host "Results written to $resultFile"
if ($CountsPath) {
    [ordered]@{ Passed = $passed; Failed = $failed.Count } | ConvertTo-Json | Set-Content -Path $CountsPath -Encoding utf8
}
$label = if ($Quick) { 'Benchmarks (quick)' } else { 'Benchmarks' }
Write-Host "${label}: $passed passed, $($failed.Count) failed$(if ($failed.Count) { " ($($failed -join ', '))" })"
if ($failed.Count) {
    exit 1
}
