<#
.SYNOPSIS
    Runs the Pester suite with the pinned Pester and writes NUnit results plus a counts file.
    build.ps1 -Task Test calls this in a fresh process.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [string] $Configuration = 'Release'
)

# Tests run under PowerShell's default preferences, as users' scripts do: a 'Stop' set here would be
# inherited by every test and turn the module's non-terminating errors into terminating ones.
Import-Module $PesterPath -RequiredVersion 6.2.0 -ErrorAction Stop

$env:HUMANLOOP_TEST_CONFIGURATION = $Configuration
$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $ResultPath

$result = Invoke-Pester -Configuration $config
$counts = [ordered]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount
    NotRun  = $result.NotRunCount
}
$counts | ConvertTo-Json | Set-Content -Path "$ResultPath.counts.json"
if ($counts.Skipped -gt 0 -or $counts.NotRun -gt 0) {
    Write-Warning "Pester skipped $($counts.Skipped) and did not run $($counts.NotRun) test(s)."
}
exit ([int]($counts.Failed -gt 0))
