<#
.SYNOPSIS
    G8: many sequential New-HumanloopCompletion calls in one session, sampling sockets and memory.

.DESCRIPTION
    Every -Interval calls it records the process's open sockets (socket file descriptors), the client-side
    TCP connections to the server by state (ESTABLISHED, TIME_WAIT), the GC heap after a full collection,
    and the working set. A pooled client keeps one connection and flat memory; a connection per call
    would show TIME_WAIT climbing. Give it a server of its own: TIME_WAIT entries belong to no process,
    so another client's leftovers on the same port would be counted. Writes every sample as JSON.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $ResultPath,
    [int] $Calls = 10000,
    [int] $Interval = 1000
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../BenchSupport.ps1')

# What a fresh pwsh holds before any HTTP (the runtime's diagnostics socket, for one), to judge growth against.
$socketsAtStart = Get-OpenSocketCount

Import-Module $ModulePath
Connect-Humanloop -ApiKey $BenchApiKey -BaseUri $BaseUri
$completion = Get-BenchCompletionParameters
$serverPort = ([uri]$BaseUri).Port
$process = [System.Diagnostics.Process]::GetCurrentProcess()

function Get-Sample([int] $CallsSoFar, [double] $Seconds) {
    # Full, compacting collections first, so the heap figure is what is really kept alive.
    [GC]::Collect()
    [GC]::WaitForPendingFinalizers()
    [GC]::Collect()
    $process.Refresh()
    $tcp = Get-TcpStateCount -RemotePort $serverPort
    [ordered]@{
        Calls          = $CallsSoFar
        Seconds        = [math]::Round($Seconds, 2)
        OpenSockets    = Get-OpenSocketCount
        Established    = $tcp.Established
        TimeWait       = $tcp.TimeWait
        GcHeapBytes    = [GC]::GetTotalMemory($true)
        WorkingSetBytes = $process.WorkingSet64
        Errors         = $Error.Count
    }
}

$null = New-HumanloopCompletion @completion
$Error.Clear()
$samples = [System.Collections.Generic.List[object]]::new()
$samples.Add((Get-Sample 0 0))
$stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
for ($call = 1; $call -le $Calls; $call++) {
    # A failed call is counted (in $Error), not fatal: the soak is about what many calls leave behind.
    $null = New-HumanloopCompletion @completion -ErrorAction SilentlyContinue
    if ($call % $Interval -eq 0 -or $call -eq $Calls) {
        $sample = Get-Sample $call $stopwatch.Elapsed.TotalSeconds
        $samples.Add($sample)
        Write-Host ("  {0,6:N0} calls: {1} sockets open, {2} established / {3} TIME_WAIT to the server, GC heap {4:N1} MB, working set {5:N1} MB, {6} errors" -f
            $call, $sample.OpenSockets, $sample.Established, $sample.TimeWait, ($sample.GcHeapBytes / 1MB), ($sample.WorkingSetBytes / 1MB), $sample.Errors)
    }
}

[ordered]@{
    Calls          = $Calls
    Interval       = $Interval
    SocketsAtStart = $socketsAtStart
    Samples        = $samples.ToArray()
} | ConvertTo-Json -Depth 5 | Set-Content -Path $ResultPath -Encoding utf8
