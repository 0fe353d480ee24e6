using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Etter.TestSupport;
using Microsoft.AspNetCore.Http;

namespace Etter.RoleSetup.Tests.RoleGraph.Neo4j;

public sealed record RecordedStatement(string Text, IReadOnlyDictionary<string, string?> Parameters);

public sealed record RecordedRequest(
    string Method,
    string Path,
    string? Authorization,
    string? ContentType,
    string? Accept,
    JsonObject? Body,
    IReadOnlyList<RecordedStatement> Statements);

/// <summary>
/// A stand-in for Neo4j's HTTP server on 127.0.0.1 (a free port), written from Neo4j's documentation of the
/// Query API (<c>POST /db/{db}/query/v2</c>) and the transactional endpoint (<c>POST /db/{db}/tx/commit</c>).
/// It insists on the documented request shape (path, Basic authorization, JSON content type, body layout, one-line
/// statements whose values all travel as parameters) and answers in the documented formats: Query API results
/// <c>{"data":{"fields","values"},"bookmarks"}</c> with 202, transactional <c>{"results":[{"columns","data":[{"row"}]}],"errors":[]}</c>
/// with 200, <c>{"errors":[{"code","message"}]}</c> for failures (401 for authentication; 200 on tx/commit even
/// for statement errors). A request that breaks the protocol is answered with a Neo4j error and listed in
/// <see cref="Violations"/>, so our side fails loudly. It is not Neo4j: see <see cref="FakeCypherGraph"/> for the
/// Cypher it understands.
/// </summary>
public sealed partial class FakeNeo4jServer : IAsyncDisposable
{
    public const string User = "neo4j";
    public const string Password = "fake-secret-for-tests";
    public const string Database = "neo4j";
    public const string QueryApiPath = "/db/neo4j/query/v2";
    public const string TransactionalPath = "/db/neo4j/tx/commit";

    readonly Lock _lock = new();
    readonly Queue<Func<HttpContext, bool, Task>> _injected = new();
    int _bookmark;
    LoopbackHttpServer? _http;

    FakeNeo4jServer()
    {
    }

    public string Url { get; private set; } = "";

    /// <summary>The password the fake accepts; change it to make every request fail authentication.</summary>
    public string AcceptedPassword { get; set; } = Password;

    /// <summary>How long to wait before answering (to provoke client timeouts).</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public FakeCypherGraph Graph { get; private set; } = new();

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public ConcurrentQueue<string> Violations { get; } = new();

    public IReadOnlyList<RecordedStatement> Statements => [.. Requests.SelectMany(r => r.Statements)];

    public static async Task<FakeNeo4jServer> StartAsync()
    {
        var server = new FakeNeo4jServer();
        server._http = await LoopbackHttpServer.StartAsync(server.HandleAsync);
        server.Url = server._http.Address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        return server;
    }

    /// <summary>The next authenticated, well-formed request fails with this Neo4j error (HTTP status per protocol unless given).</summary>
    public void FailNext(string code, string message, int? queryApiStatus = null) => Enqueue((context, transactional) =>
        WriteErrorAsync(context, transactional ? 200 : queryApiStatus ?? 202, code, message));

