using System.Collections.Generic;
using System.Management.Automation;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// The one reading of -NoSave and the older -Save that cmdlets writing logs take. The API stores a log's
/// payloads unless the request says <c>save: false</c>, so the switch is the exception: -NoSave. -Save stays
/// accepted, hidden, for scripts that used it: -Save:$false means -NoSave, -Save asks for the default out loud.
/// </summary>
internal static class PayloadStorage
{
    /// <summary>The parameter that asks the server not to store payloads.</summary>
    public const string NoSaveParameter = "NoSave";

    /// <summary>The older parameter, kept so that -Save:$false keeps working.</summary>
    public const string SaveParameter = "Save";

    /// <summary>
    /// The request's <c>save</c> field: false for -NoSave or -Save:$false, true for -Save, null (the server's
    /// default, which stores) when neither was given. Conflicts are rejected before (see <see cref="Conflict"/>).
    /// </summary>
    public static bool? Save(IDictionary<string, object> bound, SwitchParameter noSave, SwitchParameter save)
    {
        if (noSave.IsPresent)
        {
            return false;
        }

        return bound.ContainsKey(SaveParameter) ? save.IsPresent : null;
    }

    /// <summary>
    /// What is wrong when both were given and say opposite things (-NoSave with -Save); null when nothing is.
    /// </summary>
    public static string? Conflict(IDictionary<string, object> bound, SwitchParameter noSave, SwitchParameter save) =>
        noSave.IsPresent && bound.ContainsKey(SaveParameter) && save.IsPresent
            ? "Use -NoSave or -Save, not both: -NoSave asks the server not to store the payloads, -Save to store them (the default)."
            : null;
}
