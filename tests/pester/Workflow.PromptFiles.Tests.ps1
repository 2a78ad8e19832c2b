# Prompts as files: Export- and Import-HumanloopModelConfig, ConvertTo- and ConvertFrom-HumanloopPrompt against the
# real local server (round trips of completion and chat configs with tools), and the exact requests against the stub.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    $script:stub = Start-StubServer
    $script:stubRoot = "$($stub.Uri)/v4"
    Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

    $script:project = New-HumanloopProject -Name 'prompt-files'
    $script:otherProject = New-HumanloopProject -Name 'prompt-files-copy'
    $script:completion = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'summary' -Description 'One line.' -ModelConfig @{
        provider = 'mock'; model = 'mock-1'; prompt_template = "Summarise:`n{{text}}`n`nIn one line."; temperature = 0.3; max_tokens = 120; top_p = 0.9
        stop = @('###', 'END'); presence_penalty = 0.1; frequency_penalty = 0.2; seed = 7; other = @{ logit_bias = @{ '50256' = -100 } }
        response_format = @{ type = 'json_object' }
    }
    $script:chat = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'support chat' -ModelConfig @{
        provider = 'mock'; model = 'mock-1'; endpoint = 'chat'; temperature = 0.5
        chat_template = @(
            @{ role = 'system'; content = "You support {{product}}.`nBe brief." }
            @{ role = 'user'; content = 'My question: {{question}}' }
        )
        tools = @(
            @{ name = 'lookup_order'; description = 'Finds an order'; parameters = @{ type = 'object'; properties = @{ id = @{ type = 'string' } }; required = @('id') } }
            @{ name = 'refund'; description = 'Refunds an order'; parameters = @{ type = 'object'; properties = @{ id = @{ type = 'string' }; amount = @{ type = 'number' } } } }
        )
    }

    function script:Get-ConfigShape {
        # Everything a config is, as the request that makes it again: ids aside, two configs are equal when these are.
        param([Parameter(Mandatory)] $Config)
        $Config.ToRequest() | ConvertTo-Json -Depth 30 -Compress | ConvertTo-CanonicalJson
    }

    function script:Get-StubRequestCount {
        @(Get-StubRequest $stub | Where-Object { $_.path -notlike '/_stub*' }).Count
    }
}

AfterAll {
    Disconnect-Humanloop
    $server, $stub | Stop-ReadyProcess
}

