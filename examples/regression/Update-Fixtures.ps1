<#
.SYNOPSIS
    Re-records the regression example's fixtures against a fresh local server (for maintainers).

.DESCRIPTION
    Starts the built local server (in memory, mock provider, a key made up for this run), creates the
    project regression-demo and deploys the prompt the suite checks to production, then runs the suite
    in Record mode, which rewrites fixtures/prompt-regression.json. Review the diff and commit it.
    Build first: dotnet pwsh ./build.ps1 -Task Build.

    To record against another endpoint instead, set HUMANLOOP_API_KEY and HUMANLOOP_BASE_URL, deploy a
    prompt to production of a project named regression-demo there, and run
    ./Invoke-Regression.ps1 -Mode Record (see README).

.EXAMPLE
    dotnet pwsh ./examples/regression/Update-Fixtures.ps1
#>
[CmdletBinding()]
param(
    # The built server, Humanloop.Server.dll.
    [string] $ServerPath = (Join-Path $PSScriptRoot '../../src/Humanloop.Server/bin/Release/net10.0/Humanloop.Server.dll'),

    # Pester 5 or later: a module name or the path of Pester.psd1; by default the one the repository pins.
    [string] $PesterPath,

    [int] $ReadyTimeoutSec = 60
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

Import-Module (Join-Path $PSScriptRoot '../LocalServer.psm1')
$apiKey = 'hl_fixture_' + [guid]::NewGuid().ToString('N')
$server = Start-LocalHumanloopServer -ServerPath $ServerPath -ApiKey $apiKey -TimeoutSec $ReadyTimeoutSec
$baseUrl = $server.Uri
$saved = @{ Key = $env:HUMANLOOP_API_KEY; Url = $env:HUMANLOOP_BASE_URL }
try {
    Import-Module (Join-Path $PSScriptRoot '../../output/Humanloop')
    Connect-Humanloop -ApiKey $apiKey -BaseUri $baseUrl
    try {
        $project = New-HumanloopProject -Name regression-demo
        Register-HumanloopModelConfig -ProjectId $project.Id -Name friendly -Provider mock -Model mock-1 -Temperature 0.7 `
            -PromptTemplate 'Write one friendly sentence about {{topic}} for {{audience}}.' |
            Publish-HumanloopModelConfig -Environment production | Out-Null
    }
    finally {
        Disconnect-Humanloop
    }

    $env:HUMANLOOP_API_KEY = $apiKey
    $env:HUMANLOOP_BASE_URL = $baseUrl
    & (Join-Path $PSScriptRoot 'Invoke-Regression.ps1') -Mode Record -PesterPath $PesterPath
    if ($LASTEXITCODE) {
        throw "The recording run failed (exit code $LASTEXITCODE); review the fixture before committing it."
    }
}
finally {
    $env:HUMANLOOP_API_KEY, $env:HUMANLOOP_BASE_URL = $saved.Key, $saved.Url
    $server | Stop-ReadyProcess
}
