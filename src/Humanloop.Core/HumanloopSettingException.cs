using System;

namespace Humanloop;

/// <summary>
/// A setting holds a value that cannot be used, or a needed one is missing. The properties say which
/// setting, where its value came from, the value (never a key's) and what is wrong, so a host can word
/// the error in its own terms (a parameter name, a configuration key).
/// </summary>
public sealed class HumanloopSettingException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="setting">The setting that is wrong.</param>
    /// <param name="source">Where its value came from.</param>
    /// <param name="value">The value as given, for the message; null for secrets and for missing values.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="reason">What is wrong, as a predicate: "must be a whole number from 0 to 10."</param>
    /// <param name="innerException">The failure behind it, if any.</param>
    public HumanloopSettingException(HumanloopSettingName setting, SettingSource source, string? value, HumanloopSettingProblem problem, string reason, Exception? innerException = null)
        : base(BuildMessage(setting, source, value, reason), setting.ToString(), innerException)
    {
        Setting = setting;
        ValueSource = source;
        Value = value;
        Problem = problem;
        Reason = reason;
    }

    /// <summary>The setting that is wrong.</summary>
    public HumanloopSettingName Setting { get; }

    /// <summary>Where its value came from (<see cref="SettingSource.Default"/> when nothing gave one).</summary>
    public SettingSource ValueSource { get; }

    /// <summary>The value as given; null for a key and for a missing value.</summary>
    public string? Value { get; }

    /// <summary>What is wrong.</summary>
    public HumanloopSettingProblem Problem { get; }

    /// <summary>What is wrong, as a predicate without the setting's name: "must be a whole number from 0 to 10."</summary>
    public string Reason { get; }

    /// <summary>The environment variable the value was read from; null when it came from elsewhere.</summary>
    public string? EnvironmentVariable => ValueSource == SettingSource.Environment ? HumanloopSettings.EnvironmentVariableOf(Setting) : null;

    /// <inheritdoc />
    /// <remarks>Without ArgumentException's "(Parameter '…')" suffix: <see cref="ArgumentException.ParamName"/> carries it.</remarks>
    public override string Message => BuildMessage(Setting, ValueSource, Value, Reason);

    private static string BuildMessage(HumanloopSettingName setting, SettingSource source, string? value, string reason)
    {
        var origin = source switch
        {
            SettingSource.Environment when HumanloopSettings.EnvironmentVariableOf(setting) is { } variable => $"The {variable} environment variable",
            SettingSource.Default => $"The {setting} setting",
            _ => $"The {setting} setting ({source})",
        };
        return value is null ? $"{origin} {reason}" : $"{origin} holds '{value}'; it {reason}";
    }
}
