# -ThrottleLimit on the generation cmdlets: several requests in flight from pipeline input, results in input
# order (or -Unordered), exactly one outcome per input under faults, a limit that 429s shrink and successes grow,
# Retry-After holds, Ctrl+C, streams and progress. Against the real local server with fault injection on; the
# server's per-rule max_in_flight shows how many requests the client really had open when a rule was taken.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:server = Start-HumanloopTestServer -Arguments '--enable-faults'
    $script:modulePath = Join-Path $RepoRoot 'output/Humanloop'
    $script:inline = @{ Project = 'batches'; Model = 'mock-1'; Provider = 'mock'; PromptTemplate = 'Describe {{thing}}.' }

    function New-Inputs([int] $Count, [string] $Prefix = 'item') {
        foreach ($index in 1..$Count) { @{ thing = "$Prefix $index" } }
    }

    function Get-Rule([int] $Index) { (Get-ServerFaultState $server).rules[$Index] }

    # Runs a script in a fresh [powershell] with the module imported and this server connected.
    function New-BatchShell([string] $Script) {
        $shell = [powershell]::Create()
        $null = $shell.AddScript("Import-Module '$modulePath'; Connect-Humanloop -ApiKey '$TestApiKey' -BaseUri '$($server.Uri)'; $Script")
        $shell
    }
}

AfterAll {
    Disconnect-Humanloop
    $server | Stop-ReadyProcess
}

