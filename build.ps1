<#
.SYNOPSIS
    Builds, tests, serves and packages HumanloopPS.

.DESCRIPTION
    Build   compiles the solution and assembles the module in output/Humanloop/<version>/.
    Test    builds, then runs every suite (xUnit core, xUnit server on SQLite and on PostgreSQL, Pester, the regression and evaluation examples
            offline, the benchmarks in their quick form) and prints one closing line per suite of the form
            "N passed, N failed". Exits 1 if anything failed; a benchmark fails only by erroring, its numbers
            are not judged.
    Serve   builds and runs the local v4-compatible server (default http://127.0.0.1:5080/v4).
    Demo    builds, starts the local server, runs examples/quickstart.ps1 against it, stops it.
    Bench   runs the benchmarks in bench/ and prints ratios against their baselines, ending with every goal of
            issue 12 beside what was measured.
    Package builds, then writes output/packages/: the module as Humanloop.<version>.nupkg, which Install-PSResource
            installs from that folder registered as a repository, and the local server as the .NET tool package
            humanloop-server.<version>.nupkg (dotnet tool install --add-source ./output/packages humanloop-server).
    PesterPath restores the pinned Pester from NuGet and writes the path of its Pester.psd1, so a shell
            can import it: Import-Module (./build.ps1 -Task PesterPath).
    Clean   removes build output.

.PARAMETER Task
    One or more of Build, Test, Serve, Demo, Bench, Package, Clean, PesterPath, run in order. Build by default.

.PARAMETER Configuration
    The .NET build configuration, Release (default) or Debug.

.PARAMETER Urls
    -Task Serve: the address to listen on (default http://127.0.0.1:5080). Other server settings come from the
    HUMANLOOP_SERVER_* environment variables (docs/server.md); flags cannot be passed through, because
    `pwsh -File` would take a value such as --urls for a parameter name.

.PARAMETER InMemory
    -Task Serve: keep everything in memory instead of the data folder.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Serve -Urls http://127.0.0.1:5099 -InMemory

.EXAMPLE
    Import-Module (./build.ps1 -Task PesterPath)

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Package

    Writes output/packages/Humanloop.<version>.nupkg and humanloop-server.<version>.nupkg.
#>
#Requires -Version 7.4
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Serve', 'Demo', 'Bench', 'Package', 'Clean', 'PesterPath')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [string] $Urls = 'http://127.0.0.1:5080',

    [switch] $InMemory
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$root = $PSScriptRoot
$version = (Import-PowerShellDataFile (Join-Path $root 'Humanloop.psd1')).ModuleVersion
$outputRoot = Join-Path $root 'output'
$moduleRoot = Join-Path $outputRoot "Humanloop/$version"
$resultsRoot = Join-Path $outputRoot 'test-results'
$serverDll = Join-Path $root "src/Humanloop.Server/bin/$Configuration/net10.0/Humanloop.Server.dll"
$moduleTargetFramework = 'net8.0'

# A simple function (no param block) so that dotnet switches such as --verbosity minimal are passed through
# instead of being bound to PowerShell's common parameters.
function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Build {
    Invoke-Dotnet build (Join-Path $root 'HumanloopPS.sln') -c $Configuration "-p:Version=$version" -nologo --verbosity minimal

    if (Test-Path $moduleRoot) {
        Remove-Item $moduleRoot -Recurse -Force
    }
    $binFolder = New-Item -ItemType Directory -Path (Join-Path $moduleRoot "bin/$moduleTargetFramework") -Force
    $built = Join-Path $root "src/Humanloop.PowerShell/bin/$Configuration/$moduleTargetFramework"
    foreach ($name in 'Humanloop.PowerShell', 'Humanloop.Core') {
        Copy-Item (Join-Path $built "$name.dll"), (Join-Path $built "$name.pdb") -Destination $binFolder
    }
    Copy-Item (Join-Path $root 'Humanloop.psd1') -Destination $moduleRoot
    Copy-Item (Join-Path $root 'module/*') -Destination $moduleRoot -Recurse
    Export-CmdletHelp -DocPath (Join-Path $built 'Humanloop.PowerShell.xml')
    Write-Host "Module assembled in $moduleRoot"
}

function Export-CmdletHelp {
    <#
    Writes the MAML help file from the cmdlets' XML doc comments, so help lives beside the code:
    <summary> is the synopsis, <remarks> the description, each <example> holds a <code> block and
    <para> remarks, and each parameter property's <summary> is that parameter's description. The
    module is loaded in a job (another process) so that this session never holds the new assembly.
    #>
    param([string] $DocPath)
    $helpPath = Join-Path $moduleRoot 'en-US/Humanloop.PowerShell.dll-Help.xml'
    New-Item -ItemType Directory -Path (Split-Path $helpPath) -Force | Out-Null
    $writer = {
        param($ManifestPath, $DocPath, $HelpPath)
        $ErrorActionPreference = 'Stop'
        Import-Module $ManifestPath
        $members = @{}
        $docXml = [xml]::new()
        $docXml.PreserveWhitespace = $true
        $docXml.Load($DocPath)
        foreach ($member in $docXml.doc.members.member) {
            $members[$member.name] = $member
        }

        function Get-Paragraphs([System.Xml.XmlNode] $Node) {
            $paragraphs = [System.Collections.Generic.List[string]]::new()
            $current = [System.Text.StringBuilder]::new()
            $flush = {
                $text = ($current.ToString() -replace '\s+', ' ').Trim()
                if ($text) { $paragraphs.Add($text) }
                [void]$current.Clear()
            }
            foreach ($child in $Node.ChildNodes) {
                if ($child.NodeType -in 'Text', 'CDATA', 'Whitespace', 'SignificantWhitespace') {
                    [void]$current.Append($child.Value)
                }
                elseif ($child.LocalName -eq 'para') {
                    & $flush
                    foreach ($inner in (Get-Paragraphs $child)) { $paragraphs.Add($inner) }
                }
                elseif ($child.LocalName -in 'see', 'seealso') {
                    $reference = if ($child.cref) { $child.cref -replace '^[A-Z]:', '' } elseif ($child.langword) { $child.langword } else { $child.InnerText }
                    [void]$current.Append($reference)
                }
                elseif ($child.LocalName -in 'paramref', 'typeparamref') {
                    [void]$current.Append('-' + $child.name)
                }
                elseif ($child.LocalName -ne 'code') {
                    [void]$current.Append($child.InnerText)
                }
            }
            & $flush
            , $paragraphs.ToArray()
        }

        function Get-Code([System.Xml.XmlNode] $Node) {
            # The compiler indents every doc line after the first by the member's depth in the XML file;
            # the whitespace before <code> has exactly that indent, so only that much is removed.
            $before = $Node.PreviousSibling
            $indent = if ($before -and $before.NodeType -in 'Whitespace', 'Text') { ($before.Value -split "\n")[-1].Length } else { 0 }
            $lines = @($Node.InnerText -split "\r?\n")
            $trimmed = for ($i = 0; $i -lt $lines.Count; $i++) {
                $line = $lines[$i]
                $lead = $line.Length - $line.TrimStart(' ').Length
                if ($i -eq 0) { $line.Trim() } else { $line.Substring([math]::Min($lead, $indent)).TrimEnd() }
            }
            (@($trimmed) -join "`n").Trim()
        }

        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $ns = @{ maml = 'http://schemas.microsoft.com/maml/2004/10'; command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'; dev = 'http://schemas.microsoft.com/maml/dev/2004/10' }
        $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
        $xml = [System.Xml.XmlWriter]::Create($HelpPath, $settings)
        function Open([string] $Prefix, [string] $Name) { $xml.WriteStartElement($Prefix, $Name, $ns[$Prefix]) }
        function Leaf([string] $Prefix, [string] $Name, [string] $Text) { $xml.WriteElementString($Prefix, $Name, $ns[$Prefix], $Text) }
        function Paras([string[]] $Texts) {
            Open maml description
            foreach ($text in $Texts) { Leaf maml para $text }
            $xml.WriteEndElement()
        }
        function PipelineText($Parameter) {
            $kinds = @(if ($Parameter.ValueFromPipeline) { 'ByValue' }; if ($Parameter.ValueFromPipelineByPropertyName) { 'ByPropertyName' })
            if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
        }
        function ParameterValue([type] $Type) {
            Open command parameterValue
            $xml.WriteAttributeString('required', 'true')
            $xml.WriteString($(if ($Type.IsArray) { $Type.GetElementType().Name + '[]' } else { $Type.Name }))
            $xml.WriteEndElement()
        }

        $xml.WriteStartElement('helpItems', 'http://msh')
        $xml.WriteAttributeString('schema', 'maml')
        foreach ($command in (Get-Command -Module Humanloop -CommandType Cmdlet | Sort-Object Name)) {
            $type = $command.ImplementingType
            $doc = $members["T:$($type.FullName)"]
            # SelectSingleNode, not $doc.summary: PowerShell's XML adapter turns a text-only element into a string.
            $summary = if ($doc) { $doc.SelectSingleNode('summary') }
            $remarks = if ($doc) { $doc.SelectSingleNode('remarks') }
            $synopsis = if ($summary) { (Get-Paragraphs $summary) -join ' ' } else { '' }
            $description = if ($remarks) { Get-Paragraphs $remarks } else { @($synopsis) }

            Open command command
            foreach ($prefix in 'maml', 'command', 'dev') { $xml.WriteAttributeString('xmlns', $prefix, $null, $ns[$prefix]) }
            Open command details
            Leaf command name $command.Name
            Leaf command verb $command.Verb
            Leaf command noun $command.Noun
            Paras @($synopsis)
            $xml.WriteEndElement()
            Paras $description

            $parameters = @($command.Parameters.Values | Where-Object Name -NotIn $common)
            Open command syntax
            foreach ($set in $command.ParameterSets) {
                Open command syntaxItem
                Leaf maml name $command.Name
                foreach ($parameter in ($set.Parameters | Where-Object Name -NotIn $common)) {
                    Open command parameter
                    $xml.WriteAttributeString('required', "$($parameter.IsMandatory)".ToLower())
                    $xml.WriteAttributeString('position', $(if ($parameter.Position -ge 0) { "$($parameter.Position)" } else { 'named' }))
                    $xml.WriteAttributeString('pipelineInput', (PipelineText $parameter))
                    Leaf maml name $parameter.Name
                    if ($parameter.ParameterType -ne [switch]) { ParameterValue $parameter.ParameterType }
                    $xml.WriteEndElement()
                }
                $xml.WriteEndElement()
            }
            $xml.WriteEndElement()

            Open command parameters
            foreach ($parameter in $parameters) {
                $property = $type.GetProperty($parameter.Name)
                $parameterDoc = $members["P:$($property.DeclaringType.FullName).$($parameter.Name)"]
                $attributes = @($parameter.ParameterSets.Values)
                Open command parameter
                $xml.WriteAttributeString('required', "$(@($attributes | Where-Object IsMandatory).Count -gt 0)".ToLower())
                $position = ($attributes | Where-Object Position -GE 0 | Select-Object -First 1).Position
                $xml.WriteAttributeString('position', $(if ($null -ne $position) { "$position" } else { 'named' }))
                $xml.WriteAttributeString('pipelineInput', (PipelineText ($attributes | Sort-Object { -[int]$_.ValueFromPipeline - [int]$_.ValueFromPipelineByPropertyName } | Select-Object -First 1)))
                $xml.WriteAttributeString('aliases', $(if ($parameter.Aliases.Count) { $parameter.Aliases -join ', ' } else { 'none' }))
                $xml.WriteAttributeString('globbing', 'false')
                Leaf maml name $parameter.Name
                Paras $(if ($parameterDoc) { Get-Paragraphs $parameterDoc.SelectSingleNode('summary') } else { @() })
                if ($parameter.ParameterType -ne [switch]) { ParameterValue $parameter.ParameterType }
                Open dev type
                Leaf maml name $parameter.ParameterType.FullName
                $xml.WriteEndElement()
                Leaf dev defaultValue 'None'
                $xml.WriteEndElement()
            }
            $xml.WriteEndElement()

            Open command inputTypes
            foreach ($input in ($parameters | Where-Object { $_.ParameterSets.Values.ValueFromPipeline -contains $true })) {
                Open command inputType
                Open dev type
                Leaf maml name $input.ParameterType.FullName
                $xml.WriteEndElement()
                $xml.WriteEndElement()
            }
            $xml.WriteEndElement()

            Open command returnValues
            foreach ($output in $command.OutputType) {
                Open command returnValue
                Open dev type
                Leaf maml name $output.Name
                $xml.WriteEndElement()
                $xml.WriteEndElement()
            }
            $xml.WriteEndElement()

            Open command examples
            $number = 0
            foreach ($example in @(if ($doc) { $doc.SelectNodes('example') })) {
                $number++
                Open command example
                Leaf maml title "-------------------------- Example $number --------------------------"
                Leaf dev code (Get-Code $example.SelectSingleNode('code'))
                Open dev remarks
                foreach ($text in (Get-Paragraphs $example)) { Leaf maml para $text }
                $xml.WriteEndElement()
                $xml.WriteEndElement()
            }
            $xml.WriteEndElement()
            $xml.WriteEndElement()
        }
        $xml.WriteEndElement()
        $xml.Dispose()
    }
    $job = Start-Job -ScriptBlock $writer -ArgumentList (Join-Path $moduleRoot 'Humanloop.psd1'), $DocPath, $helpPath
    try {
        $job | Receive-Job -Wait -ErrorVariable jobErrors
        if ($job.State -ne 'Completed' -or $jobErrors) {
            throw "Writing the cmdlet help failed: $($jobErrors -join '; ') $($job.ChildJobs[0].JobStateInfo.Reason)"
        }
    }
    finally {
        $job | Remove-Job -Force
    }
}

function Get-PesterModulePath {
    # Out-Host: whatever restore prints must not become part of the path this returns.
    Invoke-Dotnet restore (Join-Path $root 'tests/pester/PesterPackages.csproj') --verbosity quiet -nologo | Out-Host
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $pester = Join-Path $packages.Trim() 'pester/6.2.0/tools/Pester.psd1'
    if (-not (Test-Path $pester)) {
        throw "Pester 6.2.0 was restored but $pester is missing."
    }
    $pester
}

function Invoke-XunitSuite {
    param([string] $Project, [string] $Name = (Split-Path $Project -Leaf), [string[]] $Filter = @(), [hashtable] $Environment = @{})
    $name = $Name
    $trx = "$($name -replace '[^\w.-]+', '-').trx"
    $filterArguments = if ($Filter) { '--filter', ($Filter -join '&') } else { @() }
    $saved = @{}
    foreach ($key in $Environment.Keys) {
        $saved[$key] = [Environment]::GetEnvironmentVariable($key)
        [Environment]::SetEnvironmentVariable($key, $Environment[$key])
    }
    try {
        # Out-Host keeps the test run's own output out of this function's result.
        & dotnet test (Join-Path $root $Project) -c $Configuration --no-build -nologo @filterArguments `
            --logger "trx;LogFileName=$trx" --logger 'console;verbosity=normal' --results-directory $resultsRoot | Out-Host
    }
    finally {
        foreach ($key in $saved.Keys) {
            [Environment]::SetEnvironmentVariable($key, $saved[$key])
        }
    }
    $summary = ([xml](Get-Content -Raw (Join-Path $resultsRoot $trx))).TestRun.ResultSummary.Counters
    $failed = [int]$summary.failed + [int]$summary.error + [int]$summary.timeout + [int]$summary.aborted
    Write-Host "${name}: $($summary.passed) passed, $failed failed"
    [pscustomobject]@{ Suite = $name; Passed = [int]$summary.passed; Failed = $failed + [int]($LASTEXITCODE -ne 0 -and $failed -eq 0) }
}

function Invoke-PwshSuite {
    <# Runs a test script in a fresh process (so this script's strict mode and state stay out of the tests) and reads its counts file. #>
    param([string] $Name, [string] $Script, [string[]] $Arguments, [string] $CountsFile)
    Push-Location $root
    try {
        & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root $Script) @Arguments | Out-Host
        $exitCode = $LASTEXITCODE
    }
    finally {
        Pop-Location
    }
    $counts = if (Test-Path $CountsFile) { Get-Content -Raw $CountsFile | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 0 } }
    Write-Host "${Name}: $($counts.Passed) passed, $($counts.Failed) failed"
    [pscustomobject]@{ Suite = $Name; Passed = $counts.Passed; Failed = $counts.Failed + [int]($exitCode -ne 0 -and $counts.Failed -eq 0) }
}

function Invoke-NodeSuite {
    <# The official Node SDK against the local server, and the spec check of the request samples the Pester run wrote. #>
    param([string] $SamplesFolder)
    $env:HUMANLOOP_REQUEST_SAMPLES = $SamplesFolder
    $env:HUMANLOOP_SERVER_DLL = Join-Path $root "src/Humanloop.Server/bin/$Configuration/net10.0/Humanloop.Server.dll"
    try {
        & node (Join-Path $root 'tests/node/run.mjs') 2>&1 | ForEach-Object { "$_" } | Tee-Object -Variable lines | Out-Host
        $exitCode = $LASTEXITCODE
    }
    finally {
        Remove-Item Env:HUMANLOOP_REQUEST_SAMPLES, Env:HUMANLOOP_SERVER_DLL -ErrorAction Ignore
    }
    $summary = @($lines | Where-Object { $_ -match '^Node SDK: (\d+) passed, (\d+) failed$' })[-1]
    $passed, $failed = if ($summary -match '^Node SDK: (\d+) passed, (\d+) failed$') { [int]$Matches[1], [int]$Matches[2] } else { 0, 0 }
    [pscustomobject]@{ Suite = 'Node SDK'; Passed = $passed; Failed = $failed + [int]($exitCode -ne 0 -and $failed -eq 0) }
}

function Invoke-PostgresServerSuite {
    <#
    The server suite again on PostgreSQL (plus its replica and migration tests): on HUMANLOOP_TEST_DATABASE when
    set, else on a throwaway cluster that .ci/postgres.sh starts (installing PostgreSQL when missing) and stops.
    A PostgreSQL that cannot be had is a failed suite, not a skipped one.
    #>
    $name = 'Humanloop.Server.Tests (PostgreSQL)'
    $started = $null
    $previous = $env:HUMANLOOP_TEST_DATABASE
    try {
        if (-not $env:HUMANLOOP_TEST_DATABASE) {
            $lines = @(& bash (Join-Path $root '.ci/postgres.sh') start)
            if ($LASTEXITCODE -ne 0 -or $lines.Count -lt 2) {
                Write-Host "${name}: 0 passed, 1 failed (PostgreSQL could not be started)"
                return [pscustomobject]@{ Suite = $name; Passed = 0; Failed = 1 }
            }
            $env:HUMANLOOP_TEST_DATABASE, $started = $lines[0], $lines[1]
        }
        Invoke-XunitSuite 'tests/Humanloop.Server.Tests' -Name $name
    }
    finally {
        $env:HUMANLOOP_TEST_DATABASE = $previous
        if ($started) {
            & bash (Join-Path $root '.ci/postgres.sh') stop $started | Out-Host
        }
    }
}

function Invoke-Test {
    Invoke-Build
    New-Item -ItemType Directory -Path $resultsRoot -Force | Out-Null
    Get-ChildItem $resultsRoot -Recurse -File | Remove-Item -Force
    # The Pester run writes the generation requests it sends here; the Node suite checks them against the spec.
    $samples = Join-Path $resultsRoot 'request-samples'
    New-Item -ItemType Directory -Path $samples -Force | Out-Null
    $env:HUMANLOOP_REQUEST_SAMPLES = $samples
    $pester = Get-PesterModulePath
    $results = @(
        Invoke-XunitSuite 'tests/Humanloop.Core.Tests'
        # SQLite; the PostgreSQL-only tests run in the next suite.
        Invoke-XunitSuite 'tests/Humanloop.Server.Tests' -Filter 'Engine!=PostgreSql' -Environment @{ HUMANLOOP_TEST_DATABASE = $null }
        Invoke-PostgresServerSuite
        Invoke-PwshSuite -Name Pester -Script 'tests/pester/Invoke-PesterSuite.ps1' -CountsFile (Join-Path $resultsRoot 'pester.xml.counts.json') `
            -Arguments '-PesterPath', $pester, '-ResultPath', (Join-Path $resultsRoot 'pester.xml'), '-Configuration', $Configuration
        # The shipped example as a user's CI runs it: Replay mode, without a key or a server.
        Invoke-PwshSuite -Name 'Regression example' -Script 'examples/regression/Invoke-Regression.ps1' -CountsFile (Join-Path $resultsRoot 'regression-example.counts.json') `
            -Arguments '-Mode', 'Replay', '-PesterPath', $pester, '-CountsPath', (Join-Path $resultsRoot 'regression-example.counts.json')
        # The evaluation example as its CI job runs it: against a local server it starts, offline.
        Invoke-PwshSuite -Name 'Evaluation example' -Script 'examples/evaluation/Invoke-Evaluation.ps1' -CountsFile (Join-Path $resultsRoot 'evaluation-example.counts.json') `
            -Arguments '-ServerPath', $serverDll, '-PesterPath', $pester, '-CountsPath', (Join-Path $resultsRoot 'evaluation-example.counts.json')
        Invoke-NodeSuite -SamplesFolder $samples
        # The benchmarks in their quick form: proof that they still run; their numbers are not judged here.
        Invoke-PwshSuite -Name 'Benchmarks (quick)' -Script 'bench/Invoke-Benchmarks.ps1' -CountsFile (Join-Path $resultsRoot 'benchmarks.counts.json') `
            -Arguments '-Quick', '-Configuration', $Configuration, '-CountsPath', (Join-Path $resultsRoot 'benchmarks.counts.json')
    )
    Write-Host ''
    foreach ($result in $results) {
        Write-Host "$($result.Suite): $($result.Passed) passed, $($result.Failed) failed"
    }
    if (($results | Measure-Object -Property Failed -Sum).Sum -gt 0) {
        throw 'Some tests failed.'
    }
}

function Invoke-PesterPath {
    Get-PesterModulePath
}

function Invoke-Serve {
    Invoke-Dotnet build (Join-Path $root 'src/Humanloop.Server') -c $Configuration "-p:Version=$version" -nologo --verbosity minimal
    & dotnet $serverDll --urls $Urls $(if ($InMemory) { '--in-memory' })
}

function Invoke-Demo {
    Invoke-Build
    & (Join-Path $root 'examples/Start-LocalServerDemo.ps1') -ServerPath $serverDll -ModulePath (Join-Path $outputRoot 'Humanloop')
    if ($LASTEXITCODE -ne 0) {
        throw "The demo failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Bench {
    & (Join-Path $root 'bench/Invoke-Benchmarks.ps1') -Configuration $Configuration
}

function Invoke-Package {
    <#
    Writes output/packages/: Humanloop.<version>.nupkg, the module as PSResourceGet publishes it (install it with
    Install-PSResource from that folder registered as a repository), and humanloop-server.<version>.nupkg, the
    local server as a .NET tool (dotnet tool install --add-source output/packages humanloop-server).
    #>
    Invoke-Build
    $packages = Join-Path $outputRoot 'packages'
    New-Item -ItemType Directory -Path $packages -Force | Out-Null
    foreach ($old in Get-ChildItem $packages -Filter '*.nupkg' | Where-Object Name -Match '^(Humanloop|humanloop-server)\.\d') {
        Remove-Item $old.FullName -Force
    }

    # Publish-PSResource writes to a repository: a folder registered for this call only, under a name no user picks.
    Import-Module Microsoft.PowerShell.PSResourceGet -ErrorAction Stop
    $repository = "HumanloopPSBuild$PID"
    Register-PSResourceRepository -Name $repository -Uri $packages -Trusted
    try {
        Publish-PSResource -Path $moduleRoot -Repository $repository -SkipDependenciesCheck
    }
    finally {
        Unregister-PSResourceRepository -Name $repository
    }

    Invoke-Dotnet pack (Join-Path $root 'src/Humanloop.Server/Humanloop.Server.csproj') -c $Configuration "-p:Version=$version" -o $packages -nologo --verbosity minimal
    Get-ChildItem $packages -Filter '*.nupkg' | ForEach-Object { Write-Host "Packaged $($_.FullName)" }
}

function Invoke-Clean {
    Invoke-Dotnet clean (Join-Path $root 'HumanloopPS.sln') -c $Configuration -nologo --verbosity quiet
    if (Test-Path $outputRoot) {
        Remove-Item $outputRoot -Recurse -Force
    }
}

foreach ($name in $Task) {
    & "Invoke-$name"
}
