# Connect-Humanloop's check, -SkipCheck, the hosted-service note, -Connection across runspaces, and ids
# that bind by position or from the pipeline. Against the real local server.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer
    $script:savedKey = $env:HUMANLOOP_API_KEY
    $script:savedBase = $env:HUMANLOOP_BASE_URL
    $env:HUMANLOOP_API_KEY = $null
    $env:HUMANLOOP_BASE_URL = $null
}

AfterAll {
    Disconnect-Humanloop
    $env:HUMANLOOP_API_KEY = $savedKey
    $env:HUMANLOOP_BASE_URL = $savedBase
    $server | Stop-ReadyProcess
}

Describe 'Connect-Humanloop checks what it connects to' {
    AfterEach { Disconnect-Humanloop }

    It 'says which server, which key (masked) and how many projects' {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri -SkipCheck
        $null = New-HumanloopProject -Name 'connect-count-a'
        $null = New-HumanloopProject -Name 'connect-count-b'
        $expected = @(Get-HumanloopProject).Count
        Disconnect-Humanloop

        $said = Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri 6>&1 | Out-String

        $said | Should -BeLike "*Connected to $($server.Uri)/ with key ****cdef: $expected projects.*"
        $said | Should -Not -BeLike "*$TestApiKey*"
        (Get-HumanloopContext).IsConnected | Should -BeTrue
    }

    It '-PassThru writes the context with the project count' {
        $context = Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri -PassThru 6>$null

        $context | Should -BeOfType Humanloop.HumanloopContext
        $context.ProjectCount | Should -BeGreaterOrEqual 0
        $context.ProjectCount | Should -Not -BeNullOrEmpty
    }

    It 'refuses a wrong key with the 401 and keeps the previous connection' {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri 6>$null

        { Connect-Humanloop -ApiKey 'hl_wrong_key_000000000000wxyz' -BaseUri $server.Uri 6>$null } |
            Should -Throw -ErrorId 'Humanloop.Http.401,*' -ExpectedMessage "*$($server.Uri)*refused the key ****wxyz (401)*"

        (Get-HumanloopContext).ApiKey | Should -Be '****cdef'
    }

    It 'names the URI it could not reach, and sets no connection' {
        { Connect-Humanloop -ApiKey $TestApiKey -BaseUri 'http://127.0.0.1:1/v4' 6>$null } |
            Should -Throw -ExpectedMessage '*could not check http://127.0.0.1:1/v4*-SkipCheck*'

        (Get-HumanloopContext).IsConnected | Should -BeFalse
    }

    It '-SkipCheck connects without sending anything' {
        $said = Connect-Humanloop -ApiKey $TestApiKey -BaseUri 'http://127.0.0.1:1/v4' -SkipCheck 6>&1 | Out-String

        $said | Should -BeLike '*not checked (-SkipCheck)*'
        (Get-HumanloopContext).BaseUri | Should -Be 'http://127.0.0.1:1/v4/'
    }

    It 'says the hosted default closed and how to use the local server, without calling it' {
        $warnings = @()
        Connect-Humanloop -ApiKey $TestApiKey -WarningVariable warnings -WarningAction SilentlyContinue 6>$null

        ($warnings -join ' ') | Should -BeLike "*closed in 2025*build.ps1 -Task Serve*Connect-Humanloop -BaseUri http://127.0.0.1:5080/v4*"
        (Get-HumanloopContext).BaseUriSource | Should -Be 'Default'
    }

    It 'says the hosted default closed when a call cannot reach it' {
        # Through a proxy that refuses connections, so that nothing leaves this machine.
        Connect-Humanloop -ApiKey $TestApiKey -Proxy 'http://127.0.0.1:1' -MaxRetries 0 -WarningAction SilentlyContinue 6>$null

        Get-HumanloopProject -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed[0].ErrorDetails.Message | Should -BeLike '*closed in 2025*build.ps1 -Task Serve*127.0.0.1:5080/v4*'
    }
}