Describe 'A batch' {
    BeforeEach {
        Clear-ServerFault $server
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
    }

    It 'keeps at most -ThrottleLimit requests in flight and writes the results in input order' {
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 300; count = 1000 }

        $results = New-Inputs 12 | New-HumanloopCompletion @inline -ThrottleLimit 4

        $results.Data.Inputs.thing | Should -Be @(New-Inputs 12 | ForEach-Object thing)
        $results[0].PSObject.Properties['InputIndex'] | Should -BeNullOrEmpty -Because 'in order, the position is the output''s own'
        $most = (Get-Rule 0).max_in_flight
        $most | Should -BeLessOrEqual 4
        $most | Should -BeGreaterThan 1 -Because 'twelve slow requests with room for four overlap'
        Get-ServerRequestCount $server | Should -Be 12
    }

    It 'lets a result wait only for those before it: a slow first input holds the rest back, in order' {
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 1500 }
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 50; count = 1000 }
        $seen = [System.Collections.Generic.List[string]]::new()

        New-Inputs 6 | New-HumanloopCompletion @inline -ThrottleLimit 3 | ForEach-Object { $seen.Add($_.Data[0].Inputs.thing) }

        $seen | Should -Be @(New-Inputs 6 | ForEach-Object thing)
    }

    It 'writes each result as it finishes with -Unordered, each carrying its InputIndex' {
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 1500 }
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 50; count = 1000 }

        $results = New-Inputs 6 | New-HumanloopCompletion @inline -ThrottleLimit 3 -Unordered

        # The slow one is whichever of the first three reached the server first: it comes out last.
        $results.Count | Should -Be 6
        $results[-1].InputIndex | Should -BeLessThan 3
        @($results.InputIndex) | Should -Not -Be @(0..5)
        foreach ($result in $results) {
            $result.Data[0].Inputs.thing | Should -Be "item $($result.InputIndex + 1)"
        }
        @($results | Sort-Object InputIndex | ForEach-Object { $_.Data[0].Inputs.thing }) | Should -Be @(New-Inputs 6 | ForEach-Object thing)
    }

    It 'keeps reading pipeline input while requests are in flight; one at a time reads the next only after writing' {
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 300; count = 1000 }

        foreach ($limit in 1, 4) {
            $script:produced = 0
            $readBeforeFirst = $null
            New-Inputs 8 | ForEach-Object { $script:produced++; $_ } | New-HumanloopCompletion @inline -ThrottleLimit $limit |
                ForEach-Object { if ($null -eq $readBeforeFirst) { $readBeforeFirst = $script:produced } }
            $readBeforeFirst | Should -Be $(if ($limit -eq 1) { 1 } else { 8 }) -Because "-ThrottleLimit $limit"
        }
    }

    It 'collects the responses in -ResponseVariable in the order they were written' {
        $null = New-Inputs 5 | New-HumanloopCompletion @inline -ThrottleLimit 5 -ResponseVariable responses

        $responses.Count | Should -Be 5
        $responses.Data.Inputs.thing | Should -Be @(New-Inputs 5 | ForEach-Object thing)
    }

    It 'runs chats as a batch too, and New-HumanloopExperiment takes the same parameters' {
        $replies = 'one', 'two', 'three', 'four' | ForEach-Object { @{ topic = $_ } } |
            New-HumanloopChat -Project batches -Provider mock -Model mock-1 -ChatTemplate @{ role = 'system'; content = 'About {{topic}}' } -Messages 'Go' -ThrottleLimit 4

        $replies.Data.Inputs.topic | Should -Be @('one', 'two', 'three', 'four')
        (Get-Command New-HumanloopExperiment).Parameters.Keys | Should -Contain 'ThrottleLimit'
        (Get-Command New-HumanloopExperiment).Parameters.Keys | Should -Contain 'Unordered'
    }

    It 'runs the tools of several chats on the pipeline thread while the others are in flight' {
        $script:toolCalls = [System.Collections.Generic.List[string]]::new()
        function script:Get-BatchWeather {
            <# .SYNOPSIS Tells the weather in a city. #>
            param([Parameter(Mandatory)] [string] $City)
            $script:toolCalls.Add($City)
            "Sunny in $City"
        }

        $answers = 1..5 | ForEach-Object { @{ n = $_ } } |
            New-HumanloopChat -Project batches -Provider mock -Model mock-1 -Messages 'Use Get-BatchWeather City=Paris' -Tools (Get-Command Get-BatchWeather) -InvokeTools -ThrottleLimit 3

        $answers.Count | Should -Be 5
        $answers.Output | Should -Be @(1..5 | ForEach-Object { 'The tool Get-BatchWeather returned: Sunny in Paris' })
        $answers.Data.Inputs.n | Should -Be @(1..5)
        $toolCalls.Count | Should -Be 5
    }

    It 'gives every input exactly one result or one error record, in order, under 503 bursts, 429s, resets and timeouts' {
        $items = @(New-Inputs 24)
        $items[5] = @{ wrong = 'item 6' }
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'status'; status = 503; count = 6 }
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'reset_before_headers'; count = 3 }
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'status'; status = 429; retry_after_ms = 100; count = 3 }
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'stall_before_headers'; count = 2 }
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 50; count = 1000 }
        $outcomes = [System.Collections.Generic.List[object]]::new()

        $items | New-HumanloopCompletion @inline -ThrottleLimit 8 -MaxRetries 1 -TimeoutSec 1 -ErrorAction SilentlyContinue -ErrorVariable failures -WarningAction SilentlyContinue |
            ForEach-Object { $outcomes.Add($_.Data[0].Inputs.thing) }

        $failed = @($failures | ForEach-Object { if ($_.TargetObject.thing) { $_.TargetObject.thing } else { $_.TargetObject.wrong } })
        $everything = @($outcomes) + $failed
        $everything.Count | Should -Be 24 -Because 'each input has one outcome, none lost, none twice'
        @($everything | Sort-Object -Unique).Count | Should -Be 24
        $failed | Should -Contain 'item 6'
        $outcomes | Should -Be @($items | Where-Object { $_.thing -and $_.thing -notin $failed } | ForEach-Object thing)
        foreach ($failure in $failures) {
            $failure.FullyQualifiedErrorId | Should -Match '^Humanloop\.(Http\.(503|422|429)|Connection\.Failed|Timeout),'
        }
    }

    It 'stops at the first error in input order with -ErrorAction Stop, writing what came before it' {
        $items = @(New-Inputs 10)
        $items[2] = @{ wrong = 'item 3' }
        $written = [System.Collections.Generic.List[string]]::new()

        { $items | New-HumanloopCompletion @inline -ThrottleLimit 4 -ErrorAction Stop | ForEach-Object { $written.Add($_.Data[0].Inputs.thing) } } |
            Should -Throw -ExpectedMessage '*thing*'
        $written | Should -Be @('item 1', 'item 2')
    }

    It 'stops sending when Select-Object -First has what it needs' {
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 200; count = 1000 }

        $first = New-Inputs 40 | New-HumanloopCompletion @inline -ThrottleLimit 4 | Select-Object -First 2
        Start-Sleep -Milliseconds 500

        $first.Data.Inputs.thing | Should -Be @('item 1', 'item 2')
        Get-ServerRequestCount $server | Should -BeLessOrEqual 8
        (Get-ServerFaultState $server).in_flight | Should -Be 0
    }
}

