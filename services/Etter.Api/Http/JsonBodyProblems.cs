using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Etter.Api.Errors;

namespace Etter.Api.Http;

/// <summary>
/// Describes a JSON body that does not fit its request type the way the old (FastAPI/pydantic) service did: where the
/// value is (<c>loc</c>, list positions included) and what was expected, in pydantic's words and types. System.Text.Json's
/// own message names .NET types, and for a value inside a record often the enclosing record instead of the field.
/// </summary>
public static class JsonBodyProblems
{
    public static FieldProblem Describe(JsonException error, Type bodyType, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(bodyType);
        ArgumentNullException.ThrowIfNull(options);
        var location = Segments(error.Path);

        // Text that is not JSON at all fails in the reader, whose exception (itself a JsonException) sits inside.
        if (error.InnerException is not JsonException && ExpectedAt(bodyType, location, options) is { } expected)
        {
            var (message, type) = Expectation(expected);
            return new FieldProblem(["body", .. location], message, type);
        }

        return new FieldProblem(["body", .. location], $"invalid JSON: {error.Message}", "value_error.jsondecode");
    }

    /// <summary>The JSON type info of the value at <paramref name="location"/>, or null when the path leads nowhere in the model.</summary>
    static JsonTypeInfo? ExpectedAt(Type root, IReadOnlyList<object> location, JsonSerializerOptions options)
    {
        var info = options.GetTypeInfo(root);
        foreach (var segment in location)
        {
            var next = info.Kind switch
            {
                JsonTypeInfoKind.Object => info.Properties.FirstOrDefault(p => string.Equals(p.Name, segment as string,
                    options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))?.PropertyType,
                JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary => info.ElementType,
                _ => null,
            };
            if (next is null)
            {
                return null;
            }

            info = options.GetTypeInfo(Nullable.GetUnderlyingType(next) ?? next);
        }

        return info;
    }

    static (string Message, string Type) Expectation(JsonTypeInfo expected)
    {
        var type = expected.Type;
        return type switch
        {
            _ when type == typeof(string) => ("str type expected", "type_error.str"),
            _ when type == typeof(bool) => ("value could not be parsed to a boolean", "type_error.bool"),
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => ("value is not a valid integer", "type_error.integer"),
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => ("value is not a valid float", "type_error.float"),
            _ when type == typeof(Guid) => ("value is not a valid uuid", "type_error.uuid"),
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => ("invalid datetime format", "value_error.datetime"),
            _ when type.IsEnum => ("value is not a valid enumeration member", "type_error.enum"),
            _ => expected.Kind switch
            {
                JsonTypeInfoKind.Enumerable => ("value is not a valid list", "type_error.list"),
                JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => ("value is not a valid dict", "type_error.dict"),
                _ => ("value is not valid here", "type_error"),
            },
        };
    }

    /// <summary>
    /// <c>$.documents[0].metadata['page count']</c> as <c>"documents", 0, "metadata", "page count"</c>: property names
    /// and list positions (numbers), each its own element of <c>loc</c>, as pydantic gave them.
    /// </summary>
    static List<object> Segments(string? path)
    {
        var segments = new List<object>();
        if (string.IsNullOrEmpty(path) || path[0] != '$')
        {
            return segments;
        }

        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                end = end < 0 ? path.Length : end;
                segments.Add(path[(i + 2)..end]);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i + 1);
                end = end < 0 ? path.Length : end;
                var position = path[(i + 1)..end];
                segments.Add(int.TryParse(position, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) ? index : position);
                i = end + 1;
            }
            else
            {
                i++;
            }
        }

        return segments;
    }
}
