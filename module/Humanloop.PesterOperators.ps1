# The Humanloop Should operators (see Humanloop.Pester.ps1). Dot-sourced by
# Register-HumanloopShouldOperator on first use, so that importing the module without Pester never
# pays for parsing them; "script:" puts each function in the module's scope although the dot-sourcing
# happens inside a function.

# Output is shown on one line and cut here, so a failing CI log stays readable.
$script:HumanloopShownOutputLength = 200

function script:Read-HumanloopCheckedValue {
    # Calls the C# that reads what the test passed (Humanloop.PowerShell.Checks), and turns a value it
    # cannot read into the operator's message: "Should -<Operator> <Accepts>; it was given <type>."
    param([scriptblock] $Read, [string] $Operator, [string] $Accepts)
    try {
        & $Read
    }
    catch [Humanloop.PowerShell.Checks.UncheckableValueException] {
        $value = $_.Exception.Value
        $type = if ($null -eq $value) { '$null (did the call fail?)' } else { $value.GetType().FullName }
        throw "Should -$Operator $Accepts; it was given $type."
    }
}

function script:Get-HumanloopSample {
    # The samples to check, as Humanloop.PowerShell.Checks.GenerationSample objects (Index, LogId, Output,
    # FinishReason, Usage, ToolCalls, and Value: what a -HaveEveryHumanloopSample block sees as $_).
    param($ActualValue, [string] $Operator)
    Read-HumanloopCheckedValue -Operator $Operator -Accepts 'checks Humanloop completion or chat responses, their Data items or stream chunks, or strings' -Read {
        [Humanloop.PowerShell.Checks.GenerationSamples]::From(@($ActualValue))
    }
}

function script:Format-HumanloopOutput {
    # Untyped: a [string] parameter would turn $null (a chat answer that only calls tools) into ''.
    param($Text)
    if ($null -eq $Text) { return '(no output)' }
    $line = ($Text -replace '\s+', ' ').Trim()
    if ($line.Length -gt $script:HumanloopShownOutputLength) {
        $line = $line.Substring(0, $script:HumanloopShownOutputLength) + '…'
    }
    "'$line'"
}

function script:Format-HumanloopResponseOutput {
    # A response's output: its one sample's text, or each sample's text apart ("sample 0: '…' | sample 1: '…'").
    param($Response)
    $samples = @($Response.Samples)
    if ($samples.Count -eq 1) { return Format-HumanloopOutput $samples[0].Output }
    ($samples | ForEach-Object { "sample $($_.Index): $(Format-HumanloopOutput $_.Output)" }) -join ' | '
}

function script:Format-HumanloopSample {
    # "sample 1 (log data_x) finished with 'length': 'Echo: …'": which sample, its log, why, what it said.
    param($Sample, [string] $Detail)
    $log = if ($Sample.LogId) { "log $($Sample.LogId)" } else { 'no log id' }
    $why = if ($Detail) { " $Detail" } else { '' }
    "sample $($Sample.Index) ($log)${why}: $(Format-HumanloopOutput $Sample.Output)"
}

function script:New-HumanloopShouldResult {
    # Pester's operator result. $Offenders describe the failing samples (or responses), one line each.
    param([string] $Operator, [string] $Subject, [string] $Expectation, [string] $Because, [bool] $Negate, [string[]] $Offenders, [int] $Total)
    if ($Offenders.Count -eq 0) {
        return [pscustomobject]@{ Succeeded = $true; FailureMessage = $null }
    }
    $reason = if ($Because) { ", because $($Because.Trim())" } else { '' }
    $who = if ($Negate) { 'no' } else { 'every' }
    $failed = if ($Negate) { 'did' } else { 'did not' }
    $count = if ($Total -gt 1) { "$($Offenders.Count) of $Total" } else { $Offenders.Count }
    $message = "Expected $who Humanloop $Subject to $Expectation$reason (Should -$Operator), but $count $failed"
    $message += if ($Offenders.Count -eq 1) { ": $($Offenders[0])" } else { ":`n  " + ($Offenders -join "`n  ") }
    [pscustomobject]@{ Succeeded = $false; FailureMessage = $message }
}

