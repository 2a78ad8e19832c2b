using System;

namespace Humanloop.PowerShell.Checks;

/// <summary>A value given to a check is not something the check can read; the operator names it in its message.</summary>
public sealed class UncheckableValueException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="value"/>.</summary>
    /// <param name="value">The offending value, unwrapped; may be null.</param>
    public UncheckableValueException(object? value)
        : base($"A {value?.GetType().FullName ?? "null value"} cannot be checked.")
    {
        Value = value;
    }

    /// <summary>The value that cannot be checked.</summary>
    public object? Value { get; }
}
