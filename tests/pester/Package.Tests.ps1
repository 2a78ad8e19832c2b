# build.ps1 -Task Package: the module's .nupkg installs with Install-PSResource from a folder repository and
# works; the server's .NET tool package installs with dotnet tool install and answers. Both install into
# temporary folders, in fresh processes, never into the real user profile.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:version = (Import-PowerShellDataFile (Join-Path $RepoRoot 'Humanloop.psd1')).ModuleVersion
    $script:packages = Join-Path $RepoRoot 'output/packages'
    $moduleNupkg = Join-Path $packages "Humanloop.$version.nupkg"
    $builtModule = Join-Path $RepoRoot "output/Humanloop/$version/bin/net8.0/Humanloop.PowerShell.dll"
    # The packages are made by the Package task; made again here when missing or older than the built module.
    if (-not (Test-Path $moduleNupkg) -or -not (Test-Path (Join-Path $packages "humanloop-server.$version.nupkg")) -or
        (Get-Item $moduleNupkg).LastWriteTimeUtc -lt (Get-Item $builtModule).LastWriteTimeUtc) {
        $pack = Invoke-FreshPwsh -Script "./build.ps1 -Task Package -Configuration $Configuration"
        if ($pack.ExitCode -ne 0) { throw "build.ps1 -Task Package failed:`n$($pack.Output)`n$($pack.Errors)" }
    }
    $script:server = Start-HumanloopTestServer
    $script:scratch = New-Item -ItemType Directory -Path (Join-Path ([System.IO.Path]::GetTempPath()) "hl-package-$([guid]::NewGuid().ToString('N'))")
}

AfterAll {
    $server | Stop-ReadyProcess
    Remove-Item $scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'The module package' {
    It 'installs with the README''s three commands into a fresh profile, imports by name and calls the server' {
        $profileHome = New-Item -ItemType Directory -Path (Join-Path $scratch 'home')
        # A fresh HOME keeps the repository registration and the CurrentUser scope off the real profile; the NuGet
        # cache stays where the pinned pwsh tool is.
        $environment = @{
            HOME = $profileHome.FullName; PSModulePath = ''; NUGET_PACKAGES = (Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages')
            DOTNET_CLI_HOME = [Environment]::GetFolderPath('UserProfile'); HUMANLOOP_API_KEY = $TestApiKey; HUMANLOOP_BASE_URL = $server.Uri
        }
        $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name local -Uri '$packages' -Trusted
Install-PSResource Humanloop -Repository local -Scope CurrentUser
Import-Module Humanloop
(Get-Module Humanloop).ModuleBase
New-HumanloopProject -Name 'installed from a package' | ForEach-Object Name
"@
        $run = Invoke-FreshPwsh -Script $script -Environment $environment

        $run.ExitCode | Should -Be 0 -Because "$($run.Output)$($run.Errors)"
        $lines = @($run.Output -split '\r?\n' | Where-Object { $_ })
        $lines[-2] | Should -BeLike "$($profileHome.FullName)*Humanloop*$version"
        $lines[-1] | Should -Be 'installed from a package'
        Get-HumanloopProject -Name 'installed from a package' -ApiKey $TestApiKey -BaseUri $server.Uri | Should -Not -BeNullOrEmpty
    }
}

Describe 'The server tool package' {
    It 'installs with dotnet tool install into a tool path and starts as humanloop-server, answering on loopback' {
        $toolPath = Join-Path $scratch 'tools'
        # Only the local folder as a source: no registry is asked.
        $config = Join-Path $scratch 'nuget.config'
        Set-Content $config "<configuration><packageSources><clear /><add key=`"local`" value=`"$packages`" /></packageSources></configuration>"
        $install = & dotnet tool install humanloop-server --version $version --tool-path $toolPath --configfile $config 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($install -join "`n")

        $command = Join-Path $toolPath ($IsWindows ? 'humanloop-server.exe' : 'humanloop-server')
        $tool = Start-ReadyProcess -CommandPath $command -ReadyPrefix 'Humanloop server ready: ' -Argument '--urls', 'http://127.0.0.1:0', '--in-memory'
        try {
            $tool.Uri | Should -Match '^http://127\.0\.0\.1:\d+/v4$'
            $connect = [regex]::Match($tool.Output, "(?m)^Connect from PowerShell: (.+)$").Groups[1].Value
            $connect | Should -BeLike "Connect-Humanloop -BaseUri $($tool.Uri) -ApiKey 'hl_local_*'"
            $key = [regex]::Match($connect, "'(hl_local_\w+)'").Groups[1].Value
            (Invoke-RestMethod -NoProxy -Uri "$($tool.Uri)/projects" -Headers @{ 'X-API-KEY' = $key }).records | Should -BeNullOrEmpty
        }
        finally {
            $tool | Stop-ReadyProcess
        }
    }
}
