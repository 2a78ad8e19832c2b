# Errors that say what went wrong and what to do, against the real local server: a base URI that is not a v4
# API, https:// to a plain-HTTP server, a body too large, a stalled stream, a replay without a recording, and a
# server whose port is taken.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer -Arguments '--enable-faults'
    $script:inline = @{ Project = 'errors'; Model = 'mock-1'; Provider = 'mock'; PromptTemplate = 'Describe {{thing}}.' }
}

AfterAll {
    Stop-HumanloopRecording -ErrorAction Ignore | Out-Null
    Disconnect-Humanloop
    $server | Stop-ReadyProcess
}

Describe 'A base URI that is not a v4 endpoint' {
    It 'says so for a 404 on a list route, naming the URI, instead of blaming an id' {
        $wrong = $server.Uri -replace '/v4$', '/api'
        # Connect-Humanloop's own check would refuse it (below): -SkipCheck lets the cmdlet meet it.
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $wrong -SkipCheck

        Get-HumanloopProject -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.404,*'
        $failures[0].Exception.Message | Should -BeLike "*$wrong/ does not look like a Humanloop v4 endpoint*GET projects*"
        $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*-BaseUri*/v4*'
        $failures[0].ErrorDetails.RecommendedAction | Should -Not -BeLike '*id or name*'
    }

    It 'is refused by Connect-Humanloop''s check with the same words' {
        $wrong = $server.Uri -replace '/v4$', '/api'
        { Connect-Humanloop -ApiKey $TestApiKey -BaseUri $wrong } | Should -Throw "*$wrong/ does not look like a Humanloop v4 endpoint*"
    }

    It 'still says to check the id when a route names an object the server does not have' {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri

        Get-HumanloopProject -Id 'pr_doesnotexist' -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.404,*'
        $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*id or name*'
        $failures[0].Exception.Message | Should -Not -BeLike '*v4 endpoint*'
    }
}

Describe 'https:// to a plain-HTTP server' {
    It 'says to try http://, naming the URI, and does not retry' {
        $secure = $server.Uri -replace '^http:', 'https:'
        $plain = "$($server.Uri)/"
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $secure -SkipCheck

        Get-HumanloopProject -ErrorVariable failures -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Connection.Tls,*'
        $failures[0].Exception.Message | Should -BeLike "*TLS handshake failed*try $plain*"
        $failures[0].Exception.Attempts | Should -Be 1
        $failures[0].ErrorDetails.Message | Should -Not -BeLike '*attempts)*'
        $warnings | Should -BeNullOrEmpty
    }
}

Describe 'A request body larger than the server accepts' {
    BeforeAll {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
        Clear-ServerFault $server
    }

    It 'says the body is too large with its size, sends it once and stores nothing' {
        $huge = [string]::new([char]'a', 32 * 1000 * 1000)

        New-HumanloopCompletion @inline -Inputs @{ thing = $huge } -ErrorVariable failures -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Http.413,*'
        $failures[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $failures[0].Exception.Message | Should -Match 'the request body of 32\.\d MB is too large for the server'
        $failures[0].Exception.Message | Should -BeLike '*larger than this server accepts (at most *MB)*'
        $failures[0].Exception.Attempts | Should -Be 1
        $warnings | Should -BeNullOrEmpty
        Get-HumanloopProject -Name 'errors' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'A stalled stream' {
    It 'recommends raising -StreamIdleTimeoutSec, the limit that ran out' {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'stall_mid_stream'; after_events = 1 }
        try {
            $null = New-HumanloopCompletion @inline -Inputs @{ thing = 'x' } -Stream -StreamIdleTimeoutSec 1 -ErrorVariable failures -ErrorAction SilentlyContinue
        }
        finally {
            Clear-ServerFault $server
        }

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Timeout,*'
        $failures[0].Exception.Setting | Should -Be 'StreamIdleTimeout'
        $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*-StreamIdleTimeoutSec*'
    }
}

Describe 'A replay without a matching recording' {
    BeforeAll {
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
        $script:fixture = Join-Path $TestDrive 'one.json'
        Start-HumanloopRecording -Path $fixture -Mode Record
        $null = New-HumanloopCompletion @inline -Inputs @{ thing = 'a lighthouse' }
        Stop-HumanloopRecording | Out-Null
    }

    AfterEach {
        Stop-HumanloopRecording -ErrorAction Ignore | Out-Null
    }

    It 'states its fix once for <Case>: in the recommended action, not again in the details' -ForEach @(
        @{ Case = 'a request that differs'; Thing = 'a lamp'; Repeat = $false; Fix = '*-Mode Auto*-IgnoreField*' }
        @{ Case = 'a repeat'; Thing = 'a lighthouse'; Repeat = $true; Fix = '*-AllowRepeats*' }
    ) {
        Start-HumanloopRecording -Path $fixture
        if ($Repeat) {
            $null = New-HumanloopCompletion @inline -Inputs @{ thing = $Thing }
        }

        New-HumanloopCompletion @inline -Inputs @{ thing = $Thing } -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Recording.NoMatch,*'
        $failures[0].ErrorDetails.RecommendedAction | Should -BeLike $Fix
        $failures[0].ErrorDetails.Message | Should -Not -Match 'record it|Record it|allow repeats'
        # The library's own message (for callers outside PowerShell) states the fix exactly once.
        ([regex]::Matches($failures[0].Exception.Message, 'ecord it')).Count | Should -Be 1
    }
}

Describe 'A server whose port is taken' {
    It 'prints one line naming the port and exits non-zero' {
        $taken = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $taken.Start()
        try {
            $port = $taken.LocalEndpoint.Port
            $dll = Join-Path $RepoRoot "src/Humanloop.Server/bin/$Configuration/net10.0/Humanloop.Server.dll"
            $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
            foreach ($argument in $dll, '--in-memory', '--urls', "http://127.0.0.1:$port") { $start.ArgumentList.Add($argument) }
            $start.RedirectStandardOutput = $true
            $start.RedirectStandardError = $true
            $process = [System.Diagnostics.Process]::Start($start)
            $errors = $process.StandardError.ReadToEndAsync()
            $output = $process.StandardOutput.ReadToEnd()
            $process.WaitForExit()
        }
        finally {
            $taken.Stop()
        }

        $process.ExitCode | Should -Be 1
        $lines = @($errors.Result -split '\r?\n' | Where-Object { $_ })
        $lines.Count | Should -Be 1
        $lines[0] | Should -Be "Port $port on 127.0.0.1 is in use: stop the other server or pass --urls (-Urls to build.ps1) with another port."
        $output | Should -Not -Match '\bat \w+\.'
    }
}
