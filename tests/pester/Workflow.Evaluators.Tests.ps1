# New-, Get-, Set- and Remove-HumanloopEvaluator against the real local server.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

    function Get-EvaluatorCount { @(Get-HumanloopEvaluator).Count }
}

AfterAll {
    Disconnect-Humanloop
    $server | Stop-ReadyProcess
}

Describe 'New-HumanloopEvaluator' {
    It 'creates a python evaluator with the default arguments and return types' {
        $evaluator = New-HumanloopEvaluator -Name 'mentions refund' -Type python -Code 'def evaluate(log, testcase): return "refund" in log["output"]' -Description 'looks for refunds'

        $evaluator | Should -BeOfType Humanloop.Evaluator
        $evaluator.EvaluatorId | Should -Be $evaluator.Id
        $evaluator.Type | Should -Be 'python'
        $evaluator.ArgumentsType | Should -Be 'target_free'
        $evaluator.ReturnType | Should -Be 'boolean'
        $evaluator.Code | Should -BeLike 'def evaluate*'
        $evaluator.Description | Should -Be 'looks for refunds'
    }

    It 'takes -Code alone as a python evaluator: a built-in check with a builtin: reference' {
        $evaluator = New-HumanloopEvaluator -Name 'close to target' -Code 'builtin:levenshtein<=3:{{target.output}}' -ArgumentsType target_required

        $evaluator.Type | Should -Be 'python'
        $evaluator.Code | Should -Be 'builtin:levenshtein<=3:{{target.output}}'
        $evaluator.ArgumentsType | Should -Be 'target_required'
    }

    It 'takes -ModelConfig alone as an llm evaluator, from a hashtable' {
        $evaluator = New-HumanloopEvaluator -Name 'judge' -ReturnType number -ModelConfig @{ provider = 'mock'; model = 'judge-1'; prompt_template = 'Rate {{log.output}} from 1 to 10.' }

        $evaluator.Type | Should -Be 'llm'
        $evaluator.ReturnType | Should -Be 'number'
        $evaluator.ModelConfig.Model | Should -Be 'judge-1'
        $evaluator.ModelConfig.PromptTemplate | Should -Be 'Rate {{log.output}} from 1 to 10.'
    }

    It 'creates human and external evaluators' {
        (New-HumanloopEvaluator -Name 'reviewer' -Type human).Type | Should -Be 'human'
        (New-HumanloopEvaluator -Name 'ci score' -Type external -ReturnType number).ReturnType | Should -Be 'number'
    }

    It 'stops before sending when a type lacks what it needs or is given what it cannot use' {
        $before = Get-EvaluatorCount

        { New-HumanloopEvaluator -Name 'x' -Type python } | Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*' -ExpectedMessage '*needs -Code*'
        { New-HumanloopEvaluator -Name 'x' -Type llm } | Should -Throw -ExpectedMessage '*needs -ModelConfig*'
        { New-HumanloopEvaluator -Name 'x' -Type human -Code 'x' } | Should -Throw -ExpectedMessage '*-Code is for python evaluators, not human ones*'
        { New-HumanloopEvaluator -Name 'x' -Type python -Code 'c' -ModelConfig @{ model = 'm'; prompt_template = 't' } } | Should -Throw -ExpectedMessage '*-ModelConfig is for llm evaluators*'
        Get-EvaluatorCount | Should -Be $before
    }

    It 'reports what the server refuses as a non-terminating error about the name' {
        New-HumanloopEvaluator -Name 'bad check' -Type python -Code 'builtin:no-such-check' -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty

        $failures.Count | Should -Be 1
        $failures[0].TargetObject | Should -Be 'bad check'
    }

    It 'creates nothing under -WhatIf' {
        $before = Get-EvaluatorCount
        New-HumanloopEvaluator -Name 'never' -Type human -WhatIf | Should -BeNullOrEmpty
        Get-EvaluatorCount | Should -Be $before
    }
}

Describe 'Get-HumanloopEvaluator' {
    It 'lists every evaluator, and those matching -Name' {
        $all = @(Get-HumanloopEvaluator)
        $all.Count | Should -BeGreaterThan 3
        $all[0] | Should -BeOfType Humanloop.Evaluator
        (Get-HumanloopEvaluator -Name 'MENTIONS*').Name | Should -Be 'mentions refund'
    }

    It 'reads piped evaluators by id, and reports an unknown name or id as ObjectNotFound' {
        (Get-HumanloopEvaluator -Name 'judge' | Get-HumanloopEvaluator -Id { $_.EvaluatorId }).Type | Should -Be 'llm'

        Get-HumanloopEvaluator -Name 'nobody' -ErrorAction SilentlyContinue -ErrorVariable byName | Should -BeNullOrEmpty
        $byName[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Evaluator.NotFound,*'
        Get-HumanloopEvaluator -Id evfn_missing -ErrorAction SilentlyContinue -ErrorVariable byId | Should -BeNullOrEmpty
        $byId[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $byId[0].TargetObject | Should -Be 'evfn_missing'
    }
}

Describe 'Set-HumanloopEvaluator' {
    It 'changes a piped evaluator and leaves the rest' {
        $evaluator = New-HumanloopEvaluator -Name 'to change' -Type python -Code 'def evaluate(log, testcase): return True'

        $changed = $evaluator | Set-HumanloopEvaluator -Name 'changed' -ReturnType number -Code 'def evaluate(log, testcase): return 1'

        $changed | Should -BeOfType Humanloop.Evaluator
        $changed.Name | Should -Be 'changed'
        $changed.ReturnType | Should -Be 'number'
        $changed.Type | Should -Be 'python'
        (Get-HumanloopEvaluator -Id $evaluator.Id).Code | Should -Be 'def evaluate(log, testcase): return 1'
    }

    It 'changes nothing under -WhatIf, and warns when given nothing to change' {
        $evaluator = New-HumanloopEvaluator -Name 'steady' -Type human
        Set-HumanloopEvaluator -Id $evaluator.Id -Name 'moved' -WhatIf | Should -BeNullOrEmpty
        Set-HumanloopEvaluator -Id $evaluator.Id -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty

        $warnings | Should -BeLike 'Nothing to change*'
        (Get-HumanloopEvaluator -Id $evaluator.Id).Name | Should -Be 'steady'
    }

    It 'reports an unknown evaluator as a non-terminating ObjectNotFound error' {
        Set-HumanloopEvaluator -Id evfn_missing -Name 'x' -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Remove-HumanloopEvaluator' {
    It 'deletes piped evaluators with -Force, and nothing under -WhatIf' {
        $evaluator = New-HumanloopEvaluator -Name 'doomed' -Type external
        $evaluator | Remove-HumanloopEvaluator -WhatIf
        (Get-HumanloopEvaluator -Id $evaluator.Id).Id | Should -Be $evaluator.Id

        $evaluator | Remove-HumanloopEvaluator -Force | Should -BeNullOrEmpty

        Get-HumanloopEvaluator -Id $evaluator.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'reports an unknown evaluator as a non-terminating ObjectNotFound error' {
        Remove-HumanloopEvaluator -Id evfn_missing -Force -ErrorAction SilentlyContinue -ErrorVariable failures
        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
