# Shared by Invoke-Benchmarks.ps1 and the scenario scripts (dot-sourced): starting the local server,
# launching fresh pwsh processes, the request every benchmark sends, statistics and socket counts.

Import-Module (Join-Path $PSScriptRoot '../examples/LocalServer.psm1')

Set-StrictMode -Version 3.0

$script:BenchRoot = $PSScriptRoot
$script:BenchApiKey = 'hl_bench_key_0123456789abcdef'

function Get-BenchCompletionParameters {
    <#
    The non-streaming completion every throughput, import and soak benchmark sends: the local server's
    mock provider with a short answer, so the response is about 1 KB, like the anchor measurements.
    #>
    @{
        Project        = 'bench'
        Provider       = 'mock'
        Model          = 'mock-1'
        PromptTemplate = 'Answer briefly: {{question}}'
        MaxTokens      = 12
        Inputs         = @{ question = 'what is a runbook?' }
    }
}

function Get-BenchStreamParameters {
    <#
    A long mock stream: the mock echoes every prompt word as one event, so $Words words give about that
    many events. The words are in the template, not in the inputs, because every event repeats the inputs.
    #>
    param([int] $Words)
    @{
        Project        = 'bench-stream'
        Provider       = 'mock'
        Model          = 'mock-1'
        PromptTemplate = (1..$Words | ForEach-Object { "w$_" }) -join ' '
    }
}

function Get-PwshLauncher {
    <# The command line prefix that starts this same PowerShell: `dotnet pwsh.dll` for the dotnet tool, else the executable. #>
    $processPath = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        return , @($processPath, (Join-Path $PSHOME 'pwsh.dll'))
    }
    , @($processPath)
}

