using Etter.Api.Http;

namespace Etter.Api.Tests;

public sealed class QueryValuesTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    [InlineData("on", true)]
    [InlineData("t", true)]
    [InlineData("y", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    [InlineData("OFF", false)]
    [InlineData("f", false)]
    public void FlagTheOldServiceAccepted_IsRead(string? raw, bool expected)
    {
        Assert.True(QueryValues.TryFlag(raw, "use_mock", out var value, out var problem));
        Assert.Equal(expected, value);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("maybe")]
    [InlineData("")]
    [InlineData("2")]
    [InlineData(" yes")]
    public void FlagTheOldServiceRefused_IsAProblem(string raw)
    {
        Assert.False(QueryValues.TryFlag(raw, "use_mock", out _, out var problem));
        Assert.NotNull(problem);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("20", 20)]
    [InlineData(" 7 ", 7)]
    [InlineData("-1", -1)]
    public void IntegerOrNothing_IsRead(string? raw, int? expected)
    {
        Assert.True(QueryValues.TryInteger(raw, "limit", out var value, out var problem));
        Assert.Equal(expected, value);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("")]
    public void NotAnInteger_IsAProblem(string raw)
    {
        Assert.False(QueryValues.TryInteger(raw, "limit", out _, out var problem));
        Assert.NotNull(problem);
    }
}
