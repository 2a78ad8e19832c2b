using System.Management.Automation;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// What happens when the module is imported, beyond PowerShell finding its cmdlets: only the Pester
/// operators' registration, and only when Pester is already loaded. Keep this short: every import pays for it.
/// </summary>
public sealed class ModuleImport : IModuleAssemblyInitializer
{
    /// <inheritdoc />
    public void OnImport() => ShouldOperators.RegisterIfPesterLoaded();
}
