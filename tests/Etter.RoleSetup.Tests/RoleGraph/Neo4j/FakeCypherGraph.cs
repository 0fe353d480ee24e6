using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Etter.RoleSetup.Tests.RoleGraph.Neo4j;

/// <summary>A Cypher error the fake answers with, in Neo4j's code/message form.</summary>
public sealed class FakeCypherException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>What one statement returned in the fake.</summary>
public sealed record FakeCypherResult(IReadOnlyList<string> Fields, IReadOnlyList<IReadOnlyList<JsonNode?>> Rows);

/// <summary>
/// A tiny in-memory property graph that understands just the Cypher subset below, clause by clause, with real
/// MERGE-by-key semantics (find or create, ON CREATE SET only on creation, relationships merged once). Anything
/// else is answered with <c>Neo.ClientError.Statement.SyntaxError</c>, so a statement we stop recognising fails
/// the tests instead of passing silently. Single-row evaluation is enough for the statements it serves.
/// Supported: <c>CREATE CONSTRAINT name IF NOT EXISTS FOR (v:L) REQUIRE v.p IS UNIQUE</c>, <c>RETURN 1 AS x</c>,
/// <c>MATCH (v:L {p: $x})</c>, <c>MATCH (a:L {p: $x})-[:T]-&gt;(b:M)</c>, <c>OPTIONAL MATCH (a)-[r:T]-&gt;(b:M) [WHERE b.p &lt;&gt; $x]</c>,
/// <c>DELETE r</c>, <c>WITH [DISTINCT] v</c>, <c>MERGE (v:L {p: $x})</c>, <c>MERGE (a)-[:T]-&gt;(b)</c>,
/// <c>[ON CREATE] SET v.p = $x | datetime($x) | coalesce($x, v.p), ...</c>, <c>RETURN properties(v) AS a | v.p AS a, ...</c>, <c>LIMIT n</c>.
/// </summary>
public sealed partial class FakeCypherGraph
{
    readonly Dictionary<int, FakeNode> _nodes = [];
    readonly List<FakeRelationship> _relationships = [];
    readonly Dictionary<string, string> _constraints = new(StringComparer.Ordinal);
    int _nextId;

    public IReadOnlyCollection<string> ConstraintNames => _constraints.Keys;

    public int CountNodes(string label) => _nodes.Values.Count(n => n.Label == label);

    public int CountRelationships(string type) => _relationships.Count(r => r.Type == type);

    public IReadOnlyDictionary<string, string>? FindNode(string label, string key, string value) =>
        _nodes.Values.FirstOrDefault(n => n.Label == label && n.Properties.GetValueOrDefault(key) == value)?.Properties;

    /// <summary>The end nodes' <paramref name="property"/> for relationships of <paramref name="type"/> leaving the matching node.</summary>
    public IReadOnlyList<string?> Related(string label, string key, string value, string type, string property)
    {
        var start = _nodes.Values.FirstOrDefault(n => n.Label == label && n.Properties.GetValueOrDefault(key) == value);
        return start is null
            ? []
            : [.. _relationships.Where(r => r.From == start.Id && r.Type == type).Select(r => _nodes[r.To].Properties.GetValueOrDefault(property))];
    }

    public FakeCypherGraph Clone()
    {
        var copy = new FakeCypherGraph { _nextId = _nextId };
        foreach (var (id, node) in _nodes)
        {
            copy._nodes[id] = new FakeNode(id, node.Label, new Dictionary<string, string>(node.Properties, StringComparer.Ordinal));
        }

        copy._relationships.AddRange(_relationships);
        foreach (var (name, schema) in _constraints)
        {
            copy._constraints[name] = schema;
        }

        return copy;
    }

    public FakeCypherResult Execute(string statement, IReadOnlyDictionary<string, string?> parameters)
    {
        var constraint = CreateConstraint().Match(statement);
        if (constraint.Success)
        {
            _constraints.TryAdd(constraint.Groups["name"].Value, $"{constraint.Groups["label"].Value}.{constraint.Groups["prop"].Value}");
            return new FakeCypherResult([], []);
        }

        var literal = ReturnOne().Match(statement);
        if (literal.Success)
        {
            return new FakeCypherResult([literal.Groups["alias"].Value], [[JsonValue.Create(1)]]);
        }

        return new Evaluation(this, parameters).Run(ClauseBoundary().Split(statement).Select(c => c.Trim()).Where(c => c.Length > 0));
    }

