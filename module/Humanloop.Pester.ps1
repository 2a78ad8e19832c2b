# The Pester faces of the Humanloop checks: the Should-Humanloop… assertions (Pester 6 style) and the six
# older Should operators.
#
# Loaded with the module (NestedModules). The assertions are the module's Assert-Humanloop<Check> cmdlets,
# exported under the aliases Should-Humanloop<Check>: Pester advises aliases for assertions other modules
# ship, because a command exported with the verb Should makes Import-Module warn about an unapproved verb.
# The aliases are made here from the cmdlets themselves, so the list cannot drift from the assembly.
#
# The operators: without Pester this defines one function and does nothing else: nothing is imported or
# searched for, and the operators themselves (Humanloop.PesterOperators.ps1) are read only when they are
# registered. When Pester is already loaded (the module is imported inside a test run), they are
# registered at once; otherwise Register-HumanloopShouldOperator does it. Every check, whichever face runs
# it, is judged by the one engine in C# (Humanloop.PowerShell.Checks) and worded by it.

foreach ($assertion in [Humanloop.PowerShell.Checks.PesterAssertionCmdlet].Assembly.GetExportedTypes()) {
    if ($assertion.IsSubclassOf([Humanloop.PowerShell.Checks.PesterAssertionCmdlet]) -and -not $assertion.IsAbstract) {
        $noun = $assertion.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].NounName
        Set-Alias -Name "Should-$noun" -Value "Assert-$noun"
    }
}

$script:HumanloopShouldOperators = [ordered]@{
    MatchHumanloopOutput      = 'Test-HumanloopOutputMatch'
    ContainHumanloopOutput    = 'Test-HumanloopOutputContains'
    BeHumanloopJson           = 'Test-HumanloopOutputJson'
    HaveHumanloopFinishReason = 'Test-HumanloopFinishReason'
    HaveHumanloopTokensAtMost = 'Test-HumanloopTokenBudget'
    HaveEveryHumanloopSample  = 'Test-HumanloopEverySample'
}

function Register-HumanloopShouldOperator {
    <#
    .SYNOPSIS
        Makes the Humanloop Should operators available to Pester.

    .DESCRIPTION
        The Humanloop module registers its Pester operators by itself when it is imported while Pester is
        loaded (for example inside a test file). Call this function when Pester was imported after
        Humanloop, or in a BeforeAll block to be sure; calling it again does nothing.

        The operators are:
          Should -MatchHumanloopOutput <regex>          every sample's output matches (case-insensitive)
          Should -ContainHumanloopOutput <text>         every sample's output contains the text (case-insensitive)
          Should -BeHumanloopJson [-Schema <json>]      every sample's output is JSON (valid against the schema)
          Should -HaveHumanloopFinishReason <reasons>   every sample finished with one of the reasons
          Should -HaveHumanloopTokensAtMost <n>         every response used at most n tokens in total
          Should -HaveEveryHumanloopSample { … }        the script block holds for every sample ($_)
        With -Not, no sample (or response) may satisfy the check.

        Pester allows 32 Should operators in a session and defines 26 itself, so the six Humanloop
        operators fill the remaining slots. Use -Name to register only those you use when you need room
        for operators of your own.

    .PARAMETER Name
        The operators to register; all of them by default.

    .EXAMPLE
        Import-Module Pester; Import-Module Humanloop; Register-HumanloopShouldOperator
        $response | Should -MatchHumanloopOutput 'refund' -Because 'the policy must be quoted'

    .EXAMPLE
        Register-HumanloopShouldOperator -Name MatchHumanloopOutput, HaveHumanloopTokensAtMost

        Registers two operators, leaving Pester room for four custom operators of other modules.
    #>
    [CmdletBinding()]
    param(
        [ValidateSet('MatchHumanloopOutput', 'ContainHumanloopOutput', 'BeHumanloopJson', 'HaveHumanloopFinishReason', 'HaveHumanloopTokensAtMost', 'HaveEveryHumanloopSample')]
        [string[]] $Name = @($script:HumanloopShouldOperators.Keys)
    )

    $pester = Get-Module -Name Pester
    if (-not $pester) {
        throw 'Pester is not loaded. Import-Module Pester (version 5 or later) first, then run Register-HumanloopShouldOperator.'
    }
    $add = Get-Command -Name Add-ShouldOperator -Module Pester -ErrorAction Ignore
    if (-not $add) {
        throw "Pester $($pester.Version) has no Add-ShouldOperator; the Humanloop Should operators need Pester 5 or later."
    }

    if (-not (Test-Path -LiteralPath function:Test-HumanloopOutputMatch)) {
        . (Join-Path $PSScriptRoot 'Humanloop.PesterOperators.ps1')
    }

    $registered = @(Get-ShouldOperator | ForEach-Object { $_.Name })
    foreach ($operator in $Name) {
        if ($operator -in $registered) {
            continue
        }
        $test = (Get-Item -LiteralPath "function:$($script:HumanloopShouldOperators[$operator])").ScriptBlock
        try {
            Add-ShouldOperator -Name $operator -Test $test -SupportsArrayInput
        }
        catch {
            if ($_.Exception.Message -like '*Max number of assertion operators*') {
                throw "Pester allows 32 Should operators and $($registered.Count) are registered, so -$operator does not fit. Register only the Humanloop operators you use: Register-HumanloopShouldOperator -Name <names>."
            }
            throw
        }
        $registered += $operator
    }
}

if (Get-Module -Name Pester) {
    # Imported inside a test run: make the operators available now, but never fail the import over them.
    try {
        Register-HumanloopShouldOperator
    }
    catch {
        Write-Warning "The Humanloop Should operators were not registered: $($_.Exception.Message)"
    }
}
