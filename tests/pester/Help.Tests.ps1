# Every exported cmdlet is documented where users look: Get-Help and the README.

BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    # An assertion cmdlet (Assert-Humanloop<Check>) is called by its alias, Should-Humanloop<Check>: its
    # examples and the README show that name.
    $script:commands = @(Get-Command -Module Humanloop -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name; Shown = $_.Name -replace '^Assert-Humanloop', 'Should-Humanloop' } })
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    $script:readme = Get-Content -Raw (Join-Path $RepoRoot 'README.md')
    $script:readmeCode = ([regex]::Matches($readme, '```powershell\r?\n(.*?)```', 'Singleline') | ForEach-Object { $_.Groups[1].Value }) -join "`n"
}

Describe 'The module manifest' {
    It 'exports exactly the cmdlets the assembly defines' {
        $manifest = Import-PowerShellDataFile (Join-Path $RepoRoot 'Humanloop.psd1')
        $defined = [Humanloop.PowerShell.Commands.NewHumanloopCompletionCommand].Assembly.GetTypes() |
            Where-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { $attribute = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]; "$($attribute.VerbName)-$($attribute.NounName)" }

        @($manifest.CmdletsToExport | Sort-Object) | Should -Be @($defined | Sort-Object)
    }
}

Describe '<Name>' -ForEach $commands {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
    }

    It 'has a synopsis' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis.Trim() | Should -Not -BeLike "$Name*" -Because 'a generated stub starts with the syntax, not a sentence'
    }

    It 'has a description' {
        ($help.description.Text -join ' ') | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example, with code and an explanation' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterThan 0
        foreach ($example in $examples) {
            $example.code | Should -BeLike "*$Shown*"
            ($example.remarks.Text -join ' ').Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'describes every parameter' {
        $undocumented = foreach ($parameter in ($command.Parameters.Values | Where-Object Name -NotIn $common)) {
            $entry = $help.parameters.parameter | Where-Object name -EQ $parameter.Name
            if (-not ($entry.description.Text -join '').Trim()) { $parameter.Name }
        }
        $undocumented | Should -BeNullOrEmpty
    }

    It 'has an example in the README' {
        $readmeCode | Should -Match ([regex]::Escape($Shown)) -Because 'the README promises an example for every cmdlet'
    }
}

Describe 'Get-Help -Online for <Name>' -ForEach $commands {
    BeforeAll {
        $manifest = Import-PowerShellDataFile (Join-Path $RepoRoot 'Humanloop.psd1')
        $reference = Get-Content -Raw (Join-Path $RepoRoot 'docs/cmdlets.md')
        # GitHub's anchor of a heading: lower case, spaces to dashes, punctuation other than - and _ dropped.
        $anchors = [regex]::Matches($reference, '(?m)^#{1,6} (.+?)\s*$') | ForEach-Object { '#' + (($_.Groups[1].Value.ToLowerInvariant() -replace '[^\w\- ]', '') -replace ' ', '-') }
    }

    It 'has a HelpUri into docs/cmdlets.md of the manifest''s project, at an anchor the page has' {
        $uri = (Get-Command $Name).HelpUri
        $uri | Should -Be "$($manifest.PrivateData.PSData.ProjectUri)/blob/main/docs/cmdlets.md#$($Name.ToLowerInvariant())"
        $anchors | Should -Contain ('#' + $uri.Split('#')[1])
    }

    It 'has a section in docs/cmdlets.md with its synopsis and an example' {
        $section = [regex]::Match($reference, "(?ms)^## $([regex]::Escape($Name))\r?\n(.*?)(?=^## |\z)").Groups[1].Value
        $section | Should -Not -BeNullOrEmpty
        $section | Should -BeLike "*$((Get-Help $Name).Synopsis.Trim())*"
        $section | Should -Match "(?s)Example 1:.*``````powershell\r?\n.*$([regex]::Escape($Shown))"
    }
}

Describe 'The project''s links and documents' {
    It 'has a docs/cmdlets.md that is what docs/Update-CmdletReference.ps1 writes from today''s help' {
        # The page is generated and committed: a help change without a rerun of the script fails here.
        $fresh = Join-Path ([IO.Path]::GetTempPath()) "cmdlets-$([guid]::NewGuid().ToString('n')).md"
        try {
            & (Join-Path $RepoRoot 'docs/Update-CmdletReference.ps1') -ModulePath (Join-Path $RepoRoot 'output/Humanloop') -OutputPath $fresh 6>$null
            (Get-Content -Raw $fresh) | Should -BeExactly (Get-Content -Raw (Join-Path $RepoRoot 'docs/cmdlets.md')) -Because 'docs/cmdlets.md must be regenerated: dotnet pwsh ./docs/Update-CmdletReference.ps1'
        }
        finally {
            Remove-Item $fresh -ErrorAction SilentlyContinue
        }
    }

    It 'names a real project and license: ProjectUri is the repository, LicenseUri its LICENSE file, which is MIT' {
        $data = (Import-PowerShellDataFile (Join-Path $RepoRoot 'Humanloop.psd1')).PrivateData.PSData
        $data.ProjectUri | Should -Be 'https://github.com/humanloopps/HumanloopPS'
        $data.LicenseUri | Should -Be "$($data.ProjectUri)/blob/main/LICENSE"
        Get-Content -Raw (Join-Path $RepoRoot 'LICENSE') | Should -BeLike 'MIT License*Permission is hereby granted*'
    }

    It 'finds about_<Topic> after importing the built module' -ForEach @(
        @{ Topic = 'Humanloop'; Says = '*Connect-Humanloop*New-HumanloopCompletion*' }
        @{ Topic = 'Humanloop_Server'; Says = '*humanloop-server*dev-api-key*' }
        @{ Topic = 'Humanloop_Testing'; Says = '*Start-HumanloopRecording*Should-Humanloop*' }
    ) {
        # In a fresh process, so that only the built module's folder can supply the topic.
        $run = Invoke-FreshPwsh -Script "Import-Module ./output/Humanloop; Get-Help about_$Topic | Out-String -Width 200"

        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $run.Output | Should -BeLike "*about_$Topic*"
        $run.Output | Should -BeLike $Says
    }

    It 'shows help for build.ps1: a synopsis and every parameter described' {
        $help = Get-Help (Join-Path $RepoRoot 'build.ps1') -Full

        $help.Synopsis | Should -Be 'Builds, tests, serves and packages HumanloopPS.'
        foreach ($name in 'Task', 'Configuration', 'Urls', 'InMemory') {
            ($help.parameters.parameter | Where-Object name -EQ $name).description.Text | Should -Not -BeNullOrEmpty -Because "-$name is described"
        }
        @($help.examples.example).Count | Should -BeGreaterThan 2
    }
}
