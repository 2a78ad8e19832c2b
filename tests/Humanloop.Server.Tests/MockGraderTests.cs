using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Providers;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

/// <summary>The mock's documented grading rule, worked by hand, and through /chat.</summary>
public sealed class MockGraderTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private static JsonObject Verdict(string userText, string? system = "Grade it.")
    {
        var messages = new List<ChatMessage>();
        if (system is not null)
        {
            messages.Add(new ChatMessage { Role = ChatMessage.System, Content = JsonValue.Create(system) });
        }

        messages.Add(ChatMessage.FromUser(userText));
        return JsonNode.Parse(MockGrader.Verdict(messages)!)!.AsObject();
    }

    [Fact]
    public void Quoted_phrases_must_all_appear_ignoring_case()
    {
        // Terms: '30-day' and 'refund'. The output holds both (one in capitals): 2 of 2, pass, score 1.
        var verdict = Verdict("<criterion>names the '30-day' window and the word \"refund\"</criterion><output>Refunds within 30-DAY windows.</output>");

        Assert.True((bool)verdict["pass"]!);
        Assert.Equal(1.0, (double)verdict["score"]!);
        Assert.Equal("Found 2 of 2: 30-day, refund.", (string)verdict["reason"]!);
    }

    [Fact]
    public void One_missing_quoted_phrase_fails()
    {
        // Terms: 'receipt' and 'refund'; the output holds only 'refund': 1 of 2, fail, score 0.5.
        var verdict = Verdict("<criterion>mentions 'receipt' and 'refund'</criterion><output>You get a refund.</output>");

        Assert.False((bool)verdict["pass"]!);
        Assert.Equal(0.5, (double)verdict["score"]!);
        Assert.Equal("Found 1 of 2: refund; missing: receipt.", (string)verdict["reason"]!);
    }

    [Fact]
    public void Without_quotes_half_of_the_content_words_pass()
    {
        // Words of 4+ letters, less instruction words ("mentions", "that"): polite, window, days, thirty.
        // The output has polite and thirty: 2 of 4 = 0.5, pass.
        var verdict = Verdict("<criterion>mentions that it is polite, window of thirty days</criterion><output>A polite answer: thirty.</output>");

        Assert.True((bool)verdict["pass"]!);
        Assert.Equal(0.5, (double)verdict["score"]!);
    }

    [Fact]
    public void A_reference_gives_the_terms_and_the_criterion_only_says_how_to_compare()
    {
        // The criterion's quoted 'ignored' is not looked for; the reference's 'receipt' is, and "No receipts."
        // contains it: 1 of 1, pass.
        var verdict = Verdict("<criterion>states the 'ignored' facts</criterion><reference>You need a 'receipt'.</reference><output>No receipts.</output>");

        Assert.True((bool)verdict["pass"]!);
        Assert.Equal("Found 1 of 1: receipt.", (string)verdict["reason"]!);
    }

    [Fact]
    public void A_conversation_without_both_sections_is_not_a_grading_request()
    {
        Assert.Null(MockGrader.Verdict([ChatMessage.FromUser("<output>x</output> but no criterion")]));
        Assert.Null(MockGrader.Verdict([ChatMessage.FromUser("hello")]));
    }

    [Fact]
    public async Task A_grading_chat_answers_with_the_verdict_as_json()
    {
        var request = new JsonObject
        {
            ["project"] = "mock-grader",
            ["model_config"] = new JsonObject { ["model"] = "mock-grader", ["provider"] = "mock" },
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = "You grade outputs. Answer with JSON only." },
                new JsonObject { ["role"] = "user", ["content"] = "<criterion>says 'hello'</criterion>\n<output>Hello there</output>" }),
        };

        var response = (await _api.PostAsync("chat", request)).ShouldBe(HttpStatusCode.OK).Object;
        var verdict = JsonNode.Parse((string)response["data"]![0]!["output"]!)!;

        Assert.True((bool)verdict["pass"]!);
        Assert.Equal("Found 1 of 1: hello.", (string)verdict["reason"]!);
    }
}
