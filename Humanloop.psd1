@{
    # The module manifest. build.ps1 copies it into output/Humanloop/<version>/ beside the built
    # assemblies; ModuleVersion here is the one version number of the project.
    RootModule           = 'bin/net8.0/Humanloop.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = 'a7ebf73b-3f73-4fbf-87a9-77e9356c9b49'
    Author               = 'HumanloopPS contributors'
    CompanyName          = 'HumanloopPS'
    Copyright            = '(c) HumanloopPS contributors. MIT License.'
    Description          = 'PowerShell cmdlets for the Humanloop v4 API: completions and chats with tools (streamed or not), projects, model configs and .prompt files, experiments, sessions, logs and feedback, with typed pipeline output. Works against any v4-compatible endpoint, including the local server that ships with the project.'

    # The net8.0 build serves PowerShell 7.4 and later; a Windows PowerShell 5.1 build is planned.
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'

    FormatsToProcess     = @('Humanloop.Format.ps1xml')

    # Nothing else runs at import: no type data (the id properties that piping binds are the classes' own),
    # no script module (the Pester operators are read when they are registered), no alias script (the
    # assertion cmdlets carry their Should-… aliases as attributes). Each of those cost more than the
    # assembly itself.

    # Listed explicitly so that command discovery does not have to load the assembly.
    CmdletsToExport      = @(
        'Connect-Humanloop'
        'Disconnect-Humanloop'
        'Get-HumanloopContext'
        'New-HumanloopCompletion'
        'New-HumanloopChat'
        'New-HumanloopExperiment'
        'New-HumanloopProject'
        'Get-HumanloopProject'
        'Set-HumanloopProject'
        'Remove-HumanloopProject'
        'Export-HumanloopProject'
        'Register-HumanloopModelConfig'
        'Get-HumanloopModelConfig'
        'Export-HumanloopModelConfig'
        'Import-HumanloopModelConfig'
        'ConvertTo-HumanloopPrompt'
        'ConvertFrom-HumanloopPrompt'
        'Publish-HumanloopModelConfig'
        'Get-HumanloopDeployment'
        'Unpublish-HumanloopModelConfig'
        'Add-HumanloopExperiment'
        'Get-HumanloopExperiment'
        'Set-HumanloopExperiment'
        'Remove-HumanloopExperiment'
        'Get-HumanloopLog'
        'Add-HumanloopLog'
        'Set-HumanloopLog'
        'Remove-HumanloopLog'
        'New-HumanloopSession'
        'Get-HumanloopSession'
        'Add-HumanloopFeedback'
        'Start-HumanloopRecording'
        'Stop-HumanloopRecording'
        'Use-HumanloopRecording'
        'Import-HumanloopTestCase'
        'New-HumanloopDataset'
        'Get-HumanloopDataset'
        'Set-HumanloopDataset'
        'Remove-HumanloopDataset'
        'Export-HumanloopDataset'
        'Add-HumanloopDatapoint'
        'Get-HumanloopDatapoint'
        'Set-HumanloopDatapoint'
        'Remove-HumanloopDatapoint'
        'New-HumanloopEvaluator'
        'Get-HumanloopEvaluator'
        'Set-HumanloopEvaluator'
        'Remove-HumanloopEvaluator'
        'New-HumanloopEvaluation'
        'Get-HumanloopEvaluation'
        'Get-HumanloopEvaluationResult'
        'Set-HumanloopEvaluation'
        'Stop-HumanloopEvaluation'
        'Wait-HumanloopEvaluation'
        'Add-HumanloopEvaluationLog'
        'Add-HumanloopEvaluationResult'
        'Invoke-HumanloopEvaluation'
        'Test-HumanloopOutput'
        # The Pester 6 assertions, called through their Should-Humanloop… aliases.
        'Assert-HumanloopEqual'
        'Assert-HumanloopContain'
        'Assert-HumanloopStartWith'
        'Assert-HumanloopMatch'
        'Assert-HumanloopWordCount'
        'Assert-HumanloopLevenshtein'
        'Assert-HumanloopRouge'
        'Assert-HumanloopBleu'
        'Assert-HumanloopJson'
        'Assert-HumanloopContainJson'
        'Assert-HumanloopXml'
        'Assert-HumanloopValidToolCalls'
        'Assert-HumanloopToolCall'
        'Assert-HumanloopFinishReason'
        'Assert-HumanloopMaxTokens'
        'Assert-HumanloopMaxLatency'
        'Assert-HumanloopSatisfy'
        'Assert-HumanloopRubric'
        'Assert-HumanloopFactuality'
        'Assert-HumanloopClosedQa'
        'Assert-HumanloopMeetExpectation'
        'Assert-HumanloopPassEvaluation'
        'Set-HumanloopGrader'
        'Get-HumanloopGrader'
        'Register-HumanloopShouldOperator'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    # Should-Humanloop<Check> for Assert-Humanloop<Check>: Pester 6 style names without an unapproved verb,
    # declared by [Alias] on each cmdlet class and listed here so that autoloading finds them.
    AliasesToExport      = @(
        'Should-HumanloopEqual'
        'Should-HumanloopContain'
        'Should-HumanloopStartWith'
        'Should-HumanloopMatch'
        'Should-HumanloopWordCount'
        'Should-HumanloopLevenshtein'
        'Should-HumanloopRouge'
        'Should-HumanloopBleu'
        'Should-HumanloopJson'
        'Should-HumanloopContainJson'
        'Should-HumanloopXml'
        'Should-HumanloopValidToolCalls'
        'Should-HumanloopToolCall'
        'Should-HumanloopFinishReason'
        'Should-HumanloopMaxTokens'
        'Should-HumanloopMaxLatency'
        'Should-HumanloopSatisfy'
        'Should-HumanloopRubric'
        'Should-HumanloopFactuality'
        'Should-HumanloopClosedQa'
        'Should-HumanloopMeetExpectation'
        'Should-HumanloopPassEvaluation'
    )

    PrivateData          = @{
        PSData = @{
            Tags = @('Humanloop', 'LLM', 'AI', 'Prompt', 'Completion', 'Chat', 'Streaming', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri = 'https://github.com/humanloopps/HumanloopPS'
            LicenseUri = 'https://github.com/humanloopps/HumanloopPS/blob/main/LICENSE'
        }
    }
}
