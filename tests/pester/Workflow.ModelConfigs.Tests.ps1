# Register-/Get-HumanloopModelConfig and the deployments (Publish-, Get-HumanloopDeployment,
# Unpublish-) against the real local server; the register request's exact shape against the stub.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    $script:stub = Start-StubServer
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
    $script:project = New-HumanloopProject -Name 'configs'
}

AfterAll {
    Disconnect-Humanloop
    $server, $stub | Stop-ReadyProcess
}

Describe 'Register-HumanloopModelConfig' {
    It 'takes exactly the config parameters New-HumanloopCompletion takes, with the same sets and validation' {
        $names = 'ModelConfig', 'Model', 'PromptTemplate', 'Provider', 'Temperature', 'MaxTokens', 'TopP', 'Stop', 'PresencePenalty', 'FrequencyPenalty', 'Endpoint', 'Other'
        $describe = {
            param($command, $name)
            $parameter = (Get-Command $command).Parameters[$name]
            $sets = $parameter.ParameterSets.GetEnumerator() | Sort-Object Key | ForEach-Object { "$($_.Key):$($_.Value.IsMandatory)" }
            $attributes = foreach ($attribute in $parameter.Attributes) {
                switch ($attribute) {
                    { $_ -is [System.Management.Automation.ParameterAttribute] } { break }
                    { $_ -is [System.Management.Automation.ValidateRangeAttribute] } { "range $($_.MinRange)..$($_.MaxRange)"; break }
                    { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] } { "completer $($_.Type.Name)"; break }
                    default { $_.GetType().Name }
                }
            }
            "$name [$($parameter.ParameterType)] $($sets -join ',') $($attributes -join ',')"
        }

        foreach ($name in $names) {
            $expected = & $describe New-HumanloopCompletion $name
            if ($name -eq 'ModelConfig') {
                # Registration takes a config of either kind: the completion config's base type.
                $expected = $expected.Replace('[Humanloop.ModelConfigCompletionRequest]', '[Humanloop.ModelConfigRequest]')
            }
            & $describe Register-HumanloopModelConfig $name | Should -Be $expected
        }
    }

    It 'registers a config to a project by id, writing a Humanloop.ProjectModelConfig' {
        $registered = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'concise' -Description 'short answers' `
            -Provider mock -Model mock-1 -PromptTemplate 'Answer briefly: {{question}}' -Temperature 0.2 -MaxTokens 40 -Stop '###'

        $registered | Should -BeOfType Humanloop.ProjectModelConfig
        $registered.ProjectId | Should -Be $project.Id
        $registered.ModelConfigId | Should -BeLike 'config_*'
        $registered.Config | Should -BeOfType Humanloop.ModelConfig
        $registered.Config.Name | Should -Be 'concise'
        $registered.Config.Description | Should -Be 'short answers'
        $registered.Config.Temperature | Should -Be 0.2
        $registered.Config.MaxTokens | Should -Be 40
        $registered.Config.Stop | Should -Be '###'
        $registered.Config.PromptTemplate | Should -Be 'Answer briefly: {{question}}'
    }

    It 'registers a hashtable config to a piped project, the shortcut parameters overriding it' {
        $registered = $project | Register-HumanloopModelConfig -ModelConfig @{ provider = 'mock'; model = 'mock-2'; prompt_template = 'Hi {{name}}'; temperature = 1.5; other = @{ team = 'qa' } } -Temperature 0.7

        $registered.ProjectId | Should -Be $project.Id
        $registered.Config.Model | Should -Be 'mock-2'
        $registered.Config.Temperature | Should -Be 0.7
        $registered.Config.Other.team | Should -Be 'qa'
    }

    It 'creates the project named by -Project when it does not exist' {
        $registered = Register-HumanloopModelConfig -Project 'made-by-register' -Provider mock -Model m -PromptTemplate '{{x}}'

        $registered.ProjectName | Should -Be 'made-by-register'
        (Get-HumanloopProject -Name 'made-by-register').Id | Should -Be $registered.ProjectId
    }

    It 'returns the existing registration for an identical config' {
        $first = Register-HumanloopModelConfig -ProjectId $project.Id -Provider mock -Model same -PromptTemplate 'same {{x}}'
        $second = Register-HumanloopModelConfig -ProjectId $project.Id -Provider mock -Model same -PromptTemplate 'same {{x}}'

        $second.ModelConfigId | Should -Be $first.ModelConfigId
    }

    It 'sends the config fields at the top level of the request, beside the project fields' {
        Reset-Stub $stub
        Add-StubResponse $stub @{ body = @{ project_id = 'pr_1'; project_name = 'p'; created_at = '2024-07-01T10:00:00Z'; updated_at = '2024-07-01T10:00:00Z'; last_used = '2024-07-01T10:00:00Z'; config = @{ id = 'config_1'; type = 'model'; model = 'gpt-4o' } } }

        $registered = Register-HumanloopModelConfig -ProjectId 'pr_1' -Experiment 'tone' -Name 'n' -Description 'd' -Model gpt-4o -PromptTemplate 'T {{x}}' -Temperature 0 -BaseUri "$($stub.Uri)/v4"

        $registered.ModelConfigId | Should -Be 'config_1'
        $request = @(Get-StubRequest $stub)[0]
        $request.method | Should -Be 'POST'
        $request.path | Should -Be '/v4/model-configs'
        $request.BodyJson.Keys | Sort-Object | Should -Be 'description', 'experiment', 'model', 'name', 'project_id', 'prompt_template', 'temperature'
        $request.BodyJson.model | Should -Be 'gpt-4o'
        $request.BodyJson.temperature | Should -Be 0
        $request.BodyJson.project_id | Should -Be 'pr_1'
        $request.BodyJson.experiment | Should -Be 'tone'
    }

    It 'stops with an error naming the parameters when the project is missing or given twice' {
        { Register-HumanloopModelConfig -Model m -PromptTemplate t } | Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*' -ExpectedMessage '*-Project (a name) or -ProjectId*'
        { Register-HumanloopModelConfig -Project a -ProjectId pr_1 -Model m -PromptTemplate t } | Should -Throw -ExpectedMessage '*-Project or -ProjectId, not both*'
        { Register-HumanloopModelConfig -ProjectId pr_1 -ModelConfig @{ model = 'm' } } | Should -Throw -ExpectedMessage '*no prompt template*'
    }

    It 'reports an unknown project id as a non-terminating ObjectNotFound error' {
        Register-HumanloopModelConfig -ProjectId pr_missing -Model m -PromptTemplate t -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.404,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'pr_missing'
    }
}

Describe 'Get-HumanloopModelConfig' {
    BeforeAll {
        $script:own = New-HumanloopProject -Name 'get-configs'
        $script:configs = 'a', 'b' | ForEach-Object { Register-HumanloopModelConfig -ProjectId $own.Id -Name $_ -Provider mock -Model "model-$_" -PromptTemplate "$_ {{x}}" }
        $script:experiment = Add-HumanloopExperiment -ProjectId $own.Id -Name 'sampled' -ModelConfigId $configs.ModelConfigId
    }

    It 'lists the configs of a piped project' {
        $listed = @($own | Get-HumanloopModelConfig)

        $listed.Count | Should -Be 2
        $listed[0] | Should -BeOfType Humanloop.ProjectModelConfig
        $listed.ModelConfigId | Sort-Object | Should -Be ($configs.ModelConfigId | Sort-Object)
    }

    It 'reads configs by id, including piped ones, as Humanloop.ModelConfig' {
        $read = @(Get-HumanloopModelConfig -Id $configs[0].ModelConfigId) + @($experiment.Configs | Get-HumanloopModelConfig)

        $read.Count | Should -Be 3
        $read[0] | Should -BeOfType Humanloop.ModelConfig
        $read[0].Model | Should -Be 'model-a'
        $read[1..2].Id | Sort-Object | Should -Be ($configs.ModelConfigId | Sort-Object)
    }

    It 'samples one of an experiment''s configs, with a trial id' {
        $sample = Get-HumanloopModelConfig -ExperimentId $experiment.Id

        $sample | Should -BeOfType Humanloop.ProjectModelConfig
        $configs.ModelConfigId | Should -Contain $sample.ModelConfigId
        $sample.TrialId | Should -Not -BeNullOrEmpty
        $sample.ExperimentId | Should -Be $experiment.Id
    }

    It 'reports unknown ids as non-terminating ObjectNotFound errors in every parameter set' {
        Get-HumanloopModelConfig -Id config_missing, $configs[0].ModelConfigId -ErrorAction SilentlyContinue -ErrorVariable byId | Should -HaveCount 1
        Get-HumanloopModelConfig -ProjectId pr_missing -ErrorAction SilentlyContinue -ErrorVariable byProject
        Get-HumanloopModelConfig -ExperimentId exp_missing -ErrorAction SilentlyContinue -ErrorVariable byExperiment

        foreach ($failure in @($byId) + @($byProject) + @($byExperiment)) {
            $failure.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }
        @($byId + $byProject + $byExperiment).TargetObject | Should -Be 'config_missing', 'pr_missing', 'exp_missing'
    }
}

Describe 'Publish-, Get-HumanloopDeployment and Unpublish-HumanloopModelConfig' {
    BeforeAll {
        $script:own = New-HumanloopProject -Name 'deployments'
        $script:first = Register-HumanloopModelConfig -ProjectId $own.Id -Name 'first' -Provider mock -Model m -PromptTemplate 'one {{x}}'
        $script:second = Register-HumanloopModelConfig -ProjectId $own.Id -Name 'second' -Provider mock -Model m -PromptTemplate 'two {{x}}'
    }

    It 'lists what every environment serves, the first config on the default one' {
        $deployments = @($own | Get-HumanloopDeployment)

        $deployments[0] | Should -BeOfType Humanloop.Deployment
        $production = $deployments | Where-Object EnvironmentTag -EQ 'default'
        $production.ModelConfigId | Should -Be $first.ModelConfigId
        ($deployments | Where-Object EnvironmentName -EQ 'staging').ModelConfigId | Should -BeNullOrEmpty
    }

    It 'deploys a piped registration to environments named or given by id' {
        $staging = (Get-HumanloopDeployment -ProjectId $own.Id -Environment staging).EnvironmentId

        $deployed = @($second | Publish-HumanloopModelConfig -Environment staging, 'env_development')

        $deployed.Count | Should -Be 2
        $deployed[0] | Should -BeOfType Humanloop.Deployment
        $deployed.EnvironmentId | Should -Be $staging, 'env_development'
        $deployed.ModelConfigId | Should -Be $second.ModelConfigId, $second.ModelConfigId
        (Get-HumanloopDeployment -ProjectId $own.Id -Environment 'stag*').ModelConfigId | Should -Be $second.ModelConfigId
    }

    It 'deploys a piped experiment, and completions on that environment run through it' {
        $experiment = Add-HumanloopExperiment -ProjectId $own.Id -Name 'deployed' -ModelConfigId $first.ModelConfigId

        $deployed = $experiment | Publish-HumanloopModelConfig -Environment development

        $deployed.ExperimentId | Should -Be $experiment.Id
        $response = New-HumanloopCompletion -ProjectId $own.Id -Environment development -Inputs @{ x = 'y' }
        $response.Data[0].ModelConfigId | Should -Be $first.ModelConfigId
        (Get-HumanloopExperiment -Id $experiment.Id).Configs[0].TrialsCount | Should -Be 1
    }

    It 'removes a piped deployment, leaving the config registered' {
        Publish-HumanloopModelConfig -ProjectId $own.Id -ModelConfigId $first.ModelConfigId -Environment staging | Out-Null

        Get-HumanloopDeployment -ProjectId $own.Id -Environment staging | Unpublish-HumanloopModelConfig | Should -BeNullOrEmpty

        (Get-HumanloopDeployment -ProjectId $own.Id -Environment staging).ModelConfigId | Should -BeNullOrEmpty
        (Get-HumanloopModelConfig -Id $first.ModelConfigId).Id | Should -Be $first.ModelConfigId
    }

    It 'changes nothing under -WhatIf' {
        Publish-HumanloopModelConfig -ProjectId $own.Id -ModelConfigId $second.ModelConfigId -Environment staging -WhatIf | Should -BeNullOrEmpty
        (Get-HumanloopDeployment -ProjectId $own.Id -Environment staging).ModelConfigId | Should -BeNullOrEmpty

        Publish-HumanloopModelConfig -ProjectId $own.Id -ModelConfigId $second.ModelConfigId -Environment staging | Out-Null
        Unpublish-HumanloopModelConfig -ProjectId $own.Id -Environment staging -WhatIf
        (Get-HumanloopDeployment -ProjectId $own.Id -Environment staging).ModelConfigId | Should -Be $second.ModelConfigId
    }

    It 'reports an unknown environment name as ObjectNotFound, naming the known ones' {
        Unpublish-HumanloopModelConfig -ProjectId $own.Id -Environment 'moon' -ErrorAction SilentlyContinue -ErrorVariable unpublishFailures
        Publish-HumanloopModelConfig -ProjectId $own.Id -ModelConfigId $first.ModelConfigId -Environment 'moon' -ErrorAction SilentlyContinue -ErrorVariable publishFailures |
            Should -BeNullOrEmpty
        Get-HumanloopDeployment -ProjectId $own.Id -Environment 'moon' -ErrorAction SilentlyContinue -ErrorVariable getFailures | Should -BeNullOrEmpty

        foreach ($failure in @($unpublishFailures) + @($publishFailures) + @($getFailures)) {
            $failure.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failure.FullyQualifiedErrorId | Should -BeLike 'Humanloop.Environment.NotFound,*'
        }
        @($unpublishFailures + $publishFailures + $getFailures).Count | Should -Be 3
        $unpublishFailures[0].Exception.Message | Should -BeLike "*no environment named 'moon'*production*staging*"
        $unpublishFailures[0].TargetObject | Should -Be 'moon'
    }

    It 'reports an unknown project as a non-terminating ObjectNotFound error' {
        Get-HumanloopDeployment -ProjectId pr_missing -ErrorAction SilentlyContinue -ErrorVariable getFailures
        Publish-HumanloopModelConfig -ProjectId pr_missing -ModelConfigId $first.ModelConfigId -ErrorAction SilentlyContinue -ErrorVariable publishFailures
        Unpublish-HumanloopModelConfig -ProjectId pr_missing -Environment env_staging -ErrorAction SilentlyContinue -ErrorVariable unpublishFailures

        foreach ($failure in @($getFailures) + @($publishFailures) + @($unpublishFailures)) {
            $failure.FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.404,*'
            $failure.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }
        @($getFailures + $publishFailures + $unpublishFailures).Count | Should -Be 3
    }
}