Describe 'Rate limits in a batch' {
    BeforeEach {
        Clear-ServerFault $server
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
    }

    It 'halves how many requests run at once after a 429, once for the burst, then grows back by one per run of successes' {
        # Barriers order it without timing. The first request is answered 429 only once all eight of the first
        # burst are in (so all eight were sent before the halving); the other seven are answered only once the
        # ninth request comes, which can only be that 429's retry, sent after the halving. Then the batch may
        # run four at once: the retry and three new inputs (each slow). Only after four of those succeed does
        # the limit grow, to five; so the next six requests (rule 3) never overlap more than five. Without the
        # halving, the seven answered at once would be replaced by seven new requests at once.
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'status'; status = 429; retry_after_ms = 200; await_requests = 8 }
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 0; await_requests = 9; count = 7 }
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 500 }
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 500; count = 6 }
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 50; count = 1000 }

        $results = New-Inputs 32 | New-HumanloopCompletion @inline -ThrottleLimit 8 -Verbose -WarningAction SilentlyContinue 4>&1
        $verbose = @($results | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $responses = @($results | Where-Object { $_ -is [Humanloop.CompletionResponse] })

        $responses.Data.Inputs.thing | Should -Be @(New-Inputs 32 | ForEach-Object thing)
        Get-ServerRequestCount $server | Should -Be 33 -Because 'one retry of the 429, nothing else'
        $rules = (Get-ServerFaultState $server).rules
        $rules[1].max_in_flight | Should -BeGreaterOrEqual 7 -Because 'the first burst ran eight at once'
        # The server counts a request as in flight until its handler returns, a moment after the client has its
        # answer and sent the next one: one overlap of that kind is the server's counting, not the batch's. Without
        # the halving the seven answered at once would put seven or eight in flight here.
        $rules[3].max_in_flight | Should -BeLessOrEqual 6 -Because 'after the 429 the batch ran four at once, then five (plus one the server has not yet counted out)'
        $rules[4].max_in_flight | Should -BeLessOrEqual 8
        @($verbose -like '*The server is limiting the rate*') | Should -Be @('The server is limiting the rate: at most 4 request(s) at once from now on (was 8).') -Because 'the burst halves the limit once, not once per request'
        @($verbose -like 'Requests are going through again*') | Should -Be @(
            'Requests are going through again: up to 5 at once from now on (was 4).'
            'Requests are going through again: up to 6 at once from now on (was 5).'
            'Requests are going through again: up to 7 at once from now on (was 6).'
            'Requests are going through again: up to 8 at once from now on (was 7).')
        @($verbose -like 'Holding new requests to *') | Should -Be @("Holding new requests to $(([uri]$server.Uri).Authority) for 0.2 s, as the server asked.")
    }

    It 'holds every new request while a Retry-After runs, though a slot is free' {
        # The first request fails at once (no retries) asking for three seconds; the other of the first two takes
        # one. Without the hold the freed slot would start the third input at once, beside the slow one.
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'status'; status = 503; retry_after = '3' }
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 1000 }
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 1 }

        $results = New-Inputs 3 | New-HumanloopCompletion @inline -ThrottleLimit 2 -MaxRetries 0 -ErrorAction SilentlyContinue -ErrorVariable failures -Verbose 4>&1
        $verbose = @($results | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)

        @($results | Where-Object { $_ -is [Humanloop.CompletionResponse] }).Count | Should -Be 2
        $failures.Count | Should -Be 1
        $failures[0].TargetObject.thing | Should -BeIn 'item 1', 'item 2'
        (Get-Rule 2).max_in_flight | Should -Be 1 -Because 'the next request waited out the hold, by when the slow one was done'
        $verbose | Should -Contain "Holding new requests to $(([uri]$server.Uri).Authority) for 3.0 s, as the server asked."
    }
}

