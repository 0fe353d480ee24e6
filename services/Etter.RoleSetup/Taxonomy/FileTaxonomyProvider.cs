using System.Text;
using System.Text.Json;

namespace Etter.RoleSetup.Taxonomy;

/// <summary>
/// A taxonomy read once, when constructed, from a file chosen by its extension:
/// <list type="bullet">
/// <item><c>.json</c> — the shape of the built-in <c>Taxonomy/SampleData/taxonomy.json</c>:
/// <c>{"companies":[{"name":…,"roles":[{"job_id","job_title","job_role","draup_role","occupation","job_family"}]}]}</c>
/// (comments and trailing commas allowed; other properties ignored);</item>
/// <item><c>.csv</c> — a header row naming the columns <c>company,job_id,job_title,job_role,draup_role,occupation,job_family</c>
/// (any order, extra columns ignored), then one role per row; fields may be quoted (<c>"Walmart, Inc."</c>, with
/// <c>""</c> for a quote, line breaks allowed inside quotes). Rows of one company may be anywhere; companies keep the
/// order of their first row.</item>
/// </list>
/// Every field is required and job ids are unique; a bad row fails construction with a
/// <see cref="TaxonomyFileException"/> naming the file and line. Names are matched like
/// <see cref="SampleTaxonomyProvider"/> does: case- and whitespace-insensitively, companies also by slug, a role by
/// job title before job role.
/// </summary>
public sealed class FileTaxonomyProvider : ITaxonomyProvider
{
    public static readonly IReadOnlyList<string> CsvColumns = ["company", "job_id", "job_title", "job_role", "draup_role", "occupation", "job_family"];

    readonly List<SampleDataCatalog.Company> _companies;

    public FileTaxonomyProvider(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FilePath = Path.GetFullPath(path);
        if (!File.Exists(FilePath))
        {
            throw new TaxonomyFileException(FilePath, null, "the file does not exist (check Etter:Taxonomy:File).", new FileNotFoundException(null, FilePath));
        }

        var builder = new Builder(FilePath);
        switch (Path.GetExtension(FilePath).ToLowerInvariant())
        {
            case ".json":
                JsonTaxonomy.Read(File.ReadAllBytes(FilePath), builder);
                break;
            case ".csv":
                CsvTaxonomy.Read(File.ReadAllText(FilePath, Encoding.UTF8), builder);
                break;
            default:
                throw new TaxonomyFileException(FilePath, null, "the file name must end in .json or .csv, which tells how to read it.");
        }

        _companies = builder.Build();
        CompanyNames = _companies.Select(c => c.Name).ToList().AsReadOnly();
    }

    /// <summary>The full path the taxonomy was read from.</summary>
    public string FilePath { get; }

    public IReadOnlyList<string> CompanyNames { get; }

    public IReadOnlyList<string> GetCompanies() => CompanyNames;

    public IReadOnlyList<TaxonomyRole> GetRoles(string companyName)
    {
        ArgumentNullException.ThrowIfNull(companyName);
        return FindCompany(companyName)?.Roles ?? [];
    }

    public TaxonomyRole? FindRole(string companyName, string roleName)
    {
        ArgumentNullException.ThrowIfNull(companyName);
        ArgumentNullException.ThrowIfNull(roleName);
        var company = FindCompany(companyName);
        return company is null ? null : SampleDataCatalog.FindRole(company, roleName);
    }

    /// <summary>Exact (normalized) name first, then the slug, as <see cref="SampleTaxonomyProvider"/> does.</summary>
    SampleDataCatalog.Company? FindCompany(string name)
    {
        var key = TaxonomyNames.Normalize(name);
        if (key.Length == 0)
        {
            return null;
        }

        var slug = TaxonomyNames.Slug(name);
        return _companies.FirstOrDefault(c => TaxonomyNames.Normalize(c.Name) == key)
            ?? (slug.Length == 0 ? null : _companies.FirstOrDefault(c => TaxonomyNames.Slug(c.Name) == slug));
    }

    /// <summary>Collects roles by company, checking every field and job id uniqueness as rows arrive.</summary>
    sealed class Builder(string path)
    {
        readonly List<(string Name, List<TaxonomyRole> Roles)> _companies = [];
        readonly Dictionary<string, int> _jobIdLines = new(StringComparer.OrdinalIgnoreCase);

        public TaxonomyFileException Error(int? line, string problem, Exception? inner = null) => new(path, line, problem, inner);