    /// <summary>Neo4j prints temporal values the Java way: seconds only when non-zero, fractions as 3, 6 or 9 digits, Z for UTC.</summary>
    public static string RenderDateTime(DateTimeOffset value)
    {
        var text = new StringBuilder(value.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
        var nanos = value.Ticks % TimeSpan.TicksPerSecond * 100;
        if (value.Second != 0 || nanos != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $":{value.Second:00}");
        }

        if (nanos != 0)
        {
            text.Append(nanos % 1_000_000 == 0 ? $".{nanos / 1_000_000:000}"
                : nanos % 1_000 == 0 ? $".{nanos / 1_000:000000}"
                : $".{nanos:000000000}");
        }

        text.Append(value.Offset == TimeSpan.Zero ? "Z" : value.ToString("zzz", CultureInfo.InvariantCulture));
        return text.ToString();
    }

    sealed class Evaluation(FakeCypherGraph graph, IReadOnlyDictionary<string, string?> parameters)
    {
        readonly Dictionary<string, FakeNode?> _nodes = new(StringComparer.Ordinal);
        readonly Dictionary<string, List<FakeRelationship>> _relationships = new(StringComparer.Ordinal);
        bool _alive = true;
        bool _lastMergeCreated;
        List<string> _fields = [];
        List<JsonNode?>? _row;

        public FakeCypherResult Run(IEnumerable<string> clauses)
        {
            foreach (var clause in clauses)
            {
                Apply(clause);
            }

            return new FakeCypherResult(_fields, _alive && _row is not null ? [_row] : []);
        }

        void Apply(string clause)
        {
            Match m;
            if ((m = MatchNode().Match(clause)).Success)
            {
                var node = Find(m.Groups["label"].Value, m.Groups["prop"].Value, Parameter(m.Groups["param"].Value));
                Bind(m.Groups["v"].Value, node);
                _alive &= node is not null;
            }
            else if ((m = MatchPath().Match(clause)).Success)
            {
                var start = Find(m.Groups["label"].Value, m.Groups["prop"].Value, Parameter(m.Groups["param"].Value));
                var end = start is null ? null : Outgoing(start, m.Groups["type"].Value, m.Groups["label2"].Value).Select(r => graph._nodes[r.To]).FirstOrDefault();
                Bind(m.Groups["a"].Value, start);
                Bind(m.Groups["b"].Value, end);
                _alive &= end is not null;
            }
            else if ((m = OptionalMatchPath().Match(clause)).Success)
            {
                var start = Bound(m.Groups["a"].Value);
                var found = start is null ? [] : Outgoing(start, m.Groups["type"].Value, m.Groups["label"].Value).ToList();
                if (m.Groups["wv"].Success)
                {
                    if (m.Groups["wv"].Value != m.Groups["b"].Value)
                    {
                        throw Unsupported(clause);
                    }

                    var other = Parameter(m.Groups["param"].Value);
                    found = [.. found.Where(r => graph._nodes[r.To].Properties.GetValueOrDefault(m.Groups["prop"].Value) != other)];
                }

                if (m.Groups["r"].Success)
                {
                    _relationships[m.Groups["r"].Value] = found;
                }

                Bind(m.Groups["b"].Value, found.Count == 0 ? null : graph._nodes[found[0].To]);
            }
            else if ((m = Delete().Match(clause)).Success)
            {
                if (!_relationships.TryGetValue(m.Groups["r"].Value, out var doomed))
                {
                    throw Unsupported(clause);
                }

                if (_alive)
                {
                    graph._relationships.RemoveAll(doomed.Contains);
                }
            }
            else if ((m = With().Match(clause)).Success)
            {
                var keep = m.Groups["v"].Value;
                var kept = Bound(keep);
                _nodes.Clear();
                _relationships.Clear();
                _nodes[keep] = kept;
            }
            else if ((m = MergeNode().Match(clause)).Success)
            {
                if (!_alive)
                {
                    return;
                }

                var (label, prop) = (m.Groups["label"].Value, m.Groups["prop"].Value);
                var value = Parameter(m.Groups["param"].Value)
                    ?? throw new FakeCypherException("Neo.ClientError.Statement.SemanticError", $"Cannot merge the following node because of null property value for '{prop}': (:{label} {{{prop}: null}})");
                var node = Find(label, prop, value);
                _lastMergeCreated = node is null;
                if (node is null)
                {
                    node = new FakeNode(++graph._nextId, label, new Dictionary<string, string>(StringComparer.Ordinal) { [prop] = value });
                    graph._nodes[node.Id] = node;
                }

                Bind(m.Groups["v"].Value, node);
            }
            else if ((m = MergeRelationship().Match(clause)).Success)
            {
                if (!_alive)
                {
                    return;
                }

                var from = Bound(m.Groups["a"].Value) ?? throw Unsupported(clause);
                var to = Bound(m.Groups["b"].Value) ?? throw Unsupported(clause);
                var relationship = new FakeRelationship(from.Id, m.Groups["type"].Value, to.Id);
                if (!graph._relationships.Contains(relationship))
                {
                    graph._relationships.Add(relationship);
                }
            }
            else if ((m = SetClause().Match(clause)).Success)
            {
                if (_alive && (!m.Groups["oncreate"].Success || _lastMergeCreated))
                {
                    ApplyAssignments(clause, m.Groups["body"].Value);
                }
            }
            else if ((m = Return().Match(clause)).Success)
            {
                Project(clause, m.Groups["items"].Value);
            }
            else if (!Limit().IsMatch(clause))
            {
                throw Unsupported(clause);
            }
        }

