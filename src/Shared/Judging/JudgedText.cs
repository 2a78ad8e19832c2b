using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Humanloop.Judging;

/// <summary>How judged text and numbers appear in a verdict's detail: one line, quoted, cut to a readable length.</summary>
public static partial class JudgedText
{
    /// <summary>Output is shown on one line and cut here, so a failing CI log (or an evaluation result) stays readable.</summary>
    public const int ShownOutputLength = 200;

    /// <summary>Text on one line, quoted, cut at <see cref="ShownOutputLength"/> characters; "(no output)" for none (a chat answer that only calls tools).</summary>
    /// <param name="text">The text to show; null when there is none.</param>
    public static string Output(string? text)
    {
        if (text is null)
        {
            return "(no output)";
        }

        var line = Whitespace().Replace(text, " ").Trim();
        if (line.Length > ShownOutputLength)
        {
            line = line.Substring(0, ShownOutputLength) + "…";
        }

        return $"'{line}'";
    }

    /// <summary>A value quoted for an expectation, on one line and cut like output.</summary>
    /// <param name="text">The value.</param>
    public static string Quote(string text) => Output(text);

    /// <summary>A score or measure as details show it: up to four decimals, invariant culture.</summary>
    /// <param name="value">The number.</param>
    public static string Number(double value) => Math.Round(value, 4).ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>A message on one line: runs of whitespace become one space.</summary>
    /// <param name="text">The message.</param>
    public static string OneLine(string text) => string.Join(" ", text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
