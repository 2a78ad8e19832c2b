# Shared by every *.Tests.ps1 (dot-sourced in BeforeAll): imports the built module and starts the
# processes the tests talk to: the real local server, and a scriptable stub for exact-request checks.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:Configuration = if ($env:HUMANLOOP_TEST_CONFIGURATION) { $env:HUMANLOOP_TEST_CONFIGURATION } else { 'Release' }
$script:TestApiKey = 'hl_pester_key_0123456789abcdef'

function Import-HumanloopModule {
    $modulePath = Join-Path $script:RepoRoot 'output/Humanloop'
    if (-not (Test-Path $modulePath)) {
        throw "The module is not built; run ./build.ps1 -Task Build first ($modulePath is missing)."
    }
    Import-Module $modulePath -Force -ErrorAction Stop
}

# Starting the server and the stub goes through the same helpers the quick start and the benchmarks use.
Import-Module (Join-Path $script:RepoRoot 'examples/LocalServer.psm1') -Force

function Start-StubServer {
    Start-ReadyProcess -DllPath (Join-Path $script:RepoRoot "tests/Humanloop.StubServer/bin/$script:Configuration/net10.0/Humanloop.StubServer.dll") `
        -ReadyPrefix 'Stub server ready: ' -Argument '--urls', 'http://127.0.0.1:0'
}

function Start-HumanloopTestServer {
    <# The real local server, in memory, accepting $TestApiKey. Its Uri ends in /v4. #>
    param([string[]] $Arguments = @(), [hashtable] $Environment = @{})
    Start-LocalHumanloopServer -ServerPath (Join-Path $script:RepoRoot "src/Humanloop.Server/bin/$script:Configuration/net10.0/Humanloop.Server.dll") `
        -ApiKey $script:TestApiKey -Argument $Arguments -Environment $Environment
}

function Add-StubResponse {
    <# Queues responses on the stub: hashtables with status, headers, body, events, raw, stall_after_events… #>
    param([Parameter(Mandatory)] $Stub, [Parameter(Mandatory)] [object[]] $Response)
    $json = ConvertTo-Json -InputObject @($Response) -Depth 30 -Compress
    Invoke-RestMethod -NoProxy -Method Post -Uri "$($Stub.Uri)/_stub/responses" -Body $json -ContentType 'application/json' | Out-Null
}

function Get-StubRequest {
    <# What the stub received, oldest first, each with its body parsed into BodyJson (ordered hashtable). #>
    param([Parameter(Mandatory)] $Stub)
    foreach ($request in (Invoke-RestMethod -NoProxy -Uri "$($Stub.Uri)/_stub/requests")) {
        $parsed = if ($request.body) { $request.body | ConvertFrom-Json -AsHashtable } else { $null }
        $request | Add-Member -NotePropertyName BodyJson -NotePropertyValue $parsed -PassThru
    }
}

function Reset-Stub {
    param([Parameter(Mandatory)] $Stub)
    Invoke-RestMethod -NoProxy -Method Delete -Uri "$($Stub.Uri)/_stub" | Out-Null
}

function New-CompletionBody {
    <# A v4 CompletionResponse body with one sample per output. #>
    param([string[]] $Output = @('Hello'), [string] $FinishReason = 'stop', [hashtable] $Inputs = @{}, [string] $ProjectId = 'pr_test')
    $index = 0
    @{
        project_id         = $ProjectId
        num_samples        = $Output.Count
        data               = @(foreach ($text in $Output) {
                @{ id = "data_$index"; index = $index++; output = $text.Trim(); raw_output = $text; inputs = $Inputs; finish_reason = $FinishReason; model_config_id = 'config_test'; tool_results = @() }
            })
        usage              = @{ prompt_tokens = 5; generation_tokens = 7; total_tokens = 12 }
        metadata           = @{ team = 'qa'; nested = @{ level = 2 } }
        provider_responses = @(@{ id = 'mock-1'; choices = @(@{ index = 0 }) })
        provider_request   = @{ model = 'gpt-4o'; temperature = 0.7 }
        session_id         = $null
    }
}

