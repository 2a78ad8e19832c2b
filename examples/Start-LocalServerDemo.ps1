<#
.SYNOPSIS
    Starts the built local Humanloop server, runs quickstart.ps1 against it, and stops the server.

.DESCRIPTION
    What `dotnet pwsh ./build.ps1 -Task Demo` runs. The server keeps everything in memory, listens on a
    free loopback port, uses the mock provider (no network) and accepts one key generated for this run.
    The quick start runs in a child PowerShell with HUMANLOOP_BASE_URL and HUMANLOOP_API_KEY set, as a
    user's script would. The server is stopped whatever happens; the exit code is the quick start's.

.EXAMPLE
    ./examples/Start-LocalServerDemo.ps1 -ServerPath ./src/Humanloop.Server/bin/Release/net10.0/Humanloop.Server.dll -ModulePath ./output/Humanloop
#>
[CmdletBinding()]
param(
    # The built server, Humanloop.Server.dll.
    [Parameter(Mandatory)] [string] $ServerPath,
    # The built module folder (output/Humanloop).
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $ReadyTimeoutSec = 60
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$readyPrefix = 'Humanloop server ready: '
# Absolute, so that they mean the same in the child processes and as module paths.
$ServerPath = (Resolve-Path $ServerPath).Path
$ModulePath = (Resolve-Path $ModulePath).Path

function Start-DemoServer([string] $ApiKey) {
    $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    # A small delay per streamed token, so the stream is visibly live.
    foreach ($argument in $ServerPath, '--urls', 'http://127.0.0.1:0', '--in-memory', '--mock-token-delay-ms', '30') {
        $start.ArgumentList.Add($argument)
    }
    $start.Environment['HUMANLOOP_SERVER_API_KEYS'] = $ApiKey
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($start)
    $errors = $process.StandardError.ReadToEndAsync()
    $seen = [System.Text.StringBuilder]::new()
    $deadline = [datetime]::UtcNow.AddSeconds($ReadyTimeoutSec)
    while ([datetime]::UtcNow -lt $deadline) {
        $line = $process.StandardOutput.ReadLineAsync()
        if (-not $line.Wait([math]::Max(1, ($deadline - [datetime]::UtcNow).TotalMilliseconds)) -or $null -eq $line.Result) {
            break
        }
        [void] $seen.AppendLine($line.Result)
        if ($line.Result.StartsWith($readyPrefix)) {
            # Keep draining, so the server never blocks on a full pipe.
            $null = $process.StandardOutput.BaseStream.CopyToAsync([System.IO.Stream]::Null)
            return [pscustomobject]@{ Process = $process; Uri = $line.Result.Substring($readyPrefix.Length).Trim() }
        }
    }
    Stop-DemoServer $process
    throw "The server did not report ready within $ReadyTimeoutSec s.`n$seen$($errors.Result)"
}

function Stop-DemoServer([System.Diagnostics.Process] $Process) {
    if (-not $Process.HasExited) {
        $Process.Kill($true)
    }
    $null = $Process.WaitForExit(10000)
}

function Invoke-Quickstart([string] $BaseUri, [string] $ApiKey) {
    # Under `dotnet pwsh` (the repository's pinned tool) this process is the dotnet host running pwsh.dll.
    $pwsh = [Environment]::ProcessPath
    $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
    $arguments = @(
        if ([System.IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' }
        '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'quickstart.ps1'), '-ModulePath', $ModulePath
    )
    foreach ($argument in $arguments) {
        $start.ArgumentList.Add($argument)
    }
    $start.Environment['HUMANLOOP_BASE_URL'] = $BaseUri
    $start.Environment['HUMANLOOP_API_KEY'] = $ApiKey
    # Not redirected: the child writes straight to this console, so the stream shows as it arrives.
    $start.UseShellExecute = $false
    $child = [System.Diagnostics.Process]::Start($start)
    $child.WaitForExit()
    $child.ExitCode
}

$apiKey = 'hl_demo_' + [Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(16)).ToLowerInvariant()
$server = Start-DemoServer -ApiKey $apiKey
$exitCode = 1
try {
    Write-Host "Local Humanloop server running at $($server.Uri) (in memory, mock provider)."
    $exitCode = Invoke-Quickstart -BaseUri $server.Uri -ApiKey $apiKey
}
finally {
    Stop-DemoServer $server.Process
    Write-Host 'Local Humanloop server stopped.'
}

if ($exitCode -ne 0) {
    Write-Error "The quick start failed (exit code $exitCode)." -ErrorAction Continue
}
exit $exitCode
