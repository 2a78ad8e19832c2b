<#
.SYNOPSIS
    Writes docs/cmdlets.md, the page each cmdlet's Get-Help -Online opens, from the built module's help.

.DESCRIPTION
    One section per cmdlet, headed by its name (GitHub makes the anchor #<name in lower case>, which is what
    each cmdlet's HelpUri points at): the synopsis, the description, the syntax and every example with its
    explanation. The help itself comes from the cmdlets' XML doc comments (build.ps1 -Task Build), so this page
    and Get-Help say the same thing. Run it after changing a cmdlet's help, and commit the result.

.PARAMETER ModulePath
    The built module to read the help from; output/Humanloop by default.

.PARAMETER OutputPath
    Where to write the page; docs/cmdlets.md by default. Help.Tests.ps1 writes it elsewhere and compares, so a
    help change without a rerun fails the tests.

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Build; dotnet pwsh ./docs/Update-CmdletReference.ps1
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../output/Humanloop'),
    [string] $OutputPath = (Join-Path $PSScriptRoot 'cmdlets.md')
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$text = [System.Text.StringBuilder]::new()
$null = $text.AppendLine('# Cmdlet reference').AppendLine()
$null = $text.AppendLine('Generated from the cmdlets'' help by `docs/Update-CmdletReference.ps1`; `Get-Help <cmdlet> -Online` opens the').AppendLine(
    'section of its cmdlet, and `Get-Help <cmdlet> -Full` shows the same text with every parameter. The topics').AppendLine(
    '`about_Humanloop`, `about_Humanloop_Server` and `about_Humanloop_Testing` give the overview.').AppendLine()

$commands = Get-Command -Module Humanloop -CommandType Cmdlet | Sort-Object Noun, Verb
foreach ($group in $commands | Group-Object Noun) {
    $null = $text.Append('- ').AppendLine((($group.Group | ForEach-Object { "[$($_.Name)](#$($_.Name.ToLowerInvariant()))" }) -join ', '))
}
$null = $text.AppendLine()

foreach ($command in $commands) {
    $help = Get-Help $command.Name -Full
    $null = $text.AppendLine("## $($command.Name)").AppendLine()
    $null = $text.AppendLine($help.Synopsis.Trim()).AppendLine()
    foreach ($paragraph in @($help.description.Text)) {
        if ($paragraph.Trim()) { $null = $text.AppendLine($paragraph.Trim()).AppendLine() }
    }
    $syntax = ($help.syntax | Out-String -Width 4096).Trim() -split '\r?\n' | Where-Object { $_.Trim() } | ForEach-Object { $_.Trim() }
    $null = $text.AppendLine('```powershell').AppendLine(($syntax -join "`n")).AppendLine('```').AppendLine()
    $number = 0
    foreach ($example in @($help.examples.example)) {
        $number++
        $null = $text.AppendLine("Example $($number):").AppendLine()
        $null = $text.AppendLine('```powershell').AppendLine($example.code.Trim()).AppendLine('```').AppendLine()
        $remarks = (@($example.remarks.Text) | Where-Object { $_.Trim() } | ForEach-Object { $_.Trim() }) -join "`n`n"
        if ($remarks) { $null = $text.AppendLine($remarks).AppendLine() }
    }
}

[System.IO.File]::WriteAllText($OutputPath, $text.ToString().TrimEnd() + "`n")
Write-Host "Wrote $OutputPath ($($commands.Count) cmdlets)"
