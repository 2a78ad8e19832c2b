using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// The tools of a chat: what the model is told (name, description, JSON Schema of the arguments), and,
/// for tools given as PowerShell commands, the command that runs a call. Only those commands can ever run.
/// </summary>
internal sealed class ChatTools
{
    private readonly Dictionary<string, CommandInfo> _commands = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<ToolDefinition> _definitions = [];

    /// <summary>The tools as the API describes them.</summary>
    public IReadOnlyList<ToolDefinition> Definitions => _definitions;

    /// <summary>
    /// Reads -Tools: hashtables (name, description, parameters), Humanloop.ToolDefinition objects, or
    /// commands (Get-Command output, or a command name), whose schema comes from their parameters.
    /// </summary>
    /// <param name="values">What was given.</param>
    /// <param name="help">Looks up a command's help (Get-Help), or null when it has none.</param>
    /// <exception cref="ArgumentException">A value is none of these, or two tools share a name.</exception>
    public static ChatTools From(IEnumerable<object?> values, Func<CommandInfo, PSObject?> help)
    {
        var tools = new ChatTools();
        var position = 0;
        foreach (var value in values)
        {
            var path = $"-Tools[{position++}]";
            var definition = PowerShellValues.Unwrap(value) switch
            {
                null => throw new ArgumentException($"{path} is null; a tool is a command (Get-Command), a hashtable with name, description and parameters, or a Humanloop.ToolDefinition."),
                ToolDefinition typed => typed,
                CommandInfo command => tools.Add(command, help(command)),
                IDictionary or PSCustomObject => FromFields(PowerShellValues.ToJsonObject(value!, path), path),
                _ => throw new ArgumentException($"{path} is a {value!.GetType().FullName}; a tool is a command (Get-Command), a hashtable with name, description and parameters, or a Humanloop.ToolDefinition."),
            };
            if (tools._definitions.Any(known => string.Equals(known.Name, definition.Name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ArgumentException($"{path} is named '{definition.Name}' like an earlier tool; tool names must differ.");
            }

            tools._definitions.Add(definition);
        }

        return tools;
    }

    /// <summary>The names of the tools that can run here, for messages.</summary>
    public string RunnableNames => _commands.Count == 0 ? "(none)" : string.Join(", ", _commands.Keys);

    /// <summary>The command that runs calls to <paramref name="name"/>, if the tool was given as a command.</summary>
    public CommandInfo? CommandFor(string? name) => name is not null && _commands.TryGetValue(name, out var command) ? command : null;

    private ToolDefinition Add(CommandInfo command, PSObject? help)
    {
        _commands[command.Name] = command;
        return Describe(command, help);
    }

    private static ToolDefinition FromFields(OrderedDictionary fields, string path)
    {
        foreach (DictionaryEntry entry in fields)
        {
            if ((entry.Key as string)?.ToLowerInvariant() is not ("name" or "description" or "parameters"))
            {
                throw new ArgumentException($"{path} has the key '{entry.Key}'; a tool hashtable has name, description and parameters (a JSON Schema).");
            }
        }

        var name = fields["name"] as string;
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException($"{path} has no name.");
        }

        return new ToolDefinition
        {
            Name = name,
            Description = fields["description"] as string,
            Parameters = fields["parameters"] as IDictionary ?? EmptySchema(),
        };
    }

    /// <summary>The tool a command makes: its parameters as a JSON Schema, its help as descriptions.</summary>
    internal static ToolDefinition Describe(CommandInfo command, PSObject? help)
    {
        var properties = new OrderedDictionary();
        var required = new List<string>();
        foreach (var parameter in OwnParameters(command))
        {
            var schema = SchemaFor(parameter.ParameterType);
            var validValues = parameter.Attributes.OfType<ValidateSetAttribute>().SelectMany(set => set.ValidValues).ToList();
            if (validValues.Count > 0)
            {
                schema["enum"] = validValues.ToArray();
            }

            var description = parameter.Attributes.OfType<ParameterAttribute>().Select(attribute => attribute.HelpMessage).FirstOrDefault(text => !string.IsNullOrWhiteSpace(text))
                ?? HelpText(help, parameter.Name);
            if (description is not null)
            {
                schema["description"] = description;
            }

            properties[parameter.Name] = schema;
            if (IsMandatory(parameter))
            {
                required.Add(parameter.Name);
            }
        }

        var parameters = EmptySchema();
        parameters["properties"] = properties;
        if (required.Count > 0)
        {
            parameters["required"] = required.ToArray();
        }

        var synopsis = Text(help?.Properties["Synopsis"]?.Value);
        return new ToolDefinition
        {
            Name = command.Name,

            // Get-Help answers a command without help with its syntax line, which tells the model nothing.
            Description = synopsis is null || synopsis.StartsWith(command.Name, StringComparison.OrdinalIgnoreCase) ? null : synopsis,
            Parameters = parameters,
        };
    }

    /// <summary>The parameters a call may bind: the command's own, not the common ones every cmdlet has.</summary>
    internal static IEnumerable<ParameterMetadata> OwnParameters(CommandInfo command) =>
        command.Parameters.Values.Where(parameter =>
            !Cmdlet.CommonParameters.Contains(parameter.Name) && !Cmdlet.OptionalCommonParameters.Contains(parameter.Name));

    private static bool IsMandatory(ParameterMetadata parameter) =>
        parameter.ParameterSets.Count > 0 && parameter.ParameterSets.Values.All(set => set.IsMandatory);

    private static OrderedDictionary EmptySchema() => new() { ["type"] = "object" };

    private static OrderedDictionary SchemaFor(Type type)
    {
        var schema = new OrderedDictionary();
        var element = type.IsArray ? type.GetElementType() : null;
        if (element is not null)
        {
            schema["type"] = "array";
            schema["items"] = SchemaFor(element);
            return schema;
        }

        var plain = Nullable.GetUnderlyingType(type) ?? type;
        if (plain.IsEnum)
        {
            schema["type"] = "string";
            schema["enum"] = Enum.GetNames(plain);
            return schema;
        }

        schema["type"] = plain == typeof(bool) || plain == typeof(SwitchParameter) ? "boolean"
            : plain == typeof(int) || plain == typeof(long) || plain == typeof(short) || plain == typeof(byte) || plain == typeof(uint) || plain == typeof(ulong) ? "integer"
            : plain == typeof(double) || plain == typeof(float) || plain == typeof(decimal) ? "number"
            : typeof(IDictionary).IsAssignableFrom(plain) ? "object"
            : "string";
        return schema;
    }

    private static string? HelpText(PSObject? help, string parameterName)
    {
        var parameters = (help?.Properties["parameters"]?.Value as PSObject)?.Properties["parameter"]?.Value;
        foreach (var entry in LanguagePrimitives.GetEnumerable(parameters) ?? Array.Empty<object>())
        {
            var parameter = PSObject.AsPSObject(entry);
            if (string.Equals(Text(parameter.Properties["name"]?.Value), parameterName, StringComparison.OrdinalIgnoreCase))
            {
                var parts = LanguagePrimitives.GetEnumerable(parameter.Properties["description"]?.Value) ?? Array.Empty<object>();
                var text = string.Join(" ", parts.Cast<object>().Select(part => Text(PSObject.AsPSObject(part).Properties["Text"]?.Value)).Where(line => line is not null));
                return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
            }
        }

        return null;
    }

    private static string? Text(object? value)
    {
        var text = PowerShellValues.Unwrap(value)?.ToString()?.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    /// <summary>
    /// The arguments of a call as parameters of <paramref name="command"/>; null with a reason when they
    /// are not a JSON object or name a parameter the command does not have.
    /// </summary>
    public static Dictionary<string, object?>? BindArguments(CommandInfo command, string? arguments, out string? problem)
    {
        problem = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments!);
        }
        catch (JsonException exception)
        {
            problem = $"the arguments are not JSON ({exception.Message})";
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = "the arguments are not a JSON object";
                return null;
            }

            var known = OwnParameters(command).ToDictionary(parameter => parameter.Name, StringComparer.OrdinalIgnoreCase);
            var bound = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                // Exact names only: PowerShell's prefix matching would let a model reach a parameter it was never shown.
                if (!known.TryGetValue(property.Name, out var parameter))
                {
                    problem = $"{command.Name} has no parameter '{property.Name}' (it takes {string.Join(", ", known.Keys)})";
                    return null;
                }

                bound[parameter.Name] = PowerShellValues.FromJson(property.Value);
            }

            var missing = OwnParameters(command).Where(parameter => IsMandatory(parameter) && !bound.ContainsKey(parameter.Name)).Select(parameter => parameter.Name).ToList();
            if (missing.Count > 0)
            {
                problem = $"{command.Name} needs {string.Join(", ", missing)}";
                return null;
            }

            return bound;
        }
    }
}
