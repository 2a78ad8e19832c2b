# The Humanloop Should operators of Pester. Register-HumanloopShouldOperator (or the module's import, when
# Pester is already loaded) reads this file into a module of its own and hands Pester the Test-… functions;
# importing the module without Pester never reads it. "script:" puts each function in that module's own
# scope: the module runs this file as a child scope, which would otherwise take the functions with it.
#
# Each operator is a thin wrapper: it names a check of the C# engine (Humanloop.PowerShell.Checks), runs
# it through Test-HumanloopOutput, and hands Pester the engine's own failure message. The checks are
# built as objects where the operator's wording differs from the Test-HumanloopOutput parameter's (both
# text operators ignore case, as -match does, without saying so in the message). Test-HumanloopOutput is
# called by its module-qualified name: this module sees only the global scope, where Humanloop's cmdlets
# may not be.

function script:Invoke-HumanloopOperator {
    # Runs one check on what the test passed and answers Pester: Succeeded, and the FailureMessage.
    param($ActualValue, [string] $Operator, [hashtable] $Check, [bool] $Negate, [string] $Because)
    $assertion = "Should -$Operator"
    try {
        $report = Humanloop\Test-HumanloopOutput -InputObject @($ActualValue) @Check -Not:$Negate -ErrorAction Stop
    }
    catch [Humanloop.Judging.UnusableSchemaException] {
        throw "The -Schema given to $assertion $($_.Exception.InnerException.Message)"
    }
    [pscustomobject]@{ Succeeded = $report.Passed; FailureMessage = $report.FailureMessage($assertion, $Because) }
}

function script:Test-HumanloopOutputMatch {
    param($ActualValue, [string] $RegularExpression, [switch] $Negate, [string] $Because, $CallerSessionState)
    $check = [Humanloop.PowerShell.Checks.MatchCheck]::new($RegularExpression, $true, $false)
    Invoke-HumanloopOperator $ActualValue 'MatchHumanloopOutput' @{ Check = $check } $Negate $Because
}

function script:Test-HumanloopOutputContains {
    param($ActualValue, [string] $ExpectedValue, [switch] $Negate, [string] $Because, $CallerSessionState)
    $check = [Humanloop.PowerShell.Checks.ContainCheck]::new([string[]]@($ExpectedValue), $false, $true, $false)
    Invoke-HumanloopOperator $ActualValue 'ContainHumanloopOutput' @{ Check = $check } $Negate $Because
}

function script:Test-HumanloopOutputJson {
    param($ActualValue, $Schema, [switch] $Negate, [string] $Because, $CallerSessionState)
    $check = @{ Json = $true }
    if ($null -ne $Schema) { $check.Schema = $Schema }
    Invoke-HumanloopOperator $ActualValue 'BeHumanloopJson' $check $Negate $Because
}

function script:Test-HumanloopFinishReason {
    param($ActualValue, [string[]] $ExpectedValue, [switch] $Negate, [string] $Because, $CallerSessionState)
    if (-not $ExpectedValue) {
        throw 'Should -HaveHumanloopFinishReason needs the accepted finish reasons, for example stop or length.'
    }
    Invoke-HumanloopOperator $ActualValue 'HaveHumanloopFinishReason' @{ FinishReason = $ExpectedValue } $Negate $Because
}

function script:Test-HumanloopTokenBudget {
    param($ActualValue, [int] $ExpectedValue, [switch] $Negate, [string] $Because, $CallerSessionState)
    Invoke-HumanloopOperator $ActualValue 'HaveHumanloopTokensAtMost' @{ MaxTokens = $ExpectedValue } $Negate $Because
}

function script:Test-HumanloopEverySample {
    param($ActualValue, [scriptblock] $Condition, [switch] $Negate, [string] $Because, $CallerSessionState)
    if (-not $Condition) {
        throw 'Should -HaveEveryHumanloopSample needs a script block that tests one sample as $_, for example { $_.Output.Length -lt 280 }.'
    }
    Invoke-HumanloopOperator $ActualValue 'HaveEveryHumanloopSample' @{ Satisfy = $Condition } $Negate $Because
}
