namespace Humanloop.PowerShell;

/// <summary>
/// Where Get-Help -Online goes: docs/cmdlets.md in the repository, one section per cmdlet whose anchor is the
/// cmdlet's name in lower case (as GitHub makes anchors from headings).
/// </summary>
internal static class HelpLinks
{
    /// <summary>The repository, as the manifest's ProjectUri names it.</summary>
    public const string Repository = "https://github.com/humanloopps/HumanloopPS";

    /// <summary>The cmdlet reference; each cmdlet's HelpUri adds its own anchor.</summary>
    public const string Cmdlets = Repository + "/blob/main/docs/cmdlets.md";
}
