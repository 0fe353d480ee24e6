using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Etter.Api.Errors;

namespace Etter.Api.Http;

/// <summary>
/// Query values read by the old (FastAPI/pydantic) service's rules, so its clients' URLs keep working: a boolean may be
/// <c>1</c>, <c>yes</c> or <c>on</c> as well as <c>true</c>. A value it would have refused gets its 422, naming the
/// parameter, where ASP.NET Core's own binding answered an empty 400.
/// </summary>
public static class QueryValues
{
    /// <summary>How a flag parameter is described in the OpenAPI document, which shows it as a string.</summary>
    public const string FlagDescription = "true or false; 1/0, yes/no, on/off, t/f and y/n also accepted";

    static readonly HashSet<string> TrueWords = new(["1", "on", "t", "true", "y", "yes"], StringComparer.OrdinalIgnoreCase);
    static readonly HashSet<string> FalseWords = new(["0", "off", "f", "false", "n", "no"], StringComparer.OrdinalIgnoreCase);

    /// <summary>An optional boolean: absent is false.</summary>
    public static bool TryFlag(string? raw, string name, out bool value, [NotNullWhen(false)] out IResult? problem)
    {
        problem = null;
        value = false;
        if (raw is null || FalseWords.Contains(raw))
        {
            return true;
        }

        if (TrueWords.Contains(raw))
        {
            value = true;
            return true;
        }

        problem = Refused(name, "value could not be parsed to a boolean", "type_error.bool");
        return false;
    }

    /// <summary>An optional whole number: absent is null. Surrounding spaces are allowed, as Python's <c>int()</c> allowed them.</summary>
    public static bool TryInteger(string? raw, string name, out int? value, [NotNullWhen(false)] out IResult? problem)
    {
        problem = null;
        value = null;
        if (raw is null)
        {
            return true;
        }

        if (int.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            value = number;
            return true;
        }

        problem = Refused(name, "value is not a valid integer", "type_error.integer");
        return false;
    }

    static IResult Refused(string name, string message, string type) =>
        ApiErrors.Unprocessable([new FieldProblem(["query", name], message, type)]);
}
