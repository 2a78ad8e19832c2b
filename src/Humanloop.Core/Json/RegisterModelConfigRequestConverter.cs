using System;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Humanloop.Json;

/// <summary>
/// Writes a <see cref="RegisterModelConfigRequest"/> the way the API wants it: the config's fields at the
/// top level, then the project fields. The config is written by its own generated serializer, so a field
/// added to a config type reaches registration without a change here.
/// </summary>
internal sealed class RegisterModelConfigRequestConverter : JsonConverter<RegisterModelConfigRequest>
{
    public override RegisterModelConfigRequest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("A register request is only ever sent, never read.");

    public override void Write(Utf8JsonWriter writer, RegisterModelConfigRequest value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        if (value.Config is not null)
        {
            ModelConfigJson.WriteFields(writer, value.Config);
        }

        WriteIfSet(writer, "project", value.Project);
        WriteIfSet(writer, "project_id", value.ProjectId);
        WriteIfSet(writer, "experiment", value.Experiment);
        writer.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