function script:New-HumanloopNothingToCheck {
    param([string] $Operator, [string] $Subject)
    [pscustomobject]@{ Succeeded = $false; FailureMessage = "Expected Humanloop ${Subject}s to check (Should -$Operator), but got none." }
}

function script:Invoke-HumanloopSampleCheck {
    # Runs $Check on every sample; a sample offends when the check fails (or, with -Not, when it holds).
    # $Check returns nothing when the sample passes, or a string (possibly empty) saying why it does not.
    param($ActualValue, [string] $Operator, [string] $Expectation, [string] $Because, [bool] $Negate, [scriptblock] $Check)
    $samples = @(Get-HumanloopSample -ActualValue $ActualValue -Operator $Operator)
    if ($samples.Count -eq 0) {
        return New-HumanloopNothingToCheck $Operator 'sample'
    }
    $offenders = foreach ($sample in $samples) {
        $detail = & $Check $sample
        $holds = $null -eq $detail
        if ($holds -eq $Negate) {
            Format-HumanloopSample $sample $(if ($Negate) { $null } else { $detail })
        }
    }
    New-HumanloopShouldResult -Operator $Operator -Subject 'sample' -Expectation $Expectation -Because $Because -Negate $Negate -Offenders @($offenders) -Total $samples.Count
}

function script:Test-HumanloopOutputMatch {
    param($ActualValue, [string] $RegularExpression, [switch] $Negate, [string] $Because, $CallerSessionState)
    Invoke-HumanloopSampleCheck $ActualValue 'MatchHumanloopOutput' "match '$RegularExpression'" $Because $Negate {
        param($sample)
        if ("$($sample.Output)" -notmatch $RegularExpression) { '' }
    }
}

function script:Test-HumanloopOutputContains {
    param($ActualValue, [string] $ExpectedValue, [switch] $Negate, [string] $Because, $CallerSessionState)
    Invoke-HumanloopSampleCheck $ActualValue 'ContainHumanloopOutput' "contain '$ExpectedValue'" $Because $Negate {
        param($sample)
        if ("$($sample.Output)".IndexOf($ExpectedValue, [System.StringComparison]::OrdinalIgnoreCase) -lt 0) { '' }
    }
}

function script:Test-HumanloopOutputJson {
    param($ActualValue, $Schema, [switch] $Negate, [string] $Because, $CallerSessionState)
    $schemaText = if ($null -eq $Schema) { $null }
    elseif ($Schema -is [string]) { $Schema }
    else { ConvertTo-Json -InputObject $Schema -Depth 64 -Compress }
    if ($schemaText) {
        # Test-Json reports an unreadable schema as a non-terminating error and then answers $true.
        $schemaProblems = $null
        $null = Test-Json -Json '{}' -Schema $schemaText -ErrorAction SilentlyContinue -ErrorVariable schemaProblems
        $unusable = @($schemaProblems | Where-Object { $_.FullyQualifiedErrorId -like 'InvalidJsonSchema*' })
        if ($unusable) {
            throw "The -Schema given to Should -BeHumanloopJson is not a usable JSON schema ($(Get-HumanloopJsonProblem $unusable)): $(Format-HumanloopOutput $schemaText)"
        }
    }
    $expectation = if ($schemaText) { 'be JSON valid against the schema' } else { 'be valid JSON' }
    Invoke-HumanloopSampleCheck $ActualValue 'BeHumanloopJson' $expectation $Because $Negate {
        param($sample)
        if ([string]::IsNullOrWhiteSpace($sample.Output)) { return 'is empty' }
        $problems = $null
        if (-not (Test-Json -Json $sample.Output -ErrorAction SilentlyContinue -ErrorVariable problems)) {
            return "is not JSON ($(Get-HumanloopJsonProblem $problems))"
        }
        if ($schemaText -and -not (Test-Json -Json $sample.Output -Schema $schemaText -ErrorAction SilentlyContinue -ErrorVariable problems)) {
            return "does not fit the schema ($(Get-HumanloopJsonProblem $problems))"
        }
    }
}

function script:Get-HumanloopJsonProblem {
    param($Problems)
    $messages = @($Problems | ForEach-Object { ($_.Exception.Message -replace '\s+', ' ').Trim() } | Select-Object -First 2)
    if ($messages) { $messages -join '; ' } else { 'no reason given' }
}

