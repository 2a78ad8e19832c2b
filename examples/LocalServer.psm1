<#
    Starts and stops the local Humanloop server from scripts, and any other .NET program that says on
    its standard output when it is ready. Used by the quick start, the regression fixture updater, the
    Pester suite and the benchmarks, so that there is one way to do it.
#>

function Start-ReadyProcess {
    <#
    .SYNOPSIS
        Starts `dotnet <DllPath> <Argument…>` (or `<CommandPath> <Argument…>`, such as an installed .NET tool) and
        waits for the output line that starts with -ReadyPrefix.
    .OUTPUTS
        An object with Process, Uri (the rest of the ready line, without a trailing slash) and Output
        (what the program printed up to then).
    #>
    [CmdletBinding(DefaultParameterSetName = 'Dll')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Dll')] [string] $DllPath,
        [Parameter(Mandatory, ParameterSetName = 'Command')] [string] $CommandPath,
        [Parameter(Mandatory)] [string] $ReadyPrefix,
        [string[]] $Argument = @(),
        [hashtable] $Environment = @{},
        [int] $TimeoutSec = 60
    )
    if ($CommandPath) {
        $DllPath = $CommandPath
        $start = [System.Diagnostics.ProcessStartInfo]::new($CommandPath)
    }
    elseif (-not (Test-Path $DllPath)) {
        throw "$DllPath is missing; run dotnet pwsh ./build.ps1 -Task Build first."
    }
    else {
        $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        $start.ArgumentList.Add((Resolve-Path $DllPath).Path)
    }
    foreach ($item in $Argument) {
        $start.ArgumentList.Add($item)
    }
    foreach ($name in $Environment.Keys) {
        $start.Environment[$name] = $Environment[$name]
    }
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($start)
    $errors = $process.StandardError.ReadToEndAsync()
    $seen = [System.Text.StringBuilder]::new()
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSec)
    while ([datetime]::UtcNow -lt $deadline) {
        $line = $process.StandardOutput.ReadLineAsync()
        if (-not $line.Wait([math]::Max(1, ($deadline - [datetime]::UtcNow).TotalMilliseconds)) -or $null -eq $line.Result) {
            break
        }
        [void]$seen.AppendLine($line.Result)
        if ($line.Result.StartsWith($ReadyPrefix)) {
            # Keep reading, so that a chatty program never blocks on a full pipe.
            $null = $process.StandardOutput.BaseStream.CopyToAsync([System.IO.Stream]::Null)
            return [pscustomobject]@{
                Process = $process
                Uri     = $line.Result.Substring($ReadyPrefix.Length).Trim().TrimEnd('/')
                Output  = $seen.ToString()
            }
        }
    }
    Stop-ReadyProcess ([pscustomobject]@{ Process = $process })
    throw "$(Split-Path $DllPath -Leaf) did not report ready within $TimeoutSec s.`nOutput:`n$seen`nErrors:`n$($errors.Result)"
}

function Stop-ReadyProcess {
    <# .SYNOPSIS Stops what Start-ReadyProcess started (and its children); does nothing when it already ended. #>
    param([Parameter(ValueFromPipeline)] $Server)
    process {
        if ($Server -and -not $Server.Process.HasExited) {
            $Server.Process.Kill($true)
            $null = $Server.Process.WaitForExit(10000)
        }
    }
}

function Start-LocalHumanloopServer {
    <#
    .SYNOPSIS
        Starts the built local server on a free loopback port, in memory, accepting one API key.
    .OUTPUTS
        As Start-ReadyProcess; Uri is the API root, ending in /v4.
    .EXAMPLE
        $server = Start-LocalHumanloopServer -ServerPath ./src/Humanloop.Server/bin/Release/net10.0/Humanloop.Server.dll -ApiKey $key -Argument '--enable-faults'
    #>
    param(
        [Parameter(Mandatory)] [string] $ServerPath,
        [Parameter(Mandatory)] [string] $ApiKey,
        [string[]] $Argument = @(),
        [hashtable] $Environment = @{},
        [int] $TimeoutSec = 60
    )
    Start-ReadyProcess -DllPath $ServerPath -ReadyPrefix 'Humanloop server ready: ' -TimeoutSec $TimeoutSec `
        -Argument (@('--urls', 'http://127.0.0.1:0', '--in-memory') + $Argument) `
        -Environment (@{ HUMANLOOP_SERVER_API_KEYS = $ApiKey } + $Environment)
}

Export-ModuleMember -Function Start-ReadyProcess, Stop-ReadyProcess, Start-LocalHumanloopServer
