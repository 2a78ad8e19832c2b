using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>Turns what PowerShell users pass as chat messages into the API's messages.</summary>
internal static class ChatValues
{
    /// <summary>
    /// Each value as a message: a string is one user message; a hashtable (or object) names role, content
    /// and optionally name, tool_call_id and tool_calls; a Humanloop.ChatMessage is taken as it is.
    /// </summary>
    /// <exception cref="ArgumentException">A value is none of these, or a message has no role.</exception>
    public static List<ChatMessage> ToMessages(IEnumerable<object?> values, string path)
    {
        var messages = new List<ChatMessage>();
        var position = 0;
        foreach (var value in values)
        {
            messages.Add(ToMessage(value, $"{path}[{position++}]"));
        }

        return messages;
    }

    private static ChatMessage ToMessage(object? value, string path)
    {
        switch (PowerShellValues.Unwrap(value))
        {
            case null:
                throw new ArgumentException($"{path} is null; a message is a string, a hashtable with role and content, or a Humanloop.ChatMessage.");
            case ChatMessage message:
                return message;
            case string text:
                return ChatMessage.User(text);
            default:
                var fields = PowerShellValues.ToJsonObject(value!, path);
                var role = fields["role"] as string;
                if (string.IsNullOrEmpty(role))
                {
                    throw new ArgumentException($"{path} has no role: give role = 'user', 'assistant', 'system' or 'tool'.");
                }

                foreach (DictionaryEntry entry in fields)
                {
                    if ((entry.Key as string)?.ToLowerInvariant() is not ("role" or "content" or "name" or "tool_call_id" or "tool_calls"))
                    {
                        throw new ArgumentException($"{path} has the key '{entry.Key}'; a message has role, content, name, tool_call_id and tool_calls.");
                    }
                }

                return new ChatMessage
                {
                    Role = role,
                    Content = fields["content"],
                    Name = fields["name"] as string,
                    ToolCallId = fields["tool_call_id"] as string,
                    ToolCalls = fields["tool_calls"] is IEnumerable calls and not string ? ToToolCalls(calls, path + ".tool_calls") : null,
                };
        }
    }

    private static List<ToolCall> ToToolCalls(IEnumerable calls, string path)
    {
        var result = new List<ToolCall>();
        foreach (var call in calls)
        {
            if (call is ToolCall typed)
            {
                result.Add(typed);
                continue;
            }

            var fields = call is IDictionary dictionary ? dictionary : PowerShellValues.ToJsonObject(call, path);
            var function = fields["function"] as IDictionary ?? throw new ArgumentException($"{path} has a call without a function.");
            result.Add(new ToolCall
            {
                Id = fields["id"] as string,
                Type = fields["type"] as string ?? "function",
                Function = new FunctionCall { Name = function["name"] as string, Arguments = function["arguments"] as string },
            });
        }

        return result;
    }
}