function New-ChunkEvent {
    <# One streamed chunk: a CompletionResponse-shaped object with one data item. #>
    # FinishReason is untyped: a [string] parameter would turn $null into '' and send "finish_reason": "".
    param([int] $Index = 0, [string] $Output, $FinishReason = $null, [string] $Id = "data_$Index")
    @{
        project_id         = 'pr_test'
        data               = @(@{ id = $Id; index = $Index; output = $Output; raw_output = $Output; inputs = @{}; finish_reason = $FinishReason; model_config_id = 'config_test' })
        provider_responses = @()
    }
}

function Invoke-FreshPwsh {
    <# Runs a script in a new pwsh process (the pinned tool) and returns its output lines and exit code. #>
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in 'pwsh', '-NoProfile', '-NonInteractive', '-Command', $Script) {
        $start.ArgumentList.Add($argument)
    }
    $start.WorkingDirectory = $script:RepoRoot
    foreach ($name in $Environment.Keys) {
        $start.Environment[$name] = $Environment[$name]
    }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($start)
    $errors = $process.StandardError.ReadToEndAsync()
    $output = $process.StandardOutput.ReadToEnd()
    $process.WaitForExit()
    [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $output; Errors = $errors.Result }
}

function ConvertTo-CanonicalJson {
    <# JSON with object keys sorted at every level, so two bodies compare equal exactly when their content does. #>
    param([Parameter(ValueFromPipeline)] $InputObject)
    process {
        function Sort-Node($node) {
            if ($node -is [System.Collections.IDictionary]) {
                $sorted = [ordered]@{}
                foreach ($key in ($node.Keys | Sort-Object { [string]$_ } -CaseSensitive)) {
                    $sorted[[string]$key] = Sort-Node $node[$key]
                }
                return $sorted
            }
            if ($node -is [System.Collections.IList]) {
                return , @(foreach ($item in $node) { Sort-Node $item })
            }
            $node
        }
        $value = if ($InputObject -is [string]) { $InputObject | ConvertFrom-Json -AsHashtable -NoEnumerate } else { $InputObject }
        ConvertTo-Json -InputObject (Sort-Node $value) -Depth 30 -Compress
    }
}

function Add-ServerFault {
    <# Adds a fault rule to a server started with --enable-faults (see docs/server.md, "Fault injection"). #>
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [hashtable] $Rule)
    $root = $Server.Uri -replace '/v4$', ''
    Invoke-RestMethod -NoProxy -Method Post -Uri "$root/_faults" -Headers @{ 'X-API-KEY' = $script:TestApiKey } -Body ($Rule | ConvertTo-Json -Compress) -ContentType 'application/json' | Out-Null
}

function Clear-ServerFault {
    param([Parameter(Mandatory)] $Server)
    Invoke-RestMethod -NoProxy -Method Delete -Uri (($Server.Uri -replace '/v4$', '') + '/_faults') -Headers @{ 'X-API-KEY' = $script:TestApiKey } | Out-Null
}

function Get-ServerRequestCount {
    <# How many requests the fault-enabled server has seen on a path since the last Clear-ServerFault. #>
    param([Parameter(Mandatory)] $Server, [string] $Path = '/v4/completion')
    $state = Invoke-RestMethod -NoProxy -Uri (($Server.Uri -replace '/v4$', '') + '/_faults') -Headers @{ 'X-API-KEY' = $script:TestApiKey }
    $count = $state.requests.$Path
    if ($count) { [int]$count } else { 0 }
}

function Get-ServerFaultState {
    <# The fault-enabled server's rules (with hits and max_in_flight), request counts per path, and requests in flight now. #>
    param([Parameter(Mandatory)] $Server)
    Invoke-RestMethod -NoProxy -Uri (($Server.Uri -replace '/v4$', '') + '/_faults') -Headers @{ 'X-API-KEY' = $script:TestApiKey }
}
