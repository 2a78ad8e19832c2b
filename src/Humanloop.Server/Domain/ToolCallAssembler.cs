using System.Text;

namespace Humanloop.Server.Domain;

/// <summary>
/// Joins streamed tool-call deltas into whole calls: every delta of a call carries its id, and
/// their argument fragments concatenate. Calls keep the order in which they first appeared.
/// </summary>
internal sealed class ToolCallAssembler
{
    private readonly List<(string Id, string Name, StringBuilder Arguments)> _calls = new();

    public void Add(IEnumerable<ToolCall> deltas)
    {
        foreach (var delta in deltas)
        {
            var at = _calls.FindIndex(c => c.Id == delta.Id);
            if (at < 0)
            {
                _calls.Add((delta.Id, delta.Function.Name, new StringBuilder(delta.Function.Arguments)));
            }
            else
            {
                _calls[at].Arguments.Append(delta.Function.Arguments);
            }
        }
    }

    public IReadOnlyList<ToolCall> Calls => _calls.Select(c => ToolCall.Of(c.Id, c.Name, c.Arguments.ToString())).ToList();
}
