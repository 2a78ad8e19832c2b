using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// The fixture a Pester test gets when Use-HumanloopRecording is given no path:
/// fixtures/&lt;Describe&gt;/&lt;Context…&gt;/&lt;It&gt;.json beside the test file (docs/recording.md states the rule).
/// </summary>
internal static class PesterFixtureName
{
    /// <summary>Longest name kept for one folder or file, so deep test names stay within file-system limits.</summary>
    public const int MaxSegmentLength = 100;

    private const string InvalidCharacters = "<>:\"/\\|?*";

    /// <summary>The fixture path for the Pester test (or block) running in <paramref name="state"/>; null outside Pester.</summary>
    public static string? Of(SessionState state)
    {
        // Pester keeps its run state in this variable, visible to the code of the test it runs.
        if (state.PSVariable.GetValue("____Pester") is not { } pester)
        {
            return null;
        }

        var test = Property(pester, "CurrentTest");
        var block = test is not null ? Property(test, "Block") : Property(pester, "CurrentBlock");
        var file = (Property(test ?? block, "ScriptBlock") as ScriptBlock)?.File;
        if (block is null || string.IsNullOrEmpty(file))
        {
            return null;
        }

        var names = new List<string>();
        for (var current = block; current is not null && !(Property(current, "IsRoot") is true); current = Property(current, "Parent"))
        {
            names.Insert(0, NameOf(current));
        }

        if (test is not null)
        {
            names.Add(NameOf(test));
        }

        if (names.Count == 0)
        {
            return null;
        }

        var segments = names.Select(Sanitize).ToList();
        segments[segments.Count - 1] += ".json";
        return Path.Combine(new[] { Path.GetDirectoryName(file)!, "fixtures" }.Concat(segments).ToArray());
    }

    /// <summary>A test or block name made safe as one file or folder name on every OS.</summary>
    public static string Sanitize(string name)
    {
        var safe = new StringBuilder(name.Length);
        foreach (var character in name)
        {
            safe.Append(char.IsControl(character) || InvalidCharacters.IndexOf(character) >= 0 ? '_' : character);
        }

        var text = safe.ToString();
        if (text.Length > MaxSegmentLength)
        {
            text = text.Substring(0, MaxSegmentLength);
        }

        text = text.Trim().TrimEnd('.');
        return text.Length == 0 ? "_" : text;
    }

    private static string NameOf(object item) => (Property(item, "ExpandedName") ?? Property(item, "Name"))?.ToString() ?? "_";

    // A PSCustomObject's properties live on its PSObject wrapper, so only other values are unwrapped.
    private static object? Property(object? item, string name) =>
        item is null ? null : PSObject.AsPSObject(item).Properties[name]?.Value switch
        {
            PSObject { BaseObject: not PSCustomObject } wrapped => wrapped.BaseObject,
            var value => value,
        };
}
