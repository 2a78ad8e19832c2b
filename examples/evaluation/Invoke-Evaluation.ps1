<#
.SYNOPSIS
    Evaluates the support-bot prompt over the committed cases and prints "Evaluation example: N passed, N failed".

.DESCRIPTION
    Runs Prompt.Evaluation.Tests.ps1 with Pester. Without HUMANLOOP_BASE_URL, it starts the repository's
    built local server (in memory, mock provider, no network) for the run and stops it afterwards, so the
    example works offline, as CI runs it. With HUMANLOOP_BASE_URL and HUMANLOOP_API_KEY set, it runs
    against that server instead. The module is taken from the repository's build output (output/Humanloop)
    when there is one, else from PSModulePath. The exit code is the number of failed tests.

.EXAMPLE
    ./examples/evaluation/Invoke-Evaluation.ps1

.EXAMPLE
    ./examples/evaluation/Invoke-Evaluation.ps1 -Candidate ./examples/evaluation/configs/regressed.json
    Shows the evaluation failing: the regressed candidate no longer names the topic.
#>
[CmdletBinding()]
param(
    # The candidate config compared with the deployed one.
    [string] $Candidate = (Join-Path $PSScriptRoot 'configs/candidate.json'),

    # The built local server, used when HUMANLOOP_BASE_URL is not set.
    [string] $ServerPath = (Join-Path $PSScriptRoot '../../src/Humanloop.Server/bin/Release/net10.0/Humanloop.Server.dll'),

    # Pester 5 or later: a module name or the path of Pester.psd1; by default the version the repository pins.
    [string] $PesterPath,

    # Where to write the counts (and the failures' messages) as JSON, for build scripts.
    [string] $CountsPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$built = Join-Path $PSScriptRoot '../../output'
if (Test-Path (Join-Path $built 'Humanloop')) {
    $env:PSModulePath = (Resolve-Path $built).Path + [System.IO.Path]::PathSeparator + $env:PSModulePath
}
if (-not $PesterPath) {
    $PesterPath = & (Join-Path $PSScriptRoot '../../build.ps1') -Task PesterPath
}
$Candidate = (Resolve-Path $Candidate).Path

$server = $null
try {
    if (-not $env:HUMANLOOP_BASE_URL) {
        Import-Module (Join-Path $PSScriptRoot '../LocalServer.psm1')
        $env:HUMANLOOP_API_KEY = 'hl_example_' + [Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(16)).ToLowerInvariant()
        $server = Start-LocalHumanloopServer -ServerPath (Resolve-Path $ServerPath).Path -ApiKey $env:HUMANLOOP_API_KEY
        $env:HUMANLOOP_BASE_URL = $server.Uri
    }

    Import-Module $PesterPath -MinimumVersion 5.0
    $configuration = New-PesterConfiguration
    $configuration.Run.Container = New-PesterContainer -Path (Join-Path $PSScriptRoot 'Prompt.Evaluation.Tests.ps1') -Data @{ Candidate = $Candidate }
    $configuration.Run.PassThru = $true
    $configuration.Output.Verbosity = 'Detailed'
    $result = Invoke-Pester -Configuration $configuration
}
finally {
    if ($server) {
        $server | Stop-ReadyProcess
        $env:HUMANLOOP_BASE_URL = $null
        $env:HUMANLOOP_API_KEY = $null
    }
}

$failures = @($result.Failed | ForEach-Object { [pscustomobject]@{ Name = $_.ExpandedName; Message = "$($_.ErrorRecord)" } })
if ($CountsPath) {
    [pscustomobject]@{ Passed = $result.PassedCount; Failed = $result.FailedCount; Failures = $failures } | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $CountsPath
}
Write-Host "Evaluation example: $($result.PassedCount) passed, $($result.FailedCount) failed"
exit $result.FailedCount