function script:Test-HumanloopFinishReason {
    param($ActualValue, [string[]] $ExpectedValue, [switch] $Negate, [string] $Because, $CallerSessionState)
    if (-not $ExpectedValue) {
        throw 'Should -HaveHumanloopFinishReason needs the accepted finish reasons, for example stop or length.'
    }
    $accepted = ($ExpectedValue | ForEach-Object { "'$_'" }) -join ' or '
    Invoke-HumanloopSampleCheck $ActualValue 'HaveHumanloopFinishReason' "finish with $accepted" $Because $Negate {
        param($sample)
        if ($sample.IsText) {
            throw 'Should -HaveHumanloopFinishReason needs Humanloop results; a string has no finish reason.'
        }
        if ($sample.FinishReason -notin $ExpectedValue) {
            "finished with $(if ($sample.FinishReason) { "'$($sample.FinishReason)'" } else { 'no finish reason' })"
        }
    }
}

function script:Test-HumanloopTokenBudget {
    param($ActualValue, [int] $ExpectedValue, [switch] $Negate, [string] $Because, $CallerSessionState)
    $operator = 'HaveHumanloopTokensAtMost'
    # Token counts belong to a whole response, or to the final chunks of a stream.
    $responses = @(Read-HumanloopCheckedValue -Operator $operator -Accepts 'needs Humanloop.CompletionResponse objects or ChatResponse objects (or the chunks of a stream), which carry token counts' -Read {
            [Humanloop.PowerShell.Checks.ResponseTokens]::From(@($ActualValue))
        })
    if ($responses.Count -eq 0) {
        return New-HumanloopNothingToCheck $operator 'response'
    }

    $offenders = foreach ($response in $responses) {
        $logs = if ($response.LogIds.Count) { 'log ' + ($response.LogIds -join ', ') } else { 'no log id' }
        if ($null -eq $response.Usage) {
            # Without counts the budget cannot be judged either way, so this fails with or without -Not.
            "response ($logs) reported no token counts: $(Format-HumanloopResponseOutput $response)"
            continue
        }
        $within = $response.Usage.TotalTokens -le $ExpectedValue
        if ($within -eq [bool]$Negate) {
            "response ($logs) used $($response.Usage.TotalTokens) ($($response.Usage.PromptTokens) prompt, $($response.Usage.GenerationTokens) generated): $(Format-HumanloopResponseOutput $response)"
        }
    }
    New-HumanloopShouldResult -Operator $operator -Subject 'response' -Expectation "use at most $ExpectedValue tokens" -Because $Because -Negate $Negate -Offenders @($offenders) -Total $responses.Count
}

function script:Test-HumanloopEverySample {
    param($ActualValue, [scriptblock] $Condition, [switch] $Negate, [string] $Because, $CallerSessionState)
    if (-not $Condition) {
        throw 'Should -HaveEveryHumanloopSample needs a script block that tests one sample as $_, for example { $_.Output.Length -lt 280 }.'
    }
    $shown = ($Condition.ToString() -replace '\s+', ' ').Trim()
    Invoke-HumanloopSampleCheck $ActualValue 'HaveEveryHumanloopSample' "satisfy { $shown }" $Because $Negate {
        param($sample)
        try {
            $results = @($Condition.InvokeWithContext($null, [System.Collections.Generic.List[psvariable]]@([psvariable]::new('_', $sample.Value)), @($sample.Value)))
        }
        catch {
            # A .NET method call wraps what the block threw; the block's own message is the useful one.
            $thrown = $_.Exception
            if ($thrown -is [System.Management.Automation.MethodInvocationException] -and $thrown.InnerException) { $thrown = $thrown.InnerException }
            return "threw ($(($thrown.Message -replace '\s+', ' ').Trim()))"
        }
        # Nothing written counts as passing, so blocks made of Should assertions work too.
        $falsy = @($results | Where-Object { -not [System.Management.Automation.LanguagePrimitives]::IsTrue($_) })
        if ($falsy.Count -gt 0) { 'returned false' }
    }
}