function Invoke-FreshPwsh {
    <#
    Runs pwsh with the given arguments in a new process and returns its exit code, wall time and (with
    -Capture) its output. Without -Capture the child writes straight to this console, for live progress.
    #>
    param([Parameter(Mandatory)] [string[]] $Arguments, [switch] $Capture, [hashtable] $Environment = @{})
    $launcher = Get-PwshLauncher
    $start = [System.Diagnostics.ProcessStartInfo]::new($launcher[0])
    foreach ($argument in @($launcher | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $Arguments) {
        $start.ArgumentList.Add($argument)
    }
    foreach ($name in $Environment.Keys) {
        $start.Environment[$name] = $Environment[$name]
    }
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = [bool]$Capture
    $start.RedirectStandardError = [bool]$Capture
    $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
    $process = [System.Diagnostics.Process]::Start($start)
    $output = $null
    $errors = $null
    if ($Capture) {
        $errorTask = $process.StandardError.ReadToEndAsync()
        $output = $process.StandardOutput.ReadToEnd()
        $errors = $errorTask.GetAwaiter().GetResult()
    }
    $process.WaitForExit()
    $stopwatch.Stop()
    [pscustomobject]@{
        ExitCode = $process.ExitCode
        WallMs   = $stopwatch.Elapsed.TotalMilliseconds
        Output   = $output
        Errors   = $errors
    }
}

function Invoke-BenchScenario {
    <# Runs bench/scenarios/<Name>.ps1 in a fresh process and returns the result object it wrote. #>
    param([Parameter(Mandatory)] [string] $Name, [hashtable] $Parameters = @{})
    $resultPath = Join-Path ([IO.Path]::GetTempPath()) "humanloop-bench-$Name-$([guid]::NewGuid().ToString('n')).json"
    $arguments = @('-File', (Join-Path $script:BenchRoot "scenarios/$Name.ps1"), '-ResultPath', $resultPath)
    foreach ($key in $Parameters.Keys) {
        $arguments += "-$key"
        $arguments += [string]$Parameters[$key]
    }
    $run = Invoke-FreshPwsh -Arguments $arguments
    try {
        if ($run.ExitCode -ne 0 -or -not (Test-Path $resultPath)) {
            throw "The $Name benchmark failed (exit code $($run.ExitCode)); see its output above."
        }
        Get-Content -Raw $resultPath | ConvertFrom-Json
    }
    finally {
        Remove-Item $resultPath -ErrorAction Ignore
    }
}

function Start-BenchServer {
    <# Starts the built local server in memory on a free loopback port; returns its process and /v4 URI. #>
    param([Parameter(Mandatory)] [string] $ServerDll, [string[]] $Arguments = @(), [hashtable] $Environment = @{}, [int] $TimeoutSec = 60)
    Start-LocalHumanloopServer -ServerPath $ServerDll -ApiKey $script:BenchApiKey -Argument $Arguments -Environment $Environment -TimeoutSec $TimeoutSec
}

function Import-BenchHelpers {
    <# Compiles BenchHelpers.cs against the module's own core assembly (already loaded by the module). #>
    param([Parameter(Mandatory)] [string] $ModuleBase)
    if ('HumanloopBench.DirectLoop' -as [type]) {
        return
    }
    $core = Get-ChildItem -Path $ModuleBase -Recurse -Filter 'Humanloop.Core.dll' | Select-Object -First 1
    # Loading it explicitly gives Add-Type the very assembly the cmdlets use.
    $null = [System.Reflection.Assembly]::LoadFrom($core.FullName)
    # CS1701: the module is built against net8.0's System.Runtime and this process runs .NET 10's, which is fine.
    Add-Type -Path (Join-Path $script:BenchRoot 'BenchHelpers.cs') -ReferencedAssemblies $core.FullName, 'System.Net.Http', 'System.Net.Primitives', 'System.Threading' -CompilerOptions '-nowarn:CS1701'
}

function Measure-Milliseconds {
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
    $null = & $ScriptBlock
    $stopwatch.Elapsed.TotalMilliseconds
}

function Get-Median {
    param([double[]] $Values)
    if (-not $Values) {
        return [double]::NaN
    }
    $sorted = [double[]]($Values | Sort-Object)
    $middle = [math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

function Get-OpenSocketCount {
    <# Sockets the process holds open: its file descriptors that are sockets (Linux /proc). -1 where /proc is missing. #>
    param([int] $ProcessId = $PID)
    $fdFolder = "/proc/$ProcessId/fd"
    if (-not (Test-Path $fdFolder)) {
        return -1
    }
    $count = 0
    foreach ($fd in [System.IO.Directory]::EnumerateFileSystemEntries($fdFolder)) {
        try {
            $target = [System.IO.File]::ResolveLinkTarget($fd, $false)
            if ($target -and $target.Name.StartsWith('socket:')) { $count++ }
        }
        catch [System.IO.IOException], [System.UnauthorizedAccessException] {
            # The descriptor closed while we looked: not open any more.
        }
    }
    $count
}

function Get-TcpStateCount {
    <#
    Client-side TCP connections to a local port, by state, from /proc/net/tcp and tcp6: ESTABLISHED and
    TIME_WAIT (the latter belongs to no process, so it is the trace a connection-per-call client leaves).
    #>
    param([Parameter(Mandatory)] [int] $RemotePort)
    $counts = [ordered]@{ Established = 0; TimeWait = 0; Other = 0 }
    $portHex = ':{0:X4}' -f $RemotePort
    foreach ($table in '/proc/net/tcp', '/proc/net/tcp6') {
        if (-not (Test-Path $table)) { continue }
        foreach ($line in [System.IO.File]::ReadLines($table) | Select-Object -Skip 1) {
            $fields = $line.Trim() -split '\s+'
            if ($fields.Count -lt 4 -or -not $fields[2].EndsWith($portHex)) { continue }
            switch ($fields[3]) {
                '01' { $counts.Established++ }
                '06' { $counts.TimeWait++ }
                default { $counts.Other++ }
            }
        }
    }
    [pscustomobject]$counts
}

function Add-ServerFault {
    <# Adds a fault rule on a server started with --enable-faults (docs/server.md). #>
    param([Parameter(Mandatory)] [string] $ServerRoot, [Parameter(Mandatory)] [hashtable] $Rule)
    Invoke-RestMethod -NoProxy -Method Post -Uri "$ServerRoot/_faults" -Headers @{ 'X-API-KEY' = $script:BenchApiKey } -ContentType 'application/json' -Body (ConvertTo-Json $Rule -Compress) | Out-Null
}

function Get-ServerRequestCount {
    param([Parameter(Mandatory)] [string] $ServerRoot, [string] $Path = '/v4/completion')
    $state = Invoke-RestMethod -NoProxy -Uri "$ServerRoot/_faults" -Headers @{ 'X-API-KEY' = $script:BenchApiKey }
    $count = $state.requests.PSObject.Properties[$Path]
    if ($count) { [int]$count.Value } else { 0 }
}
