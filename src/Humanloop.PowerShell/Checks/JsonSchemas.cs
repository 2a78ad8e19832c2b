using System;
using System.Collections;
using System.IO;
using System.Management.Automation;
using Humanloop.PowerShell.Checks;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.Judging;

/// <summary>The module's half of <see cref="JsonSchemaRule"/>: schemas given as PowerShell values (hashtables, files, paths).</summary>
public sealed partial class JsonSchemaRule
{
    /// <summary>
    /// Reads a schema given as JSON text, as a hashtable or PSCustomObject, as a <see cref="FileInfo"/>, or as
    /// the path of a file holding it (text that is not JSON is taken for a path).
    /// </summary>
    /// <param name="value">What was given.</param>
    /// <param name="resolvePath">Turns a PowerShell path into a file system path (relative to the current location).</param>
    /// <exception cref="UnusableSchemaException">The value is none of these, or not a JSON Schema.</exception>
    public static JsonSchemaRule From(object value, Func<string, string> resolvePath)
    {
        string text;
        switch (PowerShellValues.Unwrap(value))
        {
            case string given when LooksLikeJson(given):
                text = given;
                break;
            case string path:
                text = ReadFile(resolvePath(path), path);
                break;
            case FileInfo file:
                text = ReadFile(file.FullName, file.FullName);
                break;
            case IDictionary or PSCustomObject:
                try
                {
                    text = PlainJson.ToNode(PowerShellValues.ToJsonObject(value, "-Schema"))!.ToJsonString();
                }
                catch (ArgumentException unconvertible)
                {
                    throw new UnusableSchemaException($"is not a usable JSON schema ({unconvertible.Message})", unconvertible);
                }

                break;
            case var other:
                throw new UnusableSchemaException($"is a {other?.GetType().FullName ?? "null"}; give JSON text, a hashtable, or the path of a .json file");
        }

        return FromText(text);
    }

    private static bool LooksLikeJson(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith('{') || trimmed is "true" or "false";
    }

    private static string ReadFile(string path, string shown)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UnusableSchemaException($"is not a usable JSON schema: it is neither JSON text nor a file that can be read ({JudgedText.OneLine(unreadable.Message)}): '{shown}'", unreadable);
        }
    }
}