Describe 'Export-HumanloopModelConfig and Import-HumanloopModelConfig' {
    It '<Kind>: Export then Import gives the same config, in its own project and in another' -ForEach @(
        @{ Kind = 'a completion config'; Registered = { $completion } }
        @{ Kind = 'a chat config with tools'; Registered = { $chat } }
    ) {
        $registered = & $Registered
        $file = Join-Path $TestDrive "$($registered.ModelConfigId).prompt"

        $written = $registered | Export-HumanloopModelConfig -Path $file
        $again = Import-HumanloopModelConfig -Path $file -ProjectId $project.Id
        $copy = Import-HumanloopModelConfig -Path $file -ProjectId $otherProject.Id

        $written | Should -BeOfType System.IO.FileInfo
        $written.FullName | Should -Be $file
        (Get-Content -LiteralPath $file -Raw) | Should -BeLike '---*'
        $again.ModelConfigId | Should -Be $registered.ModelConfigId -Because 'registering a config the project has returns it'
        $copy | Should -BeOfType Humanloop.ProjectModelConfig
        $copy.ProjectId | Should -Be $otherProject.Id
        Get-ConfigShape $copy.Config | Should -Be (Get-ConfigShape $registered.Config)
    }

    It 'keeps the chat config''s tools and messages whole' {
        $file = Join-Path $TestDrive 'chat.prompt'
        $null = $chat | Export-HumanloopModelConfig -Path $file

        $copy = (Import-HumanloopModelConfig -Path $file -ProjectId $otherProject.Id).Config

        $copy.IsChat | Should -BeTrue
        $copy.Tools.name | Should -Be 'lookup_order', 'refund'
        $copy.Tools[0].parameters.required | Should -Be 'id'
        $copy.ChatTemplate.content | Should -Be "You support {{product}}.`nBe brief.", 'My question: {{question}}'
    }

    It 'writes every piped config into a folder, one file each, and replaces files only with -Force' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'prompts') -Force

        $files = @($project | Get-HumanloopModelConfig | Export-HumanloopModelConfig -Path $folder.FullName)
        $again = @($project | Get-HumanloopModelConfig | Export-HumanloopModelConfig -Path $folder.FullName -ErrorAction SilentlyContinue -ErrorVariable exists)
        $forced = @($project | Get-HumanloopModelConfig | Export-HumanloopModelConfig -Path $folder.FullName -Force)

        $files.Name | Sort-Object | Should -Be (@($completion.ModelConfigId, $chat.ModelConfigId) | ForEach-Object { "$_.prompt" } | Sort-Object)
        $again | Should -BeNullOrEmpty
        $exists.Count | Should -Be 2
        $exists[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.ModelConfig.FileExists,*'
        $exists[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $forced.Count | Should -Be 2
    }

    It 'names an imported config by -Name, else as the file names it, else as the server names it' {
        $unnamed = Join-Path $TestDrive 'unnamed.prompt'
        @{ provider = 'mock'; model = 'mock-1'; prompt_template = 'Unnamed {{x}}' } | ConvertTo-HumanloopPrompt | Set-Content -LiteralPath $unnamed -NoNewline
        $named = Join-Path $TestDrive 'named.prompt'
        $null = $completion | Export-HumanloopModelConfig -Path $named

        (Import-HumanloopModelConfig -Path $unnamed -ProjectId $otherProject.Id).Config.Name | Should -Not -BeNullOrEmpty
        (Import-HumanloopModelConfig -Path $named -ProjectId $otherProject.Id).Config.Name | Should -Be 'summary'
        # A fresh project: registering a config a project has (whatever its name) returns the registration it has.
        $renamed = (Import-HumanloopModelConfig -Path $named -Project 'prompt-files-renamed' -Name 'renamed' -Description 'new').Config
        $renamed.Name, $renamed.Description | Should -Be 'renamed', 'new'
    }

    It 'imports files piped from Get-ChildItem and wildcards, reporting a missing or unparseable file and going on' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'import') -Force
        $null = $completion | Export-HumanloopModelConfig -Path (Join-Path $folder 'a.prompt')
        $null = $chat | Export-HumanloopModelConfig -Path (Join-Path $folder 'b.prompt')
        Set-Content -LiteralPath (Join-Path $TestDrive 'broken.prompt') -Value 'no header, no model'

        $piped = @(Get-ChildItem $folder -Filter *.prompt | Import-HumanloopModelConfig -ProjectId $project.Id)
        $wild = @(Import-HumanloopModelConfig -Path (Join-Path $folder '*.prompt') -ProjectId $project.Id)
        $mixed = @(Import-HumanloopModelConfig -Path (Join-Path $TestDrive 'missing.prompt'), (Join-Path $TestDrive 'broken.prompt'), (Join-Path $folder 'a.prompt') -ProjectId $project.Id -ErrorAction SilentlyContinue -ErrorVariable failures)

        $piped.ModelConfigId | Should -Be $completion.ModelConfigId, $chat.ModelConfigId
        $wild.ModelConfigId | Should -Be $completion.ModelConfigId, $chat.ModelConfigId
        $mixed.ModelConfigId | Should -Be $completion.ModelConfigId
        $failures.Count | Should -Be 2
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.ModelConfig.FileNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[1].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.422,*'
        $failures[1].TargetObject | Should -Be (Join-Path $TestDrive 'broken.prompt')
    }

    It 'sends nothing under -WhatIf, and writes no file' {
        Reset-Stub $stub
        $file = Join-Path $TestDrive 'never.prompt'
        $source = Join-Path $TestDrive 'source.prompt'
        $null = $completion | Export-HumanloopModelConfig -Path $source

        Export-HumanloopModelConfig -ModelConfigId config_1 -Path $file -WhatIf -BaseUri $stubRoot | Should -BeNullOrEmpty
        Import-HumanloopModelConfig -Path $source -ProjectId pr_1 -WhatIf -BaseUri $stubRoot | Should -BeNullOrEmpty

        Get-StubRequestCount | Should -Be 0
        Test-Path -LiteralPath $file | Should -BeFalse
    }

    It 'sends POST /model-configs/{id}/export, then deserialize and register with the project' {
        Reset-Stub $stub
        Add-StubResponse $stub @(
            @{ body = "---`nmodel: m`n---`nHi {{x}}`n" }
            @{ body = @{ id = 'config_9'; type = 'model'; model = 'm'; prompt_template = 'Hi {{x}}' } }
            @{ body = @{ project_id = 'pr_1'; project_name = 'p'; config = @{ id = 'config_9'; type = 'model'; model = 'm' }; created_at = '2026-11-30T10:00:00Z'; updated_at = '2026-11-30T10:00:00Z'; last_used = '2026-11-30T10:00:00Z' } }
        )
        $file = Join-Path $TestDrive 'from-stub.prompt'

        $null = Export-HumanloopModelConfig -ModelConfigId 'config_9' -Path $file -BaseUri $stubRoot
        $null = Import-HumanloopModelConfig -Path $file -ProjectId pr_1 -BaseUri $stubRoot

        Get-Content -LiteralPath $file -Raw | Should -Be "---`nmodel: m`n---`nHi {{x}}`n"
        $requests = @(Get-StubRequest $stub)
        $requests.method | Should -Be 'POST', 'POST', 'POST'
        $requests.path | Should -Be '/v4/model-configs/config_9/export', '/v4/model-configs/deserialize', '/v4/model-configs'
        $requests[0].body | Should -BeNullOrEmpty
        $requests[1].BodyJson.config | Should -Be "---`nmodel: m`n---`nHi {{x}}`n"
        $requests[2].BodyJson | ConvertTo-CanonicalJson | Should -Be (@{ model = 'm'; prompt_template = 'Hi {{x}}'; project_id = 'pr_1' } | ConvertTo-CanonicalJson)
    }

    It 'stops with an error naming the parameters when the project is missing or given twice' {
        { Import-HumanloopModelConfig -Path x.prompt } | Should -Throw -ErrorId 'Humanloop.Input.InvalidParameters,*' -ExpectedMessage '*-Project (a name) or -ProjectId*'
        { Import-HumanloopModelConfig -Path x.prompt -Project p -ProjectId pr_1 } | Should -Throw -ExpectedMessage '*not both*'
    }

    It 'reports an unknown config as a non-terminating ObjectNotFound error, and writes no file' {
        $file = Join-Path $TestDrive 'unknown.prompt'

        Export-HumanloopModelConfig -ModelConfigId config_missing -Path $file -ErrorAction SilentlyContinue -ErrorVariable failures | Should -BeNullOrEmpty

        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'config_missing'
        Test-Path -LiteralPath $file | Should -BeFalse
    }
}

