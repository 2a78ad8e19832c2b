# docs/api-coverage.md against the 2024-07-12 OpenAPI snapshot and the module: every operation of the spec has
# a row, every row is an operation of the spec, and every cmdlet a row names is one the module exports.

BeforeDiscovery {
    . $PSScriptRoot/common.ps1

    function Get-SpecOperation {
        <#
        The spec's operations as 'METHOD /path'. The snapshot is YAML; its paths section is regular (a path key
        indented two spaces, its methods four), which is all that is read here, so no YAML parser is needed.
        #>
        param([Parameter(Mandatory)] [string] $Path)
        $inPaths = $false
        $current = $null
        foreach ($line in [System.IO.File]::ReadLines($Path)) {
            if ($line -match '^\S') {
                $inPaths = $line -eq 'paths:'
                continue
            }
            if (-not $inPaths) { continue }
            if ($line -match '^  (?<path>/\S*):\s*$') {
                $current = $Matches.path.Trim("'", '"')
            }
            elseif ($current -and $line -match '^    (?<method>get|put|post|patch|delete|head|options|trace):\s*$') {
                "$($Matches.method.ToUpperInvariant()) $current"
            }
        }
    }

    # The same source as the Node suite (tests/node/lib/spec.mjs): the shared spec folder beside the repository.
    $script:specPath = if ($env:HUMANLOOP_SPEC_PATH) { $env:HUMANLOOP_SPEC_PATH } else { Join-Path $RepoRoot '../shared/spec/humanloop-v4-openapi.2024-07-12.d40b5e7.yml' }
    $script:operations = @(if (Test-Path -LiteralPath $specPath) { Get-SpecOperation -Path $specPath })

    $script:rows = foreach ($line in Get-Content -LiteralPath (Join-Path $RepoRoot 'docs/api-coverage.md')) {
        if ($line -match '^\|\s*`(?<operation>[A-Z]+ /[^`]*)`\s*\|(?<cmdlets>[^|]*)\|') {
            @{ Operation = $Matches.operation; Cmdlets = @([regex]::Matches($Matches.cmdlets, '\b[A-Z][A-Za-z]+-Humanloop\w+\b') | ForEach-Object Value) }
        }
    }
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-HumanloopModule
    $script:exported = @(Get-Command -Module Humanloop -CommandType Cmdlet).Name
}

Describe 'docs/api-coverage.md' {
    It 'finds the spec' {
        Test-Path -LiteralPath $specPath | Should -BeTrue -Because 'the spec is read from $env:HUMANLOOP_SPEC_PATH or ../shared/spec beside the repository'
        $operations.Count | Should -BeGreaterThan 60
    }

    It 'has exactly one row per operation of the spec' {
        $documented = @($rows | ForEach-Object { $_.Operation })

        @($operations | Where-Object { $_ -notin $documented }) | Should -BeNullOrEmpty -Because 'every operation needs a row naming its cmdlets'
        @($documented | Where-Object { $_ -notin $operations }) | Should -BeNullOrEmpty -Because 'a row must name an operation of the spec, as the spec writes its path'
        @($documented | Group-Object | Where-Object Count -GT 1 | ForEach-Object Name) | Should -BeNullOrEmpty
    }

    It '<Operation>: names cmdlets the module exports' -ForEach $rows {
        $Cmdlets | Should -Not -BeNullOrEmpty -Because 'the row must name at least one cmdlet'
        foreach ($name in $Cmdlets) {
            $name | Should -BeIn $exported -Because "the row names $name, which the module must export"
        }
    }
}
