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
/// when the attribute names it), a stored one (Humanloop.ModelConfig, Humanloop.ProjectModelConfig), or a
/// hashtable or object keyed by the API's field names (max_tokens, prompt_template, chat_template, …).
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
            return ModelConfigValues.ToRequest(inputData!, configType, "-ModelConfig");
        }
        catch (Exception exception) when (exception is ArgumentException or HumanloopInputException)
        {
            throw new ArgumentTransformationMetadataException(exception.Message, exception);
        }
    }
}

/// <summary>Turns the configs users hold into config requests.</summary>
internal static class ModelConfigValues
{
    /// <summary>
    /// <paramref name="value"/> as a config of <paramref name="configType"/> (or either kind, for
    /// <see cref="ModelConfigRequest"/>): a typed config as it is; a stored config as the request that makes
    /// it again; fields keyed by the API's names read strictly, as a chat config when a chat-only field
    /// (chat_template, tools, endpoint chat) says so.
    /// </summary>
    /// <exception cref="ArgumentException">The value is no config, or a config of the other kind.</exception>
    /// <exception cref="HumanloopInputException">A field is unknown or has the wrong type.</exception>
    public static ModelConfigRequest ToRequest(object value, Type configType, string path)
    {
        var config = PowerShellValues.Unwrap(value) switch
        {
            ModelConfigRequest request => request,
            ModelConfig stored => stored.ToRequest(),
            ProjectModelConfig { Config: { } stored } => stored.ToRequest(),
            _ => FromFields(PowerShellValues.ToJsonObject(value, path), configType),
        };
        if (!configType.IsInstanceOfType(config))
        {
            var kind = config is ModelConfigChatRequest ? "chat" : "completion";
            throw new ArgumentException($"{path} is a {kind} config (see its chat_template and tools), which this command does not take.");
        }

        return config;
    }

    private static ModelConfigRequest FromFields(IDictionary fields, Type configType)
    {
        // A config of either kind is a chat config when it says so through a chat-only field.
        var chat = configType == typeof(ModelConfigChatRequest)
            || (configType == typeof(ModelConfigRequest) && (fields.Contains("chat_template") || fields.Contains("tools") || "chat".Equals(fields["endpoint"])));
        return chat
            ? Json.ModelConfigReader.Read<ModelConfigChatRequest>(fields)
            : Json.ModelConfigReader.Read<ModelConfigCompletionRequest>(fields);
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
