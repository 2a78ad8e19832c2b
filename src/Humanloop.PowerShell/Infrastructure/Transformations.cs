using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Security;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// Lets <c>-ApiKey</c> take a SecureString, a PSCredential (its password) or a plain string, which is
/// turned into a SecureString at once so the clear text is not kept around.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ApiKeyTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = PowerShellValues.Unwrap(inputData);
        switch (value)
        {
            case null:
                return null;
            case SecureString secure:
                return secure;
            case PSCredential credential:
                return credential.Password;
            case string text when text.Trim().Length > 0:
                var converted = new SecureString();
                foreach (var character in text.Trim())
                {
                    converted.AppendChar(character);
                }

                converted.MakeReadOnly();
                return converted;
            case string:
                throw new ArgumentTransformationMetadataException("The API key is empty.");
            default:
                throw new ArgumentTransformationMetadataException(
                    $"-ApiKey takes a SecureString, a PSCredential or a string, not a {value.GetType().FullName}.");
        }
    }
}

/// <summary>
/// Lets <c>-ModelConfig</c> take a typed config (Humanloop.ModelConfigCompletionRequest, or the chat one
/// when the attribute names it), or a hashtable or object keyed by the API's field names (max_tokens,
/// prompt_template, chat_template, …).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ModelConfigTransformationAttribute(Type configType) : ArgumentTransformationAttribute
{
    /// <summary>Converts to a completion config.</summary>
    public ModelConfigTransformationAttribute()
        : this(typeof(ModelConfigCompletionRequest))
    {
    }

    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = PowerShellValues.Unwrap(inputData);
        if (value is null || configType.IsInstanceOfType(value))
        {
            return value;
        }

        // Several configs, for parameters that take an array of them: each is read on its own.
        if (value is IList list and not IDictionary)
        {
            return list.Cast<object?>().Select(item => Transform(engineIntrinsics, item)).ToArray();
        }

        try
        {
            var fields = PowerShellValues.ToJsonObject(inputData!, "-ModelConfig");
            // A config of either kind is a chat config when it says so through a chat-only field.
            var chat = configType == typeof(ModelConfigChatRequest)
                || (configType == typeof(ModelConfigRequest) && (fields.Contains("chat_template") || fields.Contains("tools") || "chat".Equals(fields["endpoint"])));
            return chat
                ? Json.ModelConfigReader.Read<ModelConfigChatRequest>(fields)
                : Json.ModelConfigReader.Read<ModelConfigCompletionRequest>(fields);
        }
        catch (Exception exception) when (exception is ArgumentException or HumanloopInputException)
        {
            throw new ArgumentTransformationMetadataException(exception.Message, exception);
        }
    }
}

/// <summary>
/// Lets a duration parameter take a number of seconds (<c>-MaxLatency 2.5</c>) as well as a TimeSpan or
/// TimeSpan text; PowerShell alone would read a bare number as ticks.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecondsTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => PowerShellValues.Unwrap(inputData) switch
    {
        int or long or double or float or decimal or short or byte => TimeSpan.FromSeconds(Convert.ToDouble(PowerShellValues.Unwrap(inputData), System.Globalization.CultureInfo.InvariantCulture)),
        var other => other,
    };
}