        void ApplyAssignments(string clause, string body)
        {
            var assignments = Assignment().Matches(body);
            if (string.Join(", ", assignments.Select(a => a.Value)) != body)
            {
                throw Unsupported(clause);
            }

            foreach (Match a in assignments)
            {
                var node = Bound(a.Groups["v"].Value);
                if (node is null)
                {
                    continue;
                }

                var prop = a.Groups["prop"].Value;
                string? value;
                if (a.Groups["dt"].Success)
                {
                    value = Parameter(a.Groups["dt"].Value) is { } text ? RenderDateTime(ParseDateTime(text)) : null;
                }
                else if (a.Groups["co"].Success)
                {
                    if (a.Groups["cv"].Value != a.Groups["v"].Value || a.Groups["cp"].Value != prop)
                    {
                        throw Unsupported(clause);
                    }

                    value = Parameter(a.Groups["co"].Value) ?? node.Properties.GetValueOrDefault(prop);
                }
                else
                {
                    value = Parameter(a.Groups["p"].Value);
                }

                if (value is null)
                {
                    node.Properties.Remove(prop);
                }
                else
                {
                    node.Properties[prop] = value;
                }
            }
        }

        void Project(string clause, string items)
        {
            _fields = [];
            _row = [];
            foreach (var item in items.Split(", "))
            {
                Match m;
                if ((m = ReturnProperties().Match(item)).Success)
                {
                    _fields.Add(m.Groups["alias"].Value);
                    var node = _alive ? Bound(m.Groups["v"].Value) : null;
                    _row.Add(node is null ? null : new JsonObject(node.Properties.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))));
                }
                else if ((m = ReturnProperty().Match(item)).Success)
                {
                    _fields.Add(m.Groups["alias"].Value);
                    var value = (_alive ? Bound(m.Groups["v"].Value) : null)?.Properties.GetValueOrDefault(m.Groups["prop"].Value);
                    _row.Add(value is null ? null : JsonValue.Create(value));
                }
                else
                {
                    throw Unsupported(clause);
                }
            }
        }

        IEnumerable<FakeRelationship> Outgoing(FakeNode start, string type, string endLabel) =>
            graph._relationships.Where(r => r.From == start.Id && r.Type == type && graph._nodes[r.To].Label == endLabel);

        FakeNode? Find(string label, string prop, string? value) =>
            value is null ? null : graph._nodes.Values.FirstOrDefault(n => n.Label == label && n.Properties.GetValueOrDefault(prop) == value);

        void Bind(string variable, FakeNode? node) => _nodes[variable] = node;

        FakeNode? Bound(string variable) => _nodes.TryGetValue(variable, out var node)
            ? node
            : throw new FakeCypherException("Neo.ClientError.Statement.SyntaxError", $"Variable `{variable}` not defined");

        string? Parameter(string name) => parameters.TryGetValue(name, out var value)
            ? value
            : throw new FakeCypherException("Neo.ClientError.Statement.ParameterMissing", $"Expected parameter(s): {name}");

        static DateTimeOffset ParseDateTime(string text) =>
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
                ? value
                : throw new FakeCypherException("Neo.ClientError.Statement.ArgumentError", $"Text cannot be parsed to a DateTime \"{text}\"");

        static FakeCypherException Unsupported(string clause) =>
            new("Neo.ClientError.Statement.SyntaxError", $"The fake Neo4j does not understand this clause: {clause}");
    }

    sealed record FakeNode(int Id, string Label, Dictionary<string, string> Properties);

    sealed record FakeRelationship(int From, string Type, int To);

    [GeneratedRegex(@"^CREATE CONSTRAINT (?<name>\w+) IF NOT EXISTS FOR \((?<v>\w+):(?<label>\w+)\) REQUIRE \k<v>\.(?<prop>\w+) IS UNIQUE$")]
    private static partial Regex CreateConstraint();

    [GeneratedRegex(@"^RETURN 1 AS (?<alias>\w+)$")]
    private static partial Regex ReturnOne();

    [GeneratedRegex(@"(?<!OPTIONAL |ON CREATE )(?=\b(?:OPTIONAL MATCH|MATCH|MERGE|ON CREATE SET|SET|DELETE|WITH|RETURN|LIMIT) )")]
    private static partial Regex ClauseBoundary();

    [GeneratedRegex(@"^MATCH \((?<v>\w+):(?<label>\w+) \{(?<prop>\w+): \$(?<param>\w+)\}\)$")]
    private static partial Regex MatchNode();

    [GeneratedRegex(@"^MATCH \((?<a>\w+):(?<label>\w+) \{(?<prop>\w+): \$(?<param>\w+)\}\)-\[:(?<type>\w+)\]->\((?<b>\w+):(?<label2>\w+)\)$")]
    private static partial Regex MatchPath();

    [GeneratedRegex(@"^OPTIONAL MATCH \((?<a>\w+)\)-\[(?<r>\w+)?:(?<type>\w+)\]->\((?<b>\w+):(?<label>\w+)\)(?: WHERE (?<wv>\w+)\.(?<prop>\w+) <> \$(?<param>\w+))?$")]
    private static partial Regex OptionalMatchPath();

    [GeneratedRegex(@"^DELETE (?<r>\w+)$")]
    private static partial Regex Delete();

    [GeneratedRegex(@"^WITH (?:DISTINCT )?(?<v>\w+)$")]
    private static partial Regex With();

    [GeneratedRegex(@"^MERGE \((?<v>\w+):(?<label>\w+) \{(?<prop>\w+): \$(?<param>\w+)\}\)$")]
    private static partial Regex MergeNode();

    [GeneratedRegex(@"^MERGE \((?<a>\w+)\)-\[:(?<type>\w+)\]->\((?<b>\w+)\)$")]
    private static partial Regex MergeRelationship();

    [GeneratedRegex(@"^(?<oncreate>ON CREATE )?SET (?<body>.+)$")]
    private static partial Regex SetClause();

    [GeneratedRegex(@"(?<v>\w+)\.(?<prop>\w+) = (?:datetime\(\$(?<dt>\w+)\)|coalesce\(\$(?<co>\w+), (?<cv>\w+)\.(?<cp>\w+)\)|\$(?<p>\w+))")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^RETURN (?<items>.+)$")]
    private static partial Regex Return();

    [GeneratedRegex(@"^properties\((?<v>\w+)\) AS (?<alias>\w+)$")]
    private static partial Regex ReturnProperties();

    [GeneratedRegex(@"^(?<v>\w+)\.(?<prop>\w+) AS (?<alias>\w+)$")]
    private static partial Regex ReturnProperty();

    [GeneratedRegex(@"^LIMIT \d+$")]
    private static partial Regex Limit();
}
