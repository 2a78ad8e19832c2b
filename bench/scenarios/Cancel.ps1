<#
.SYNOPSIS
    G4: how long PowerShell.Stop() takes to return while New-HumanloopCompletion waits on a stalled server,
    against Invoke-RestMethod stalled the same way and Start-Sleep (PowerShell's own floor).

.DESCRIPTION
    Needs a server started with --enable-faults. Each run adds one fault rule, starts the command in a
    hosted PowerShell, waits until it is really blocked (a chunk has arrived, or the server has seen the
    request), lets it sit for -SettleMs, then times Stop(). Writes every run's milliseconds as JSON.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $ResultPath,
    [int] $Runs = 10,
    [int] $SettleMs = 300
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../BenchSupport.ps1')

$serverRoot = $BaseUri -replace '/v4$', ''
$completion = Get-BenchCompletionParameters

# One runspace for every run, with the module imported and connected, like an interactive session.
$initial = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
$initial.ImportPSModule($ModulePath)
$runspace = [runspacefactory]::CreateRunspace($initial)
$runspace.Open()
$setup = [powershell]::Create()
$setup.Runspace = $runspace
$null = $setup.AddCommand('Connect-Humanloop').AddParameter('ApiKey', $BenchApiKey).AddParameter('BaseUri', $BaseUri).AddParameter('SkipCheck', $true).Invoke()
$setup.Dispose()

function Measure-Stop {
    <#
    Starts $Script with $Arguments in the shared runspace, waits until $IsBlocked says it is stuck, waits
    a little longer, and returns how many milliseconds Stop() took.
    #>
    param([string] $Script, [hashtable] $Arguments, [scriptblock] $IsBlocked)
    $shell = [powershell]::Create()
    $shell.Runspace = $runspace
    $null = $shell.AddScript($Script).AddParameters($Arguments)
    $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
    $noInput = [System.Management.Automation.PSDataCollection[psobject]]::new()
    $noInput.Complete()
    $handle = $shell.BeginInvoke($noInput, $output)
    try {
        $deadline = [datetime]::UtcNow.AddSeconds(15)
        while (-not (& $IsBlocked $output)) {
            if ([datetime]::UtcNow -gt $deadline -or $handle.IsCompleted) {
                throw "The command never blocked (state $($shell.InvocationStateInfo.State), errors: $($shell.Streams.Error -join '; '))."
            }
            Start-Sleep -Milliseconds 5
        }
        Start-Sleep -Milliseconds $SettleMs
        $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
        $shell.Stop()
        $stopwatch.Stop()
        if ($shell.InvocationStateInfo.State -ne 'Stopped') {
            throw "Stop() returned but the command is $($shell.InvocationStateInfo.State)."
        }
        $stopwatch.Elapsed.TotalMilliseconds
    }
    finally {
        $shell.Dispose()
    }
}

$completionScript = 'param($Parameters, [switch] $Stream) New-HumanloopCompletion @Parameters -Stream:$Stream'
$restScript = 'param($Uri, $Key, $Body) Invoke-RestMethod -Method Post -Uri $Uri -Headers @{ "X-API-KEY" = $Key } -ContentType "application/json" -Body $Body'
$restBody = @{ project = 'bench'; model_config = @{ provider = 'mock'; model = 'mock-1'; prompt_template = 'Answer briefly' } } | ConvertTo-Json -Compress
$serverSawRequest = {
    param($output)
    (Get-ServerRequestCount -ServerRoot $serverRoot) -gt $script:requestsBefore
}

$cases = [ordered]@{
    'Cmdlet, stream stalled after 1 event' = {
        Add-ServerFault -ServerRoot $serverRoot -Rule @{ path = '/v4/completion'; fault = 'stall_mid_stream'; after_events = 1 }
        Measure-Stop -Script $completionScript -Arguments @{ Parameters = $completion; Stream = $true } -IsBlocked { param($output) $output.Count -ge 1 }
    }
    'Cmdlet, request stalled before headers' = {
        Add-ServerFault -ServerRoot $serverRoot -Rule @{ path = '/v4/completion'; fault = 'stall_before_headers' }
        $script:requestsBefore = Get-ServerRequestCount -ServerRoot $serverRoot
        Measure-Stop -Script $completionScript -Arguments @{ Parameters = $completion } -IsBlocked $serverSawRequest
    }
    'Invoke-RestMethod, request stalled before headers' = {
        Add-ServerFault -ServerRoot $serverRoot -Rule @{ path = '/v4/completion'; fault = 'stall_before_headers' }
        $script:requestsBefore = Get-ServerRequestCount -ServerRoot $serverRoot
        Measure-Stop -Script $restScript -Arguments @{ Uri = "$BaseUri/completion"; Key = $BenchApiKey; Body = $restBody } -IsBlocked $serverSawRequest
    }
    'Start-Sleep 60 (baseline)' = {
        Measure-Stop -Script 'Start-Sleep -Seconds 60' -Arguments @{} -IsBlocked { param($output) $true }
    }
}

# A normal call first, so that neither JIT nor connection set-up lands in a timed Stop().
$warm = [powershell]::Create()
$warm.Runspace = $runspace
$null = $warm.AddScript($completionScript).AddParameter('Parameters', $completion).Invoke()
$warm.Dispose()

$results = [ordered]@{}
foreach ($name in $cases.Keys) { $results[$name] = [System.Collections.Generic.List[double]]::new() }
for ($run = 1; $run -le $Runs; $run++) {
    foreach ($name in $cases.Keys) {
        Invoke-RestMethod -NoProxy -Method Delete -Uri "$serverRoot/_faults" -Headers @{ 'X-API-KEY' = $BenchApiKey } | Out-Null
        $results[$name].Add((& $cases[$name]))
    }
    Write-Host ("  run {0}/{1}: {2}" -f $run, $Runs, (($cases.Keys | ForEach-Object { '{0} {1:N0} ms' -f $_, $results[$_][-1] }) -join '; '))
}
$runspace.Dispose()

[ordered]@{
    Runs     = $Runs
    SettleMs = $SettleMs
    Cases    = @(foreach ($name in $cases.Keys) { [ordered]@{ Name = $name; StopMilliseconds = $results[$name].ToArray() } })
} | ConvertTo-Json -Depth 5 | Set-Content -Path $ResultPath -Encoding utf8