Describe '-Connection reaches other runspaces' {
    BeforeAll {
        Disconnect-Humanloop
        $script:conn = Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri -PassThru 6>$null
        Disconnect-Humanloop
        $script:shared = New-HumanloopProject -Name 'connection-parallel' -Connection $conn
    }

    It 'every API cmdlet takes -Connection' {
        $missing = Get-Command -Module Humanloop | Where-Object { $_.ImplementingType -and $_.ImplementingType.IsSubclassOf([Humanloop.PowerShell.Infrastructure.HumanloopCmdlet]) -and -not $_.Parameters.ContainsKey('Connection') }

        $missing | Should -BeNullOrEmpty
        (Get-Command Get-HumanloopProject).Parameters.ContainsKey('Connection') | Should -BeTrue
    }

    It 'makes real calls from ForEach-Object -Parallel with $using:conn' {
        $id = $shared.Id
        $module = (Get-Module Humanloop).Path
        $names = 1..3 | ForEach-Object -Parallel {
            Import-Module $using:module
            (Get-HumanloopProject -Id $using:id -Connection $using:conn).Name
        } -ThrottleLimit 3

        $names | Should -Be 'connection-parallel', 'connection-parallel', 'connection-parallel'
    }

    It 'makes a real call from Start-ThreadJob with $using:conn' {
        $id = $shared.Id
        $module = (Get-Module Humanloop).Path
        $job = Start-ThreadJob { Import-Module $using:module; (Get-HumanloopProject -Id $using:id -Connection $using:conn).Name }

        $job | Wait-Job | Receive-Job | Should -Be 'connection-parallel'
        $job | Remove-Job
    }

    It 'explains that a Start-Job copy has no key' {
        $module = (Get-Module Humanloop).Path
        $job = Start-Job { Import-Module $using:module; Get-HumanloopProject -Connection $using:conn }

        { $job | Receive-Job -Wait -ErrorAction Stop } | Should -Throw -ExpectedMessage '*another process*Connect-Humanloop inside it*'
        $job | Remove-Job -Force
    }

    It 'says in a runspace without a connection that connections are per runspace, and both ways out' {
        $module = (Get-Module Humanloop).Path
        $errorText = 1 | ForEach-Object -Parallel {
            Import-Module $using:module
            try { Get-HumanloopProject -ErrorAction Stop; 'no error' } catch { $_.Exception.Message }
        }

        $errorText | Should -BeLike '*per runspace*Connect-Humanloop inside the runspace*-Connection $using:conn*'
    }
}

Describe 'Ids by position and from the pipeline' {
    BeforeAll {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri 6>$null
        $script:project = New-HumanloopProject -Name 'binding-ids'
        $script:config = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'echo' -Provider mock -Model mock-1 -PromptTemplate 'Echo: {{topic}}'
        $script:other = Register-HumanloopModelConfig -ProjectId $project.Id -Name 'shout' -Provider mock -Model mock-1 -PromptTemplate 'SHOUT: {{topic}}'
        $null = $config | Publish-HumanloopModelConfig -Confirm:$false
        $script:experiment = Add-HumanloopExperiment -ProjectId $project.Id -Name 'tone' -ModelConfigId $config.ModelConfigId, $other.ModelConfigId
    }

    It 'reads an experiment by its id alone, given by position, in a host that cannot prompt' {
        $found = Invoke-FreshPwsh -Script "Import-Module ./output/Humanloop; Connect-Humanloop -ApiKey '$TestApiKey' -BaseUri '$($server.Uri)' 6>`$null; (Get-HumanloopExperiment $($experiment.Id)).Name"

        $found.Errors | Should -BeNullOrEmpty
        $found.Output.Trim() | Should -Be 'tone'
        (Get-HumanloopExperiment $experiment.Id).Id | Should -Be $experiment.Id
    }

    It 'still finds experiments of a project by name, by position' {
        (Get-HumanloopExperiment -ProjectId $project.Id 'tone').Id | Should -Be $experiment.Id
    }

    It 'runs a piped config: $config | New-HumanloopCompletion' {
        $response = $other | New-HumanloopCompletion -Inputs @{ topic = 'otters' }

        $response.Data[0].Output | Should -BeLike '*SHOUT: otters*'
    }

    It 'runs a piped config with New-HumanloopChat' {
        $reply = $other | New-HumanloopChat -Messages 'hello'

        $reply.Data[0].ModelConfigId | Should -Be $other.ModelConfigId
    }

    It "runs a piped project's deployed config: `$project | New-HumanloopCompletion" {
        $response = $project | New-HumanloopCompletion -Inputs @{ topic = 'otters' }

        $response.Data[0].Output | Should -BeLike '*Echo: otters*'
        $response.ProjectId | Should -Be $project.Id
    }
}
