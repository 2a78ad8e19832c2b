using System;
using System.Security;
using Humanloop.Internal;

namespace Humanloop;

/// <summary>
/// An API key that never shows itself: <see cref="ToString"/> and every diagnostic print a masked form.
/// The clear text leaves this object only for the <c>X-API-KEY</c> header.
/// </summary>
public sealed class HumanloopApiKey
{
    private readonly string _value;
    private string? _fingerprint;

    /// <summary>Wraps a key given as plain text.</summary>
    /// <exception cref="ArgumentException">The key is empty or contains characters a header cannot carry.</exception>
    public HumanloopApiKey(string value)
    {
        if (FindProblem(value) is { } problem)
        {
            throw new ArgumentException("The API key " + problem, nameof(value));
        }

        _value = value.Trim();
    }

    /// <summary>Wraps a key given as a secure string.</summary>
    public static HumanloopApiKey FromSecureString(SecureString value) => new(SecretText.FromSecureString(value));

    /// <summary>A short SHA-256 digest of the key: tells keys apart (to key a cache by) without revealing them.</summary>
    public string Fingerprint => _fingerprint ??= System.Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(_value)), 0, 8);

    /// <summary>The key with all but its last four characters hidden (all hidden when it is short).</summary>
    public string Masked => _value.Length >= 16 ? "****" + _value.Substring(_value.Length - 4) : "****";

    /// <summary>What makes <paramref name="value"/> unusable as a key, as a predicate ("is empty."); null when it is usable.</summary>
    internal static string? FindProblem(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "is empty.";
        }

        foreach (var character in value!)
        {
            if (character < 0x20 || character > 0x7e)
            {
                return "contains a control or non-ASCII character, which an HTTP header cannot carry. Check for a stray newline or quote.";
            }
        }

        return null;
    }

    /// <summary>The clear text, for the request header only.</summary>
    internal string Reveal() => _value;

    /// <summary>
    /// <paramref name="text"/> with every occurrence of this key replaced by its masked form, for text that
    /// is about to be shown (an error message, a server's echo); the text itself when the key is not in it.
    /// </summary>
    public string Scrub(string text) =>
        text is null ? throw new ArgumentNullException(nameof(text)) : IsContainedIn(text) ? text.Replace(_value, Masked) : text;

    /// <summary>True when <paramref name="text"/> contains this key, for scrubbing text before it is shown.</summary>
    internal bool IsContainedIn(string? text) => text is not null && text.IndexOf(_value, StringComparison.Ordinal) >= 0;

    /// <inheritdoc />
    public override string ToString() => Masked;
}
