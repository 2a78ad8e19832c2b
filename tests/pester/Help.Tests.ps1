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