        /// <summary>Starts a company (JSON); listing the same company twice is an error.</summary>
        public void AddCompany(string? name, int line)
        {
            var company = Required(name, "company name", line);
            if (IndexOf(company) >= 0)
            {
                throw Error(line, $"company '{company}' is listed twice.");
            }

            _companies.Add((company, []));
        }

        /// <summary>Adds a role to the named company, starting the company on its first row (CSV).</summary>
        public void AddRole(string? company, IReadOnlyDictionary<string, string?> fields, int line)
        {
            var companyName = Required(company, "company", line);
            var index = IndexOf(companyName);
            if (index < 0)
            {
                _companies.Add((companyName, []));
                index = _companies.Count - 1;
            }

            var role = new TaxonomyRole(
                Required(fields.GetValueOrDefault("job_id"), "job_id", line),
                Required(fields.GetValueOrDefault("job_title"), "job_title", line),
                Required(fields.GetValueOrDefault("job_role"), "job_role", line),
                Required(fields.GetValueOrDefault("draup_role"), "draup_role", line),
                Required(fields.GetValueOrDefault("occupation"), "occupation", line),
                Required(fields.GetValueOrDefault("job_family"), "job_family", line));
            if (_jobIdLines.TryGetValue(role.JobId, out var firstLine))
            {
                throw Error(line, $"job_id '{role.JobId}' is already used on line {firstLine}.");
            }

            _jobIdLines[role.JobId] = line;
            _companies[index].Roles.Add(role);
        }

        /// <summary>Adds a role to the company started last (JSON).</summary>
        public void AddRoleToLast(IReadOnlyDictionary<string, string?> fields, int line) =>
            AddRole(_companies[^1].Name, fields, line);

        public List<SampleDataCatalog.Company> Build() =>
            _companies.Count == 0
                ? throw Error(null, "it lists no companies.")
                : [.. _companies.Select(c => new SampleDataCatalog.Company(c.Name, c.Roles.AsReadOnly()))];

        int IndexOf(string company) =>
            _companies.FindIndex(c => TaxonomyNames.Normalize(c.Name) == TaxonomyNames.Normalize(company));

        string Required(string? value, string field, int line) =>
            string.IsNullOrWhiteSpace(value) ? throw Error(line, $"{field} is missing or empty.") : value.Trim();
    }

    /// <summary>Reads the JSON shape token by token, so every problem can name its line.</summary>
    static class JsonTaxonomy
    {
        public static void Read(byte[] bytes, Builder builder)
        {
            var json = bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsSpan(3) : bytes.AsSpan();
            var lines = new LineCounter(json.ToArray());
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    throw builder.Error(1, "expected a JSON object with a \"companies\" array.");
                }

                var sawCompanies = false;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString();
                    reader.Read();
                    if (name == "companies")
                    {
                        sawCompanies = true;
                        Expect(ref reader, JsonTokenType.StartArray, "\"companies\" must be an array", lines, builder);
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            ReadCompany(ref reader, lines, builder);
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }

                if (!sawCompanies)
                {
                    throw builder.Error(null, "it has no \"companies\" array.");
                }
            }
            catch (JsonException ex)
            {
                throw builder.Error((int)(ex.LineNumber ?? 0) + 1, $"it is not valid JSON ({ex.Message})", ex);
            }
        }

        static void ReadCompany(ref Utf8JsonReader reader, LineCounter lines, Builder builder)
        {
            var line = lines.At(reader.TokenStartIndex);
            Expect(ref reader, JsonTokenType.StartObject, "each entry of \"companies\" must be an object", lines, builder);
            string? name = null;
            var roles = new List<(Dictionary<string, string?> Fields, int Line)>();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.GetString();
                reader.Read();
                switch (property)
                {
                    case "name":
                        name = StringValue(ref reader, "name", lines, builder);
                        break;
                    case "roles":
                        Expect(ref reader, JsonTokenType.StartArray, "\"roles\" must be an array", lines, builder);
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            roles.Add(ReadRole(ref reader, lines, builder));
                        }

                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            builder.AddCompany(name, line);
            foreach (var (fields, roleLine) in roles)
            {
                builder.AddRoleToLast(fields, roleLine);
            }
        }

        static (Dictionary<string, string?> Fields, int Line) ReadRole(ref Utf8JsonReader reader, LineCounter lines, Builder builder)
        {
            var line = lines.At(reader.TokenStartIndex);
            Expect(ref reader, JsonTokenType.StartObject, "each entry of \"roles\" must be an object", lines, builder);
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.GetString()!;
                reader.Read();
                if (CsvColumns.Contains(property))
                {
                    fields[property] = StringValue(ref reader, property, lines, builder);
                }
                else
                {
                    reader.Skip();
                }
            }

            return (fields, line);
        }

        static string? StringValue(ref Utf8JsonReader reader, string property, LineCounter lines, Builder builder) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw builder.Error(lines.At(reader.TokenStartIndex), $"\"{property}\" must be a string, not {reader.TokenType}."),
        };

        static void Expect(ref Utf8JsonReader reader, JsonTokenType expected, string problem, LineCounter lines, Builder builder)
        {
            if (reader.TokenType != expected)
            {
                throw builder.Error(lines.At(reader.TokenStartIndex), $"{problem} (found {reader.TokenType}).");
            }
        }
    }

    /// <summary>Turns byte offsets into 1-based line numbers; offsets are asked for in increasing order.</summary>
    sealed class LineCounter(byte[] bytes)
    {
        long _offset;
        int _line = 1;

        public int At(long offset)
        {
            if (offset < _offset)
            {
                _offset = 0;
                _line = 1;
            }

            for (; _offset < offset && _offset < bytes.Length; _offset++)
            {
                if (bytes[_offset] == (byte)'\n')
                {
                    _line++;
                }
            }

            return _line;
        }
    }

    /// <summary>RFC 4180 CSV with a header row; quoted fields may hold commas, quotes ("") and line breaks.</summary>
    static class CsvTaxonomy
    {
        public static void Read(string text, Builder builder)
        {
            var records = Records(text.TrimStart('\uFEFF'), builder).Where(r => r.Fields.Exists(f => f.Trim().Length > 0));
            Dictionary<string, int>? columns = null;
            var width = 0;
            foreach (var (line, fields) in records)
            {
                if (columns is null)
                {
                    columns = Header(fields, line, builder);
                    width = fields.Count;
                    continue;
                }

                if (fields.Count != width)
                {
                    throw builder.Error(line, $"expected {width} fields as in the header, found {fields.Count}.");
                }

                var values = CsvColumns.ToDictionary(c => c, c => (string?)fields[columns[c]], StringComparer.Ordinal);
                builder.AddRole(values["company"], values, line);
            }

            if (columns is null)
            {
                throw builder.Error(null, $"it is empty; expected a header row: {string.Join(',', CsvColumns)}.");
            }
        }

        static Dictionary<string, int> Header(List<string> fields, int line, Builder builder)
        {
            var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < fields.Count; i++)
            {
                var name = fields[i].Trim();
                if (name.Length > 0 && !columns.TryAdd(name, i))
                {
                    throw builder.Error(line, $"the header names column '{name}' twice.");
                }
            }

            var missing = CsvColumns.Where(c => !columns.ContainsKey(c)).ToList();
            if (missing.Count > 0)
            {
                throw builder.Error(line, $"the header lacks {string.Join(", ", missing)}; expected {string.Join(',', CsvColumns)}.");
            }

            return columns;
        }

        /// <summary>Each record with the line it starts on.</summary>
        static IEnumerable<(int Line, List<string> Fields)> Records(string text, Builder builder)
        {
            var line = 1;
            var i = 0;
            while (i < text.Length)
            {
                var start = line;
                var fields = new List<string>();
                var field = new StringBuilder();
                var endOfRecord = false;
                while (!endOfRecord)
                {
                    if (i < text.Length && text[i] == '"')
                    {
                        var quoteLine = line;
                        i++;
                        while (true)
                        {
                            if (i >= text.Length)
                            {
                                throw builder.Error(quoteLine, "a quoted field is never closed.");
                            }

                            var c = text[i++];
                            if (c == '"')
                            {
                                if (i < text.Length && text[i] == '"')
                                {
                                    field.Append('"');
                                    i++;
                                    continue;
                                }

                                break;
                            }

                            if (c == '\n')
                            {
                                line++;
                            }

                            field.Append(c);
                        }

                        // Only spaces may sit between the closing quote and the next separator.
                        while (i < text.Length && text[i] is ' ' or '\t')
                        {
                            i++;
                        }

                        if (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                        {
                            throw builder.Error(line, $"unexpected '{text[i]}' after a quoted field (a quote inside a field is written \"\").");
                        }
                    }

                    while (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                    {
                        field.Append(text[i++]);
                    }

                    fields.Add(field.ToString());
                    field.Clear();
                    if (i >= text.Length)
                    {
                        endOfRecord = true;
                    }
                    else if (text[i] == ',')
                    {
                        i++;
                    }
                    else
                    {
                        i += text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                        line++;
                        endOfRecord = true;
                    }
                }

                yield return (start, fields);
            }
        }
    }
}