Describe 'Ctrl+C in a batch' {
    It 'cancels all sixteen requests in flight and returns at once' {
        # PowerShell's own first stop in a process spends tens of milliseconds compiling its stop path (a
        # Start-Sleep shows it); that is paid once, here, so that the bound measures the cmdlet.
        $warm = [powershell]::Create()
        $null = $warm.AddScript('Start-Sleep -Seconds 30').BeginInvoke()
        Start-Sleep -Milliseconds 200
        $warm.Stop()
        $warm.Dispose()
        Clear-ServerFault $server
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'stall_before_headers'; count = 1000 }
        $shell = New-BatchShell "1..40 | ForEach-Object { @{ thing = `"item `$_`" } } | New-HumanloopCompletion -Project batches -Model mock-1 -Provider mock -PromptTemplate 'Describe {{thing}}.' -ThrottleLimit 16"
        try {
            $async = $shell.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while ((Get-ServerFaultState $server).in_flight -lt 16 -and [datetime]::UtcNow -lt $deadline -and -not $async.IsCompleted) {
                Start-Sleep -Milliseconds 20
            }
            (Get-ServerFaultState $server).in_flight | Should -Be 16 -Because 'sixteen stalled requests should be in flight'

            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $watch.Stop()

            Write-Host "    Ctrl+C with 16 in flight returned in $($watch.Elapsed.TotalMilliseconds.ToString('0.0')) ms"
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            # The requests stall until their timeout (300 s by default): a stop that waited for them would take that long.
            # The 50 ms goal itself is measured by bench/scenarios/Cancel.ps1, not asserted under a test's load.
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 10 -Because 'a stop cancels the stalled requests instead of waiting for them'
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while ((Get-ServerFaultState $server).in_flight -gt 0 -and [datetime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 20
            }
            (Get-ServerFaultState $server).in_flight | Should -Be 0 -Because 'every request was cancelled'
            Get-ServerRequestCount $server | Should -Be 16 -Because 'nothing more was sent after the stop'
        }
        finally {
            $shell.Dispose()
            Clear-ServerFault $server
        }
    }
}

Describe 'Streams in a batch' {
    BeforeEach {
        Clear-ServerFault $server
        Connect-Humanloop -ApiKey $TestApiKey -BaseUri $server.Uri
    }

    It 'writes each input''s chunks together, in input order, the earliest input''s live' {
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 1000 }

        $chunks = @(New-Inputs 3 | New-HumanloopCompletion @inline -ThrottleLimit 3 -Stream -ResponseVariable streamed)

        $chunks | ForEach-Object { $_ | Should -BeOfType Humanloop.CompletionChunk }
        $streamed.Count | Should -Be 3
        $streamed.Data.Inputs.thing | Should -Be @(New-Inputs 3 | ForEach-Object thing)
        ($chunks | ForEach-Object { $_.Output }) -join '' | Should -Be (($streamed | ForEach-Object { $_.Data[0].RawOutput }) -join '')
    }

    It 'writes chunks as they arrive with -Unordered, each carrying its InputIndex' {
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'delay'; delay_ms = 1000 }

        $chunks = @(New-Inputs 4 | New-HumanloopCompletion @inline -ThrottleLimit 3 -Stream -Unordered -ResponseVariable streamed)

        # The held-up stream is one of the first three; the fourth input starts after a fast one and ends before it.
        $chunks[-1].InputIndex | Should -BeLessThan 3
        @($chunks.InputIndex) | Should -Not -Be @($chunks.InputIndex | Sort-Object)
        $streamed.Count | Should -Be 4
        foreach ($group in $chunks | Group-Object InputIndex) {
            $response = $streamed | Where-Object { $_.Data[0].Inputs.thing -eq "item $([int]$group.Name + 1)" }
            ($group.Group | ForEach-Object { $_.Output }) -join '' | Should -Be $response.Data[0].RawOutput
        }
    }

    It 'reports a stream cut mid-way as one error about its input, the other streams whole' {
        Add-ServerFault $server @{ path = '/v4/completion'; fault = 'cut_mid_stream'; after_events = 2 }

        $null = New-Inputs 4 | New-HumanloopCompletion @inline -ThrottleLimit 4 -Stream -ResponseVariable streamed -ErrorAction SilentlyContinue -ErrorVariable failures

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Humanloop.Stream.Incomplete,*'
        @($streamed.Data.Inputs.thing) + @($failures[0].TargetObject.thing) | Sort-Object | Should -Be @(New-Inputs 4 | ForEach-Object thing)
    }
}

