#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, serves and packages HumanloopPS.

.DESCRIPTION
    Build   compiles the solution and assembles the module in output/Humanloop/<version>/.
    Test    builds, then runs every suite (xUnit core, xUnit server, Pester) and prints one closing
            line per suite of the form "N passed, N failed". Exits 1 if anything failed.
    Serve   builds and runs the local v4-compatible server (default http://127.0.0.1:5080/v4).
    Demo    builds, starts the local server, runs examples/quickstart.ps1 against it, stops it.
    Bench   runs the benchmarks in bench/ and prints ratios against their baselines.
    Package zips the assembled module into output/.
    Clean   removes build output.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Serve -ServerArgument '--urls', 'http://127.0.0.1:5099', '--in-memory'
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Serve', 'Demo', 'Bench', 'Package', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Arguments passed to the server by -Task Serve.
    [string[]] $ServerArgument = @('--urls', 'http://127.0.0.1:5080')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$root = $PSScriptRoot
$version = (Import-PowerShellDataFile (Join-Path $root 'Humanloop.psd1')).ModuleVersion
$outputRoot = Join-Path $root 'output'
$moduleRoot = Join-Path $outputRoot "Humanloop/$version"
$resultsRoot = Join-Path $outputRoot 'test-results'
$serverDll = Join-Path $root "src/Humanloop.Server/bin/$Configuration/net10.0/Humanloop.Server.dll"
$moduleTargetFramework = 'net8.0'

# A simple function (no param block) so that dotnet switches such as --verbosity minimal are passed through
# instead of being bound to PowerShell's common parameters.
function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Build {
    Invoke-Dotnet build (Join-Path $root 'HumanloopPS.sln') -c $Configuration "-p:Version=$version" -nologo --verbosity minimal

    if (Test-Path $moduleRoot) {
        Remove-Item $moduleRoot -Recurse -Force
    }
    $binFolder = New-Item -ItemType Directory -Path (Join-Path $moduleRoot "bin/$moduleTargetFramework") -Force
    $built = Join-Path $root "src/Humanloop.PowerShell/bin/$Configuration/$moduleTargetFramework"
    foreach ($name in 'Humanloop.PowerShell', 'Humanloop.Core') {
        Copy-Item (Join-Path $built "$name.dll"), (Join-Path $built "$name.pdb") -Destination $binFolder
    }
    Copy-Item (Join-Path $root 'Humanloop.psd1') -Destination $moduleRoot
    Copy-Item (Join-Path $root 'module/*') -Destination $moduleRoot -Recurse

    Write-Host "Module assembled in $moduleRoot"
}

function Get-PesterModulePath {
    Invoke-Dotnet restore (Join-Path $root 'tests/pester/PesterPackages.csproj') --verbosity quiet -nologo
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $pester = Join-Path $packages.Trim() 'pester/6.2.0/tools/Pester.psd1'
    if (-not (Test-Path $pester)) {
        throw "Pester 6.2.0 was restored but $pester is missing."
    }
    $pester
}

function Invoke-XunitSuite {
    param([string] $Project)
    $name = Split-Path $Project -Leaf
    $trx = "$name.trx"
    & dotnet test (Join-Path $root $Project) -c $Configuration --no-build -nologo `
        --logger "trx;LogFileName=$trx" --logger 'console;verbosity=normal' --results-directory $resultsRoot
    $summary = ([xml](Get-Content -Raw (Join-Path $resultsRoot $trx))).TestRun.ResultSummary.Counters
    $failed = [int]$summary.failed + [int]$summary.error + [int]$summary.timeout + [int]$summary.aborted
    Write-Host "${name}: $($summary.passed) passed, $failed failed"
    [pscustomobject]@{ Suite = $name; Passed = [int]$summary.passed; Failed = $failed + [int]($LASTEXITCODE -ne 0 -and $failed -eq 0) }
}

function Invoke-PesterSuite {
    $pester = Get-PesterModulePath
    $resultFile = Join-Path $resultsRoot 'pester.xml'
    # A child process keeps this script's strict mode and state out of the tests.
    Push-Location $root
    try {
        & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'tests/pester/Invoke-PesterSuite.ps1') `
            -PesterPath $pester -ResultPath $resultFile -Configuration $Configuration
        $exitCode = $LASTEXITCODE
    }
    finally {
        Pop-Location
    }
    $counts = Get-Content -Raw "$resultFile.counts.json" | ConvertFrom-Json
    Write-Host "Pester: $($counts.Passed) passed, $($counts.Failed) failed"
    [pscustomobject]@{ Suite = 'Pester'; Passed = $counts.Passed; Failed = $counts.Failed + [int]($exitCode -ne 0 -and $counts.Failed -eq 0) }
}

function Invoke-Test {
    Invoke-Build
    New-Item -ItemType Directory -Path $resultsRoot -Force | Out-Null
    Get-ChildItem $resultsRoot -File | Remove-Item -Force
    $results = @(
        Invoke-XunitSuite 'tests/Humanloop.Core.Tests'
        Invoke-XunitSuite 'tests/Humanloop.Server.Tests'
        Invoke-PesterSuite
    )
    Write-Host ''
    foreach ($result in $results) {
        Write-Host "$($result.Suite): $($result.Passed) passed, $($result.Failed) failed"
    }
    if (($results | Measure-Object -Property Failed -Sum).Sum -gt 0) {
        throw 'Some tests failed.'
    }
}

function Invoke-Serve {
    Invoke-Dotnet build (Join-Path $root 'src/Humanloop.Server') -c $Configuration "-p:Version=$version" -nologo --verbosity minimal
    & dotnet $serverDll @ServerArgument
}

function Invoke-Demo {
    Invoke-Build
    & (Join-Path $root 'examples/Start-LocalServerDemo.ps1') -ServerPath $serverDll -ModulePath (Join-Path $outputRoot 'Humanloop')
    if ($LASTEXITCODE -ne 0) {
        throw "The demo failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Bench {
    & (Join-Path $root 'bench/Invoke-Benchmarks.ps1') -Configuration $Configuration
}

function Invoke-Package {
    Invoke-Build
    $zip = Join-Path $outputRoot "Humanloop.$version.zip"
    Compress-Archive -Path (Join-Path $outputRoot 'Humanloop') -DestinationPath $zip -Force
    Write-Host "Packaged $zip"
}

function Invoke-Clean {
    Invoke-Dotnet clean (Join-Path $root 'HumanloopPS.sln') -c $Configuration -nologo --verbosity quiet
    if (Test-Path $outputRoot) {
        Remove-Item $outputRoot -Recurse -Force
    }
}

foreach ($name in $Task) {
    & "Invoke-$name"
}
