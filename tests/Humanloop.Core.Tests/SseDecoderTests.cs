using System.Text;
using Humanloop.Streaming;
using Xunit;

namespace Humanloop.Tests;

public class SseDecoderTests
{
    private static (List<SseEvent> Events, string? Pending) Decode(byte[] bytes, int splitEvery = int.MaxValue)
    {
        var decoder = new SseDecoder();
        var events = new List<SseEvent>();
        for (var offset = 0; offset < bytes.Length; offset += splitEvery)
        {
            decoder.Feed(bytes, offset, Math.Min(splitEvery, bytes.Length - offset), events);
        }

        return (events, decoder.Finish());
    }

    private static List<string> Data(string text, int splitEvery = int.MaxValue) =>
        Decode(Encoding.UTF8.GetBytes(text), splitEvery).Events.Select(e => e.Data).ToList();

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Every_line_ending_works(string newline)
    {
        var text = $"data: one{newline}{newline}data: two{newline}{newline}";

        Assert.Equal(new[] { "one", "two" }, Data(text));
    }

    [Fact]
    public void Comments_are_skipped_and_multi_line_data_joins_with_line_feeds()
    {
        var text = ": keep-alive\n\ndata: first line\n: in between\ndata: second line\ndata:third\n\n";

        Assert.Equal(new[] { "first line\nsecond line\nthird" }, Data(text));
    }

    [Fact]
    public void Fields_other_than_data_never_reach_the_data()
    {
        var (events, _) = Decode(Encoding.UTF8.GetBytes("event: update\nid: 7\nretry: 100\nfoo: bar\ndata: x\n\ndata: y\n\n"));

        Assert.Equal(new[] { "x", "y" }, events.Select(e => e.Data));
    }

    [Fact]
    public void A_field_without_colon_and_a_value_without_space_follow_the_spec()
    {
        Assert.Equal(new[] { "", "a:b" }, Data("data\n\ndata:a:b\n\n"));
    }

    [Fact]
    public void A_byte_order_mark_at_the_start_is_ignored()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("data: x\n\n")).ToArray();

        Assert.Equal("x", Assert.Single(Decode(bytes).Events).Data);
    }

    [Fact]
    public void Blank_lines_without_data_dispatch_nothing()
    {
        Assert.Empty(Data("\n\n\r\n: comment\n\n"));
    }

    [Fact]
    public void The_same_events_come_out_however_the_bytes_are_split()
    {
        var text = "data: {\"output\":\"héllo wörld 🎉\"}\r\n\r\n: ping\r\ndata: a\rdata: b\r\rdata: \"日本語\"\n\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        var expected = Decode(bytes).Events.Select(e => e.Data).ToList();
        Assert.Equal(3, expected.Count);

        for (var split = 1; split <= bytes.Length; split++)
        {
            Assert.Equal(expected, Decode(bytes, split).Events.Select(e => e.Data).ToList());
        }

        // And with every single cut point of a two-piece split.
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var decoder = new SseDecoder();
            var events = new List<SseEvent>();
            decoder.Feed(bytes, 0, cut, events);
            decoder.Feed(bytes, cut, bytes.Length - cut, events);
            Assert.Null(decoder.Finish());
            Assert.Equal(expected, events.Select(e => e.Data).ToList());
        }
    }

    [Fact]
    public void A_stream_cut_inside_an_event_reports_its_text()
    {
        var (events, pending) = Decode(Encoding.UTF8.GetBytes("data: done\n\ndata: {\"out"));

        Assert.Equal("done", Assert.Single(events).Data);
        Assert.Equal("data: {\"out", pending);
    }

    [Fact]
    public void A_complete_line_without_the_blank_line_is_still_unfinished()
    {
        var (events, pending) = Decode(Encoding.UTF8.GetBytes("data: {\"a\":1}\n"));

        Assert.Empty(events);
        Assert.Equal("data: {\"a\":1}\n", pending);
    }

    [Fact]
    public void A_trailing_comment_is_not_an_unfinished_event()
    {
        Assert.Null(Decode(Encoding.UTF8.GetBytes("data: a\n\n: bye")).Pending);
    }

    [Fact]
    public void Keep_alive_comments_between_events_are_not_kept()
    {
        var decoder = new SseDecoder();
        var events = new List<SseEvent>();
        var ping = Encoding.UTF8.GetBytes(": ping\n");
        for (var i = 0; i < 100_000; i++)
        {
            decoder.Feed(ping, 0, ping.Length, events);
        }

        Assert.Empty(events);
        Assert.True(decoder.KeptBytes < 64, $"{decoder.KeptBytes} bytes kept");
        Assert.Null(decoder.Finish());
    }

    [Fact]
    public void An_event_larger_than_the_buffer_and_one_read_into_it_directly_come_out_whole()
    {
        var big = new string('x', 100_000);
        var decoder = new SseDecoder();
        var bytes = Encoding.UTF8.GetBytes($"data: {big}\ndata: tail\n\ndata: next\n\n");
        var offset = 0;
        var seen = new List<string>();
        while (offset < bytes.Length)
        {
            var room = decoder.GetWriteMemory();
            var count = Math.Min(room.Length, Math.Min(5_000, bytes.Length - offset));
            bytes.AsSpan(offset, count).CopyTo(room.Span);
            decoder.Advance(count);
            offset += count;
            while (decoder.TryReadEvent(out var data))
            {
                seen.Add(Encoding.UTF8.GetString(data));
            }
        }

        Assert.Equal(new[] { big + "\ntail", "next" }, seen);
        Assert.Null(decoder.Finish());
    }
}