Describe 'ConvertTo-HumanloopPrompt and ConvertFrom-HumanloopPrompt' {
    It 'turns a stored config into text and back into an equal config, completion and chat alike' {
        foreach ($registered in $completion, $chat) {
            $text = Get-HumanloopModelConfig -Id $registered.ModelConfigId | ConvertTo-HumanloopPrompt

            $text | Should -BeOfType string
            $back = $text | ConvertFrom-HumanloopPrompt
            $back | Should -BeOfType Humanloop.ModelConfig
            Get-ConfigShape $back | Should -Be (Get-ConfigShape $registered.Config)
        }
    }

    It 'takes hashtables, registrations and typed configs, and the text equals the export of the stored config' {
        $fromTable = @{ provider = 'mock'; model = 'mock-1'; prompt_template = 'Hi {{name}}' } | ConvertTo-HumanloopPrompt
        $fromRegistration = $chat | ConvertTo-HumanloopPrompt
        $file = Join-Path $TestDrive 'export-equals-serialize.prompt'
        $null = $chat | Export-HumanloopModelConfig -Path $file

        $fromTable | Should -Match 'Hi \{\{name\}\}'
        $fromRegistration | Should -Be (Get-Content -LiteralPath $file -Raw)
    }

    It 'joins lines piped one by one into one document, and takes each multi-line string as a document of its own' {
        $file = Join-Path $TestDrive 'lines.prompt'
        $null = $chat | Export-HumanloopModelConfig -Path $file

        $fromLines = @(Get-Content -LiteralPath $file | ConvertFrom-HumanloopPrompt)
        $fromDocuments = @($completion, $chat | ConvertTo-HumanloopPrompt | ConvertFrom-HumanloopPrompt)

        $fromLines.Count | Should -Be 1
        Get-ConfigShape $fromLines[0] | Should -Be (Get-ConfigShape $chat.Config)
        $fromDocuments.Count | Should -Be 2
        $fromDocuments[1].Tools.name | Should -Be 'lookup_order', 'refund'
    }

    It 'reports a value that is no config, and text the server cannot read, as non-terminating errors and goes on' {
        $texts = @(@{ model = 'm'; colour = 'red' }, 42, @{ model = 'm'; prompt_template = 'ok' } | ConvertTo-HumanloopPrompt -ErrorAction SilentlyContinue -ErrorVariable badConfigs)
        $configs = @("no header`nat all", ($completion | ConvertTo-HumanloopPrompt) | ConvertFrom-HumanloopPrompt -ErrorAction SilentlyContinue -ErrorVariable badTexts)

        $texts.Count | Should -Be 1
        $badConfigs.Count | Should -Be 2
        $badConfigs[0].Exception.Message | Should -BeLike '*colour*'
        $configs.Count | Should -Be 1
        $badTexts.Count | Should -Be 1
        $badTexts[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.422,*'
    }

    It 'sends the config itself to serialize, and the text as config to deserialize' {
        Reset-Stub $stub
        Add-StubResponse $stub @(@{ body = '---' }, @{ body = @{ id = 'config_1'; type = 'model'; model = 'm' } })

        $null = @{ model = 'm'; chat_template = @(@{ role = 'system'; content = 'Hi' }) } | ConvertTo-HumanloopPrompt -BaseUri $stubRoot
        $null = ConvertFrom-HumanloopPrompt -InputObject "---`nmodel: m`n---" -BaseUri $stubRoot

        $requests = @(Get-StubRequest $stub)
        $requests.path | Should -Be '/v4/model-configs/serialize', '/v4/model-configs/deserialize'
        $requests[0].BodyJson | ConvertTo-CanonicalJson | Should -Be (@{ model = 'm'; chat_template = @(@{ role = 'system'; content = 'Hi' }) } | ConvertTo-CanonicalJson)
        $requests[1].BodyJson | ConvertTo-CanonicalJson | Should -Be (@{ config = "---`nmodel: m`n---" } | ConvertTo-CanonicalJson)
    }
}
