<#
.SYNOPSIS
    Runs the prompt regression suite and prints "Regression example: N passed, N failed".

.DESCRIPTION
    In Replay mode (the default) the suite answers from its committed fixtures, so this clears
    HUMANLOOP_API_KEY and HUMANLOOP_BASE_URL for its own process first: a green run proves the suite
    needs neither a key nor a server. Record and Auto need both (see README). The module is taken from
    the repository's build output (output/Humanloop) when there is one, else from PSModulePath.
    build.ps1 -Task Test runs this in a fresh process.

.EXAMPLE
    ./examples/regression/Invoke-Regression.ps1

.EXAMPLE
    $env:HUMANLOOP_API_KEY = $key; $env:HUMANLOOP_BASE_URL = 'https://humanloop.example/v4'
    ./examples/regression/Invoke-Regression.ps1 -Mode Auto
#>
[CmdletBinding()]
param(
    [ValidateSet('Replay', 'Record', 'Auto')]
    [string] $Mode = 'Replay',

    # Pester 5 or later: a module name or the path of Pester.psd1. By default the Pester version the
    # repository pins, restored from NuGet by build.ps1 -Task PesterPath (as build.ps1 -Task Test uses it).
    [string] $PesterPath,

    # Where to write the counts as JSON, for build scripts.
    [string] $CountsPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$variables = 'PSModulePath', 'HUMANLOOP_API_KEY', 'HUMANLOOP_BASE_URL', 'HUMANLOOP_RECORDING_MODE'
$saved = @{}
foreach ($name in $variables) {
    $saved[$name] = [Environment]::GetEnvironmentVariable($name)
}
try {
    $built = Join-Path $PSScriptRoot '../../output'
    if (Test-Path (Join-Path $built 'Humanloop')) {
        $env:PSModulePath = (Resolve-Path $built).Path + [System.IO.Path]::PathSeparator + $env:PSModulePath
    }
    if ($Mode -eq 'Replay') {
        $env:HUMANLOOP_API_KEY = $null
        $env:HUMANLOOP_BASE_URL = $null
    }
    $env:HUMANLOOP_RECORDING_MODE = $Mode

    if (-not $PesterPath) {
        $PesterPath = & (Join-Path $PSScriptRoot '../../build.ps1') -Task PesterPath
    }
    Import-Module $PesterPath -MinimumVersion 5.0
    $configuration = New-PesterConfiguration
    $configuration.Run.Path = $PSScriptRoot
    $configuration.Run.PassThru = $true
    $configuration.Output.Verbosity = 'Detailed'
    $result = Invoke-Pester -Configuration $configuration
}
finally {
    # Called with & rather than in its own process, it leaves the caller's environment as it was.
    foreach ($name in $variables) {
        [Environment]::SetEnvironmentVariable($name, $saved[$name])
    }
}

$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
# A skipped or not-run check proves nothing, so it counts against the run.
$failed += $result.SkippedCount + $result.NotRunCount
if ($CountsPath) {
    [ordered]@{ Passed = $result.PassedCount; Failed = $failed } | ConvertTo-Json | Set-Content -Path $CountsPath
}
Write-Host "Regression example: $($result.PassedCount) passed, $failed failed"
exit ([int]($failed -gt 0))