Describe 'Progress of a batch' {
    BeforeEach {
        Clear-ServerFault $server
    }

    It 'shows done, failed, in flight and the rate when asked with -ProgressAction, then the time left, and ends the bar' {
        $shell = New-BatchShell "`$items = 1..12 | ForEach-Object { @{ thing = `"item `$_`" } }; `$items[3] = @{ wrong = 1 }; `$items | New-HumanloopCompletion -Project batches -Model mock-1 -Provider mock -PromptTemplate 'Describe {{thing}}.' -ThrottleLimit 4 -ErrorAction SilentlyContinue -ProgressAction Continue"
        try {
            $null = $shell.Invoke()
            $progress = @($shell.Streams.Progress)
        }
        finally {
            $shell.Dispose()
        }

        $progress.Count | Should -BeGreaterThan 1
        $progress[0].Activity | Should -Be 'New-HumanloopCompletion: up to 4 requests at once'
        $progress[0].StatusDescription | Should -Match '^0 of 1\+ done, 0 failed, 0 in flight, \d+\.\d/s$'
        foreach ($record in $progress | Where-Object RecordType -eq 'Processing') {
            $record.StatusDescription | Should -Match '^\d+ of \d+\+? done, \d+ failed, \d+ in flight, \d+\.\d/s$'
        }
        $last = ($progress | Where-Object RecordType -eq 'Processing')[-1]
        $last.StatusDescription | Should -Match '^12 of 12 done, 1 failed, 0 in flight, \d+\.\d/s$'
        $last.PercentComplete | Should -Be 100
        $progress[-1].RecordType | Should -Be 'Completed'
    }

    It 'shows nothing under -ProgressAction SilentlyContinue, nor one request at a time' {
        foreach ($arguments in '-ThrottleLimit 4 -ProgressAction SilentlyContinue', '-ThrottleLimit 1 -ProgressAction Continue') {
            $shell = New-BatchShell "1..6 | ForEach-Object { @{ thing = `"item `$_`" } } | New-HumanloopCompletion -Project batches -Model mock-1 -Provider mock -PromptTemplate 'Describe {{thing}}.' $arguments"
            try {
                $results = $shell.Invoke()
                $results.Count | Should -Be 6
                $shell.Streams.Progress.Count | Should -Be 0 -Because $arguments
            }
            finally {
                $shell.Dispose()
            }
        }
    }

    It 'shows nothing where nobody watches (-NonInteractive, redirected output)' {
        $script = "Import-Module '$modulePath'; `$shell = [powershell]::Create(); `$null = `$shell.AddScript(`"Import-Module '$modulePath'; 1..6 | ForEach-Object { @{ thing = 'x' } } | New-HumanloopCompletion -Project batches -Model mock-1 -Provider mock -PromptTemplate 'Describe {{thing}}.' -ThrottleLimit 4 -ApiKey '$TestApiKey' -BaseUri '$($server.Uri)'`"); `$results = `$shell.Invoke(); `"results=`$(`$results.Count) progress=`$(`$shell.Streams.Progress.Count)`""

        $run = Invoke-FreshPwsh -Script $script

        $run.Output.Trim() | Should -Be 'results=6 progress=0' -Because $run.Errors
    }
}
