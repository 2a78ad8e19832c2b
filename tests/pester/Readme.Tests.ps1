# The README's PowerShell examples, run as pasted: every ```powershell block, in the order of the README, in one
# fresh PowerShell session against a real local server that was started the way the quick start says (a data
# folder, no configured keys, so the server makes its development key and the quick start reads it).
#
# A block is left out only when the line before it is an HTML comment of the form
#   <!-- readme-test: skip (the reason) -->
# which does not show on GitHub; the reason says why it cannot run here (it builds or starts what this test has
# already built and started, for example).
#
# The one substitution: the README's server address, http://127.0.0.1:5080, becomes this test's server (which
# listens on a free port). Everything else runs as written, in a scratch folder holding a copy of examples/ and
# the built output/, so that files the examples write land there.

BeforeDiscovery {
    $readmePath = Join-Path $PSScriptRoot '../../README.md'
    $lines = Get-Content $readmePath
    $script:blocks = [System.Collections.Generic.List[hashtable]]::new()
    for ($i = 0; $i -lt $lines.Count; $i++) {
        if ($lines[$i] -ne '```powershell') { continue }
        $start = $i + 1
        $end = $start
        while ($lines[$end] -ne '```') { $end++ }
        $marker = if ($i -gt 0) { [regex]::Match($lines[$i - 1], '^<!-- readme-test: skip \((.+)\) -->$') } else { $null }
        $blocks.Add(@{
                Line   = $start
                Code   = ($lines[$start..($end - 1)] -join "`n")
                Skip   = [bool]$marker.Success
                Reason = if ($marker.Success) { $marker.Groups[1].Value } else { '' }
            })
        $i = $end
    }
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:scratch = New-Item -ItemType Directory -Path (Join-Path ([System.IO.Path]::GetTempPath()) "hl-readme-$([guid]::NewGuid().ToString('N'))")
    Copy-Item (Join-Path $RepoRoot 'examples') -Destination $scratch -Recurse
    New-Item -ItemType SymbolicLink -Path (Join-Path $scratch 'output') -Target (Join-Path $RepoRoot 'output') | Out-Null
    # The server's data folder and the one the README's commands read are the per-user application data folder;
    # both processes get the same scratch one, so nothing touches the real profile.
    $data = New-Item -ItemType Directory -Path (Join-Path $scratch 'appdata')
    # Pester is installed for the README's Pester examples: the pinned one, as build.ps1 -Task PesterPath restores it.
    $modules = New-Item -ItemType Directory -Path (Join-Path $scratch 'modules')
    New-Item -ItemType SymbolicLink -Path (Join-Path $modules 'Pester') -Target (Split-Path (& (Join-Path $RepoRoot 'build.ps1') -Task PesterPath)) | Out-Null
    $script:environment = @{
        XDG_DATA_HOME = $data.FullName; LOCALAPPDATA = $data.FullName; HUMANLOOP_SERVER_API_KEYS = ''
        PSModulePath = $modules.FullName
    }
    $script:server = Start-ReadyProcess -DllPath (Join-Path $RepoRoot "src/Humanloop.Server/bin/$Configuration/net10.0/Humanloop.Server.dll") `
        -ReadyPrefix 'Humanloop server ready: ' -Argument '--urls', 'http://127.0.0.1:0' -Environment $environment
    $address = $server.Uri -replace '/v4$', ''

    $toRun = @($blocks | Where-Object { -not $_.Skip } | ForEach-Object { @{ Line = $_.Line; Code = $_.Code.Replace('http://127.0.0.1:5080', $address) } })
    $blockFile = Join-Path $scratch 'blocks.json'
    ConvertTo-Json -InputObject $toRun -Depth 3 | Set-Content $blockFile
    $runner = @"
Set-Location '$scratch'
foreach (`$block in (Get-Content -Raw '$blockFile' | ConvertFrom-Json)) {
    [Console]::Out.WriteLine("::block `$(`$block.Line)")
    try {
        `$ErrorActionPreference = 'Stop'
        # Each block is saved as a script and dot-sourced, as if pasted: its variables stay for the next blocks,
        # and a Pester Describe in it runs (Pester runs only saved files outside Invoke-Pester).
        # Once a block has loaded Pester, a failing test in a later block's Describe fails that block.
        if (Get-Module Pester) { `$PesterPreference = [PesterConfiguration]@{ Run = @{ Throw = `$true } } }
        `$file = Join-Path '$scratch' "readme-line-`$(`$block.Line).ps1"
        Set-Content -LiteralPath `$file -Value `$block.Code
        . `$file *>&1 | Out-String -Width 200 | Out-File -LiteralPath "`$file.out"
        [Console]::Out.WriteLine("::passed `$(`$block.Line)")
    }
    catch {
        [Console]::Out.WriteLine("::failed `$(`$block.Line): `$((`$_ | Out-String -Width 200).Trim() -replace '\r?\n', ' | ')")
    }
    `$ErrorActionPreference = 'Continue'
}
"@
    $script:run = Invoke-FreshPwsh -Script $runner -Environment $environment
    $script:outcomes = @{}
    foreach ($match in [regex]::Matches($run.Output, '(?m)^::(passed|failed) (\d+)(?::\s*(.*))?$')) {
        $outcomes[[int]$match.Groups[2].Value] = @{ Passed = $match.Groups[1].Value -eq 'passed'; Error = $match.Groups[3].Value }
    }
}

AfterAll {
    $server | Stop-ReadyProcess
    Remove-Item $scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'The README''s PowerShell examples, in order, in one session' {
    It 'run to the end in a fresh PowerShell' {
        $run.ExitCode | Should -Be 0 -Because $run.Errors
    }

    It 'the block at README line <Line> runs' -ForEach @($blocks | Where-Object { -not $_.Skip }) {
        $outcomes.ContainsKey($Line) | Should -BeTrue -Because 'every block reports how it ended'
        $outcomes[$Line].Passed | Should -BeTrue -Because "it failed with: $($outcomes[$Line].Error)`n$Code"
    }

    It 'leaves out only the few blocks that cannot run here, each with its reason' {
        $skipped = @($blocks | Where-Object Skip)
        $skipped.Count | Should -BeLessOrEqual 8
        foreach ($block in $skipped) { $block.Reason | Should -Not -BeNullOrEmpty }
    }
}
