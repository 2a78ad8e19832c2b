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

$ServerPath = (Resolve-Path $ServerPath).Path
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $PSScriptRoot 'LocalServer.psm1')

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
# The mock streams a token every 30 ms, so the live stream reads like one.
$server = Start-LocalHumanloopServer -ServerPath $ServerPath -ApiKey $apiKey -Argument '--mock-token-delay-ms', '30' -TimeoutSec $ReadyTimeoutSec
$exitCode = 1
try {
    Write-Host "Local Humanloop server running at $($server.Uri) (in memory, mock provider)."
    $exitCode = Invoke-Quickstart -BaseUri $server.Uri -ApiKey $apiKey
}
finally {
    $server | Stop-ReadyProcess
    Write-Host 'Local Humanloop server stopped.'
}

if ($exitCode -ne 0) {
    Write-Error "The quick start failed (exit code $exitCode)." -ErrorAction Continue
}
exit $exitCode