    /// <summary>The next request gets a bare HTTP status with a text body, as a proxy in front of Neo4j might send.</summary>
    public void AnswerNextWith(int status, string text) => Enqueue(async (context, _) =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(text);
    });

    public async ValueTask DisposeAsync()
    {
        if (_http is not null)
        {
            await _http.DisposeAsync();
        }
    }

    void Enqueue(Func<HttpContext, bool, Task> answer)
    {
        lock (_lock)
        {
            _injected.Enqueue(answer);
        }
    }

    async Task HandleAsync(HttpContext context)
    {
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted);
        }

        var request = context.Request;
        var path = request.Path.Value ?? "";
        bool transactional = path == TransactionalPath;
        var body = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        JsonObject? json = null;
        try
        {
            json = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
        }

        var problems = new List<string>();
        var statements = json is null ? [] : ReadStatements(json, transactional, problems);
        Requests.Enqueue(new RecordedRequest(request.Method, path, request.Headers.Authorization.ToString(), request.ContentType,
            request.Headers.Accept.ToString(), json, statements));

        if (request.Method != HttpMethods.Post || (path != QueryApiPath && path != TransactionalPath))
        {
            await RejectAsync(context, transactional, 404, "Neo.ClientError.Request.Invalid", $"{request.Method} {path} is not a Neo4j Cypher endpoint of database '{Database}'.");
            return;
        }

        // Authentication comes first on a real server too, before the body is looked at.
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{AcceptedPassword}"));
        var authorization = request.Headers.Authorization.ToString();
        if (authorization != expected)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"Neo4j\"";
            await WriteErrorAsync(context, 401, "Neo.ClientError.Security.Unauthorized",
                string.IsNullOrEmpty(authorization) ? "No authentication header supplied." : "Invalid username or password.");
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || contentType.MediaType != "application/json"
            || (contentType.CharSet is { } charset && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            problems.Add($"Content-Type must be application/json, was '{request.ContentType}'");
        }

        var accept = request.Headers.Accept.ToString();
        if (!accept.Contains("application/json", StringComparison.Ordinal))
        {
            problems.Add($"Accept must ask for application/json (plain JSON results), was '{accept}'");
        }

        if (json is null)
        {
            problems.Add("the body is not a JSON object");
        }

        foreach (var statement in statements)
        {
            CheckParameterized(statement, problems);
        }

        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                Violations.Enqueue(problem);
            }

            await RejectAsync(context, transactional, 400, "Neo.ClientError.Request.Invalid", "fake Neo4j: " + string.Join("; ", problems));
            return;
        }

        Func<HttpContext, bool, Task>? injected = null;
        lock (_lock)
        {
            _injected.TryDequeue(out injected);
        }

        if (injected is not null)
        {
            await injected(context, transactional);
            return;
        }

        var results = new List<FakeCypherResult>();
        FakeCypherException? failure = null;
        lock (_lock)
        {
            // Each request is one transaction (implicit on the Query API, begin-and-commit on tx/commit): all or nothing.
            var working = Graph.Clone();
            try
            {
                foreach (var statement in statements)
                {
                    results.Add(working.Execute(statement.Text, statement.Parameters));
                }

                Graph = working;
            }
            catch (FakeCypherException ex)
            {
                failure = ex;
            }
        }

        if (failure is not null)
        {
            await WriteErrorAsync(context, transactional ? 200 : 202, failure.Code, failure.Message);
        }
        else if (transactional)
        {
            await WriteJsonAsync(context, 200, new JsonObject
            {
                ["results"] = new JsonArray([.. results.Select(r => (JsonNode)new JsonObject
                {
                    ["columns"] = new JsonArray([.. r.Fields.Select(f => (JsonNode)JsonValue.Create(f))]),
                    ["data"] = new JsonArray([.. r.Rows.Select(row => (JsonNode)new JsonObject
                    {
                        ["row"] = new JsonArray([.. row.Select(v => v?.DeepClone())]),
                        ["meta"] = new JsonArray([.. row.Select(_ => (JsonNode?)null)]),
                    })]),
                })]),
                ["errors"] = new JsonArray(),
            });
        }
        else
        {
            var result = results.Single();
            await WriteJsonAsync(context, 202, new JsonObject
            {
                ["data"] = new JsonObject
                {
                    ["fields"] = new JsonArray([.. result.Fields.Select(f => (JsonNode)JsonValue.Create(f))]),
                    ["values"] = new JsonArray([.. result.Rows.Select(row => (JsonNode)new JsonArray([.. row.Select(v => v?.DeepClone())]))]),
                },
                ["bookmarks"] = new JsonArray(JsonValue.Create($"FB:fake-{Interlocked.Increment(ref _bookmark)}")),
            });
        }
    }

    static List<RecordedStatement> ReadStatements(JsonObject body, bool transactional, List<string> problems)
    {
        if (!transactional)
        {
            Unexpected(body, ["statement", "parameters"], "Query API body", problems);
            return ReadStatement(body, problems) is { } single ? [single] : [];
        }

        Unexpected(body, ["statements"], "tx/commit body", problems);
        if (body["statements"] is not JsonArray list || list.Count == 0)
        {
            problems.Add("tx/commit body needs a non-empty \"statements\" array");
            return [];
        }

        var statements = new List<RecordedStatement>();
        foreach (var item in list)
        {
            if (item is not JsonObject entry)
            {
                problems.Add("a \"statements\" entry is not an object");
                continue;
            }

            Unexpected(entry, ["statement", "parameters", "resultDataContents", "includeStats"], "tx/commit statement", problems);
            if (entry["resultDataContents"] is JsonArray contents && !contents.All(c => c?.GetValue<string>() is "row" or "graph"))
            {
                problems.Add("resultDataContents may only hold \"row\" or \"graph\"");
            }

            if (ReadStatement(entry, problems) is { } statement)
            {
                statements.Add(statement);
            }
        }

        return statements;
    }

    static RecordedStatement? ReadStatement(JsonObject entry, List<string> problems)
    {
        if (entry["statement"] is not JsonValue text || text.GetValueKind() != JsonValueKind.String)
        {
            problems.Add("\"statement\" must be a string");
            return null;
        }

        var parameters = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (entry["parameters"] is JsonObject given)
        {
            foreach (var (name, value) in given)
            {
                if (value is not null && value.GetValueKind() != JsonValueKind.String)
                {
                    problems.Add($"parameter ${name} is a {value.GetValueKind()}, the role graph only sends strings and nulls");
                }

                parameters[name] = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
            }
        }
        else if (entry["parameters"] is not null)
        {
            problems.Add("\"parameters\" must be an object");
        }

        return new RecordedStatement(text.GetValue<string>(), parameters);
    }

    static void Unexpected(JsonObject body, string[] allowed, string what, List<string> problems)
    {
        foreach (var (name, _) in body)
        {
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                problems.Add($"unexpected member \"{name}\" in the {what}");
            }
        }
    }

    /// <summary>Values must arrive as parameters: no literals in the text, every $name sent, nothing sent unused.</summary>
    static void CheckParameterized(RecordedStatement statement, List<string> problems)
    {
        var text = statement.Text;
        if (text.Contains('\n', StringComparison.Ordinal) || text.Contains('\r', StringComparison.Ordinal))
        {
            problems.Add("statements must be one line (the HTTP APIs do not allow literal line breaks)");
        }

        if (text.IndexOfAny(['\'', '"', '`']) >= 0)
        {
            problems.Add($"the statement holds a quoted literal or identifier: {text}");
        }

        if (text.Contains("CREATE (", StringComparison.Ordinal) || text.Contains("CREATE(", StringComparison.Ordinal))
        {
            problems.Add($"nodes must be MERGEd, never CREATEd: {text}");
        }

        var referenced = ParameterReference().Matches(text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        foreach (var missing in referenced.Where(r => !statement.Parameters.ContainsKey(r)))
        {
            problems.Add($"${missing} is used but not sent");
        }

        foreach (var unused in statement.Parameters.Keys.Where(k => !referenced.Contains(k)))
        {
            problems.Add($"parameter {unused} is sent but not used");
        }

        foreach (var (name, value) in statement.Parameters)
        {
            if (value is { Length: >= 8 } && text.Contains(value, StringComparison.Ordinal))
            {
                problems.Add($"the value of ${name} also appears in the statement text");
            }
        }
    }

    static Task RejectAsync(HttpContext context, bool transactional, int queryApiStatus, string code, string message) =>
        WriteErrorAsync(context, transactional ? 200 : queryApiStatus, code, message);

    static Task WriteErrorAsync(HttpContext context, int status, string code, string message)
    {
        var errors = new JsonArray(new JsonObject { ["code"] = code, ["message"] = message });
        return WriteJsonAsync(context, status, status == 200 ? new JsonObject { ["results"] = new JsonArray(), ["errors"] = errors } : new JsonObject { ["errors"] = errors });
    }

    static async Task WriteJsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    [GeneratedRegex(@"\$(\w+)")]
    private static partial Regex ParameterReference();
}
