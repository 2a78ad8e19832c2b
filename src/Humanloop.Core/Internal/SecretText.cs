using System;
using System.Runtime.InteropServices;
using System.Security;

namespace Humanloop.Internal;

/// <summary>Reads a SecureString's clear text, releasing the unmanaged copy at once.</summary>
internal static class SecretText
{
    public static string FromSecureString(SecureString value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        var pointer = Marshal.SecureStringToGlobalAllocUnicode(value);
        try
        {
            return Marshal.PtrToStringUni(pointer) ?? string.Empty;
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}
