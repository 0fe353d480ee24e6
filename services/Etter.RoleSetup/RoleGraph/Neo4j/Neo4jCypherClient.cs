using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Etter.RoleSetup.RoleGraph.Neo4j;

/// <summary>One Cypher statement. Every value travels in <see cref="Parameters"/>; the text holds only <c>$names</c>.</summary>
public sealed record CypherStatement(string Text, IReadOnlyDictionary<string, string?> Parameters);

/// <summary>What one statement returned: column names and rows of plain-JSON values, in column order.</summary>
public sealed record CypherResult(IReadOnlyList<string> Fields, IReadOnlyList<IReadOnlyList<JsonElement>> Rows);

/// <summary>
/// Runs Cypher over Neo4j's HTTP endpoints with basic authentication: the Query API (<c>/db/{db}/query/v2</c>,
/// one statement per request, each its own implicit transaction) or the transactional endpoint
/// (<c>/db/{db}/tx/commit</c>, all statements of a call in one transaction). Failures surface as
/// <see cref="RoleGraphException"/>; the caller's cancellation surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class Neo4jCypherClient(HttpClient http, IOptions<Neo4jOptions> options)
{
    const string Json = "application/json";

    public Neo4jOptions Options => options.Value;

    public async Task<IReadOnlyList<CypherResult>> RunAsync(string operation, IReadOnlyList<CypherStatement> statements, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statements);
        if (statements.Count == 0)
        {
            return [];
        }

        if (Options.Protocol == Neo4jProtocol.Transactional)
        {
            var root = await PostAsync(operation, TransactionalBody(statements), cancellationToken);
            return ReadTransactionalResults(operation, root, statements.Count);
        }

        var results = new List<CypherResult>(statements.Count);
        foreach (var statement in statements)
        {
            var root = await PostAsync(operation, QueryApiBody(statement), cancellationToken);
            results.Add(ReadQueryApiResult(operation, root));
        }

        return results;
    }

    async Task<JsonElement> PostAsync(string operation, byte[] body, CancellationToken cancellationToken)
    {
        var settings = Options;
        var endpoint = settings.Endpoint();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(Json);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(Json));
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.User}:{settings.Password}")));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);

        int status;
        string? reason;
        byte[] content;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            status = (int)response.StatusCode;
            reason = response.ReasonPhrase;
            content = await response.Content.ReadAsByteArrayAsync(timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Neo4jErrors.TimedOut(operation, endpoint, settings.Timeout, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // IOException: the connection broke while the answer was being read.
            throw Neo4jErrors.Unreachable(operation, endpoint, ex);
        }

        var root = TryParse(content);
        if (root is { ValueKind: JsonValueKind.Object } document
            && document.TryGetProperty("errors", out var errors)
            && errors.ValueKind == JsonValueKind.Array
            && errors.GetArrayLength() > 0)
        {
            // Both endpoints put failures in "errors"; the HTTP status alone is not reliable (the transactional
            // endpoint answers 200 and the Query API 202 even when the statement failed).
            var first = errors[0];
            throw Neo4jErrors.FromServerError(operation, status, StringOf(first, "code") ?? "Neo.Unknown", StringOf(first, "message") ?? "");
        }

        if (status is < 200 or > 299)
        {
            throw Neo4jErrors.FromHttpStatus(operation, status, reason, Neo4jErrors.Excerpt(Encoding.UTF8.GetString(content)));
        }

        return root ?? throw Neo4jErrors.Unexpected(operation, $"HTTP {status} with a body that is not JSON");
    }

    static byte[] QueryApiBody(CypherStatement statement) => Write(writer =>
    {
        writer.WriteStartObject();
        WriteStatement(writer, statement);
        writer.WriteEndObject();
    });

    static byte[] TransactionalBody(IReadOnlyList<CypherStatement> statements) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("statements");
        foreach (var statement in statements)
        {
            writer.WriteStartObject();
            WriteStatement(writer, statement);
            writer.WriteStartArray("resultDataContents");
            writer.WriteStringValue("row");
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    static void WriteStatement(Utf8JsonWriter writer, CypherStatement statement)
    {
        writer.WriteString("statement", statement.Text);
        writer.WriteStartObject("parameters");
        foreach (var (name, value) in statement.Parameters)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
    }

    static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    static CypherResult ReadQueryApiResult(string operation, JsonElement root)
    {
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            throw Neo4jErrors.Unexpected(operation, "the Query API response has no \"data\" object");
        }

        var fields = ReadStrings(operation, data, "fields");
        var rows = new List<IReadOnlyList<JsonElement>>();
        foreach (var row in ArrayOf(operation, data, "values").EnumerateArray())
        {
            rows.Add(ReadRow(operation, row, fields.Count));
        }

        return new CypherResult(fields, rows);
    }

    static List<CypherResult> ReadTransactionalResults(string operation, JsonElement root, int expected)
    {
        var results = ArrayOf(operation, root, "results");
        if (results.GetArrayLength() != expected)
        {
            throw Neo4jErrors.Unexpected(operation, $"{results.GetArrayLength()} results for {expected} statements");
        }

        var list = new List<CypherResult>(expected);
        foreach (var result in results.EnumerateArray())
        {
            var columns = ReadStrings(operation, result, "columns");
            var rows = new List<IReadOnlyList<JsonElement>>();
            foreach (var entry in ArrayOf(operation, result, "data").EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("row", out var row))
                {
                    throw Neo4jErrors.Unexpected(operation, "a data entry without \"row\"");
                }

                rows.Add(ReadRow(operation, row, columns.Count));
            }

            list.Add(new CypherResult(columns, rows));
        }

        return list;
    }

    static JsonElement[] ReadRow(string operation, JsonElement row, int width)
    {
        if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != width)
        {
            throw Neo4jErrors.Unexpected(operation, $"a row that is not an array of {width} values");
        }

        return [.. row.EnumerateArray()];
    }

    static List<string> ReadStrings(string operation, JsonElement parent, string name) =>
        [.. ArrayOf(operation, parent, name).EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String
            ? x.GetString()!
            : throw Neo4jErrors.Unexpected(operation, $"\"{name}\" holds a non-string"))];

    static JsonElement ArrayOf(string operation, JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value
            : throw Neo4jErrors.Unexpected(operation, $"no \"{name}\" array");

    static string? StringOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    static JsonElement? TryParse(byte[] content)
    {
        if (content.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
