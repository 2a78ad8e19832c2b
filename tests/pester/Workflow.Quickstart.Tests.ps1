# The README's main job: examples/Start-LocalServerDemo.ps1 (what build.ps1 -Task Demo runs) and
# examples/quickstart.ps1, each in a fresh PowerShell as a user would run them. Running them here is
# what makes CI fail when the quick start fails.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:serverDll = Join-Path $RepoRoot "src/Humanloop.Server/bin/$Configuration/net10.0/Humanloop.Server.dll"
    $script:demo = Join-Path $RepoRoot 'examples/Start-LocalServerDemo.ps1'
    $script:quickstart = Join-Path $RepoRoot 'examples/quickstart.ps1'
}

Describe 'Start-LocalServerDemo.ps1' {
    It 'starts the server, runs the whole workflow against it, stops it and exits 0' {
        $run = Invoke-FreshPwsh -Script "& '$demo' -ServerPath '$serverDll' -ModulePath ./output/Humanloop; exit `$LASTEXITCODE"

        $run.Errors | Should -BeNullOrEmpty
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -BeLike '*Local Humanloop server running at http://127.0.0.1:*'
        $run.Output | Should -BeLike '*Ran 6 completions through experiment*'
        $run.Output | Should -BeLike '*Streaming an answer from*Echo:*'
        $run.Output | Should -Match 'rating=(good|bad)' -Because 'the logs table shows the recorded feedback'
        $run.Output | Should -Match '(?m)^concise\s+config_\w+\s+\d\.\d{3}\s+\d\.\d{3}\s+\d+ True' -Because 'the statistics table has a row per config'
        $run.Output | Should -BeLike '*Local Humanloop server stopped.*'
    }

    It 'exits non-zero when the quick start fails, and still stops the server' {
        $empty = New-Item -ItemType Directory -Path (Join-Path ([System.IO.Path]::GetTempPath()) "no-module-$([guid]::NewGuid().ToString('N'))")
        try {
            $run = Invoke-FreshPwsh -Script "& '$demo' -ServerPath '$serverDll' -ModulePath '$empty'; exit `$LASTEXITCODE"
        }
        finally {
            Remove-Item $empty -Recurse -Force
        }

        $run.ExitCode | Should -Not -Be 0
        $run.Errors | Should -BeLike '*quick start failed*'
        $run.Output | Should -BeLike '*Local Humanloop server stopped.*'
        $uri = [regex]::Match($run.Output, 'running at (\S+)').Groups[1].Value
        { Invoke-RestMethod -NoProxy -Uri "$uri/projects" -TimeoutSec 5 } | Should -Throw -Because 'the server is gone'
    }
}

Describe 'quickstart.ps1' {
    BeforeAll {
        $script:server = Start-HumanloopTestServer
    }

    AfterAll {
        $server | Stop-ReadyProcess
    }

    It 'runs twice against one persistent server, reusing its project and configs' {
        $endpoint = @{ HUMANLOOP_BASE_URL = $server.Uri; HUMANLOOP_API_KEY = $TestApiKey }

        $first = Invoke-FreshPwsh -Script "& '$quickstart'" -Environment $endpoint
        $second = Invoke-FreshPwsh -Script "& '$quickstart'" -Environment $endpoint

        $first.ExitCode | Should -Be 0 -Because "$($first.Output)$($first.Errors)"
        $second.ExitCode | Should -Be 0 -Because "$($second.Output)$($second.Errors)"
        $projects = @(Get-HumanloopProject -Name 'HumanloopPS quick start' -ApiKey $TestApiKey -BaseUri $server.Uri)
        $projects.Count | Should -Be 1
        @($projects | Get-HumanloopModelConfig -ApiKey $TestApiKey -BaseUri $server.Uri).Count | Should -Be 2
        @($projects | Get-HumanloopExperiment -ApiKey $TestApiKey -BaseUri $server.Uri).Count | Should -Be 2
    }

    It 'fails with a clear message when there is no key and no connection' {
        $run = Invoke-FreshPwsh -Script "& '$quickstart'" -Environment @{ HUMANLOOP_BASE_URL = $server.Uri; HUMANLOOP_API_KEY = '' }

        $run.ExitCode | Should -Not -Be 0
        $run.Errors | Should -BeLike '*No Humanloop API key*HUMANLOOP_API_KEY*'
    }
}
