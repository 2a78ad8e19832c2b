using Xunit;

namespace Humanloop.Tests;

/// <summary>How a session's logs are arranged as a tree, and how a stored config becomes a request again.</summary>
public class SessionTreeTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);

    private static Log At(int minute, string id, string? parentId = null, string? referenceId = null, string? parentReferenceId = null) => new()
    {
        Id = id,
        ParentId = parentId,
        ReferenceId = referenceId,
        ParentReferenceId = parentReferenceId,
        CreatedAt = Start.AddMinutes(minute),
    };

    [Fact]
    public void Parents_come_before_their_children_siblings_by_creation_time_with_branch_lines()
    {
        var logs = new[]
        {
            At(4, "data_4", parentId: "data_2"),
            At(3, "data_3", parentId: "data_1"),
            At(1, "data_1"),
            At(2, "data_2", parentId: "data_1"),
            At(5, "data_5", parentId: "data_3"),
            At(6, "data_6"),
        };

        var nodes = SessionTree.Arrange(logs);

        Assert.Equal(
            ["data_1", "├─ data_2", "│  └─ data_4", "└─ data_3", "   └─ data_5", "data_6"],
            nodes.Select(node => node.ToString()));
        Assert.Equal([0, 1, 2, 1, 2, 0], nodes.Select(node => node.Depth));
        Assert.Equal([null, "data_1", "data_2", "data_1", "data_3", null], nodes.Select(node => node.ParentId));
        Assert.Equal([2, 1, 0, 1, 0, 0], nodes.Select(node => node.ChildCount));
        Assert.Same(logs[2], nodes[0].Log);
    }

    [Fact]
    public void A_parent_reference_finds_the_log_with_that_reference_id_and_an_unknown_parent_makes_a_root()
    {
        var nodes = SessionTree.Arrange(
        [
            At(1, "data_1", referenceId: "plan"),
            At(2, "data_2", parentReferenceId: "plan"),
            At(3, "data_3", parentId: "data_elsewhere"),
            At(3, "data_3"),
        ]);

        Assert.Equal(["data_1", "└─ data_2", "data_3"], nodes.Select(node => node.ToString()));
    }

    [Fact]
    public void A_loop_of_parents_is_broken_at_its_earliest_log_and_every_log_appears_once()
    {
        var nodes = SessionTree.Arrange(
        [
            At(1, "data_below", parentId: "data_a"),
            At(2, "data_b", parentId: "data_a"),
            At(3, "data_a", parentId: "data_b"),
            At(4, "data_self", parentId: "data_self"),
        ]);

        Assert.Equal(["data_self", "data_b", "└─ data_a", "   └─ data_below"], nodes.Select(node => node.ToString()));
    }

    [Fact]
    public void A_chat_config_becomes_a_chat_request_without_its_ids_and_a_completion_config_a_completion_request()
    {
        var chat = new ModelConfig
        {
            Id = "config_1",
            Type = "model",
            Name = "support",
            Provider = "mock",
            Model = "m",
            Temperature = 0.3,
            Stop = ["###"],
            Endpoint = "chat",
            ChatTemplate = [new System.Collections.Specialized.OrderedDictionary { ["role"] = "system", ["content"] = "Help with {{product}}" }],
            Tools = [new System.Collections.Specialized.OrderedDictionary { ["id"] = "tool_1", ["name"] = "lookup", ["parameters"] = new System.Collections.Hashtable { ["type"] = "object" }, ["source"] = "inline" }],
        };
        var completion = new ModelConfig { Id = "config_2", Type = "model", Model = "m", PromptTemplate = "About {{topic}}", Tools = [] };

        var chatRequest = Assert.IsType<ModelConfigChatRequest>(chat.ToRequest());
        var completionRequest = Assert.IsType<ModelConfigCompletionRequest>(completion.ToRequest());

        Assert.True(chat.IsChat);
        Assert.False(completion.IsChat);
        Assert.Equal(("support", "mock", "m", 0.3, "chat"), (chatRequest.Name, chatRequest.Provider, chatRequest.Model, chatRequest.Temperature, chatRequest.Endpoint));
        Assert.Equal(["###"], chatRequest.Stop!);
        Assert.Equal("Help with {{product}}", Assert.Single(chatRequest.ChatTemplate!).Content);
        var tool = Assert.Single(chatRequest.Tools!);
        Assert.Equal(("lookup", "inline", "object"), (tool.Name, tool.Source, tool.Parameters!["type"]));
        Assert.Equal("About {{topic}}", completionRequest.PromptTemplate);
        Assert.Equal(
            """{"chat_template":[{"role":"system","content":"Help with {{product}}"}],"tools":[{"name":"lookup","parameters":{"type":"object"},"source":"inline"}],"name":"support","provider":"mock","model":"m","temperature":0.3,"stop":["###"],"endpoint":"chat"}""",
            System.Text.Encoding.UTF8.GetString(Humanloop.Json.ModelConfigJson.Serialize(chatRequest)));
    }
}
