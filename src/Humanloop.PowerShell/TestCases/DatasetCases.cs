using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace Humanloop.PowerShell.TestCases;

/// <summary>Turns test cases into datapoints: the one mapping between the file format and the API.</summary>
internal static class DatasetCases
{
    /// <summary>
    /// The case's inputs (as text, the only kind the API takes), messages and target; its expectations, if
    /// any, go into the target's <c>expect</c> member, which <see cref="DatasetFileWriter"/> writes back as
    /// the <c>expect</c> column. The case's name is not kept: datapoints have none.
    /// </summary>
    public static DatapointRequest ToDatapoint(TestCase testCase)
    {
        var target = new System.Collections.Specialized.OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry member in testCase.Target)
        {
            target[member.Key] = member.Value;
        }

        if (testCase.Expectations.Count > 0)
        {
            target[DatasetFileWriter.ExpectMember] = string.Join("; ", testCase.Expectations.Select(expectation => expectation.Text.Replace(";", @"\;")));
        }

        return new DatapointRequest
        {
            Inputs = ToInputs(testCase.Inputs),
            Messages = testCase.Messages.Count > 0 ? testCase.Messages.ToList() : null,
            Target = target.Count > 0 ? target : null,
        };
    }

    /// <summary>A datapoint as it is, for copying it to another dataset.</summary>
    public static DatapointRequest ToDatapoint(Datapoint datapoint) => new()
    {
        Inputs = ToInputs(datapoint.Inputs),
        Messages = datapoint.Messages.Count > 0 ? datapoint.Messages.ToList() : null,
        Target = datapoint.Target is { Count: > 0 } target ? target : null,
    };

    /// <summary>Inputs as the API takes them: names to text.</summary>
    public static Dictionary<string, string> ToInputs(IDictionary? inputs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in inputs ?? new Hashtable())
        {
            result[entry.Key.ToString()!] = DatasetFileWriter.Cell(Infrastructure.PowerShellValues.Unwrap(entry.Value));
        }

        return result;
    }
}
