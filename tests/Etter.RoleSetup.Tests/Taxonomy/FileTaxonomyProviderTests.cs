using Etter.RoleSetup.Taxonomy;
using Etter.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Etter.RoleSetup.Tests.Taxonomy;

public sealed class FileTaxonomyProviderTests : IDisposable
{
    const string Header = "company,job_id,job_title,job_role,draup_role,occupation,job_family";

    readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    string Write(string fileName, string content)
    {
        var path = Path.Combine(_directory.Path, fileName);
        File.WriteAllText(path, content);
        return path;
    }

    static string EmbeddedSampleTaxonomy()
    {
        using var stream = typeof(SampleTaxonomyProvider).Assembly.GetManifestResourceStream("Etter.SampleData.taxonomy.json")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [Fact]
    public void Json_SameShapeAsTheSampleTaxonomy_ReadsTheSameCompaniesAndRoles()
    {
        var sample = new SampleTaxonomyProvider();

        var file = new FileTaxonomyProvider(Write("taxonomy.json", EmbeddedSampleTaxonomy()));

        Assert.Equal(sample.GetCompanies(), file.GetCompanies());
        foreach (var company in sample.GetCompanies())
        {
            Assert.Equal(sample.GetRoles(company), file.GetRoles(company));
        }

        Assert.Equal("LM-002", file.FindRole("liberty mutual", "Underwriter")?.JobId);
        Assert.Equal(3, file.GetRoles("walmart-inc").Count);
    }

    [Fact]
    public void Json_CommentsTrailingCommasAndExtraProperties_AreAccepted()
    {
        var path = Write("t.json", """
            {
              // our own taxonomy
              "version": 2,
              "companies": [
                { "roles": [
                    { "job_id": "G-1", "job_title": "Analyst", "job_role": "Analyst", "draup_role": "Business Analyst",
                      "occupation": "Analysts", "job_family": "Finance", "level": { "min": 1 } },
                  ],
                  "name": "Globex", },
              ],
            }
            """);

        var taxonomy = new FileTaxonomyProvider(path);

        Assert.Equal(["Globex"], taxonomy.GetCompanies());
        Assert.Equal("Business Analyst", taxonomy.FindRole("GLOBEX", "analyst")?.DraupRole);
    }

    [Fact]
    public void Json_RoleMissingAField_FailsNamingItsLine()
    {
        var path = Write("t.json", """
            {
              "companies": [
                {
                  "name": "Globex",
                  "roles": [
                    { "job_id": "G-1", "job_title": "Analyst", "job_role": "Analyst", "draup_role": "Analyst", "occupation": "Analysts", "job_family": "Finance" },
                    { "job_id": "G-2", "job_role": "Clerk", "draup_role": "Clerk", "occupation": "Clerks", "job_family": "Admin" }
                  ]
                }
              ]
            }
            """);

        var error = Assert.Throws<TaxonomyFileException>(() => new FileTaxonomyProvider(path));

        Assert.Equal(7, error.LineNumber);
        Assert.Contains($"'{path}', line 7: job_title is missing or empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_WrongValueType_FailsNamingItsLine()
    {
        var path = Write("t.json", "{\n\"companies\": [\n{ \"name\": \"Globex\",\n \"roles\": [ { \"job_id\": 17 } ] } ] }");

        var error = Assert.Throws<TaxonomyFileException>(() => new FileTaxonomyProvider(path));

        Assert.Equal(4, error.LineNumber);
        Assert.Contains("\"job_id\" must be a string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_Malformed_FailsNamingTheLine()
    {
        var path = Write("t.json", "{\n  \"companies\": [\n    { \"name\": \"Globex\" \n    \"roles\": [] }\n  ]\n}");

        var error = Assert.Throws<TaxonomyFileException>(() => new FileTaxonomyProvider(path));

        Assert.Equal(4, error.LineNumber);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_DuplicateCompanyOrJobId_Fails()
    {
        var role = "{ \"job_id\": \"G-1\", \"job_title\": \"A\", \"job_role\": \"A\", \"draup_role\": \"A\", \"occupation\": \"A\", \"job_family\": \"A\" }";
        var twice = Write("twice.json", $"{{\"companies\": [\n{{\"name\": \"Globex\", \"roles\": []}},\n{{\"name\": \" globex \", \"roles\": []}}]}}");
        var sameId = Write("same-id.json", $"{{\"companies\": [\n{{\"name\": \"Globex\", \"roles\": [\n{role},\n{role}]}}]}}");

        Assert.Contains("line 3: company 'globex' is listed twice", Assert.Throws<TaxonomyFileException>(() => new FileTaxonomyProvider(twice)).Message, StringComparison.Ordinal);
        Assert.Contains("line 4: job_id 'G-1' is already used on line 3", Assert.Throws<TaxonomyFileException>(() => new FileTaxonomyProvider(sameId)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_QuotedFieldsAndRowsOfACompanyAnywhere_AreGroupedInFirstSeenOrder()
    {
        var path = Write("taxonomy.csv", string.Join("\r\n",
            Header,
            "\"Walmart, Inc.\",W-1,Store Manager,Store Manager,Store Manager,General and Operations Managers,Retail",
            "Globex,G-1,\"Analyst \"\"Level 2\"\"\",Analyst,Business Analyst,\"Analysts,\nand others\",Finance",
            "",
            "\"  walmart,  INC. \",W-2,Cashier,Cashier,Cashier,Cashiers,Retail",
            "\"Walmart, Inc.\",W-3,Stocker,Stocker,Stocker,Stockers,Retail") + "\r\n");

        var taxonomy = new FileTaxonomyProvider(path);

        Assert.Equal(["Walmart, Inc.", "Globex"], taxonomy.GetCompanies());
        Assert.Equal(["W-1", "W-2", "W-3"], taxonomy.GetRoles("walmart inc").Select(r => r.JobId));
        var analyst = taxonomy.FindRole("Globex", "analyst")!;
        Assert.Equal("Analyst \"Level 2\"", analyst.JobTitle);
        Assert.Equal("Analysts,\nand others", analyst.Occupation);
    }

    [Fact]
    public void Csv_ColumnsInAnyOrderWithExtras_AreRead()
    {
        var path = Write("t.csv", "JOB_ID,notes,company,job_title,job_role,draup_role,occupation,job_family\nG-1,ignored,Globex,Analyst,Analyst,BA,Analysts,Finance\n");

        var role = new FileTaxonomyProvider(path).FindRole("Globex", "Analyst");

        Assert.Equal(new TaxonomyRole("G-1", "Analyst", "Analyst", "BA", "Analysts", "Finance"), role);
    }

    [Fact]
    public void Csv_BadRow_FailsNamingItsLine()
    {
        var path = Write("t.csv", string.Join("\n",
            Header,
            "Globex,G-1,Analyst,Analyst,BA,Analysts,Finance",
            "Globex,G-2,Clerk,Clerk,Clerk,Clerks,Admin",
            "Globex,G-3,,Writer,Writer,Writers,Media",
            "Globex,G-4,Tester,Tester,Tester,Testers,IT"));

        var error = Assert.Throws<TaxonomyFileException>(() => new FileTaxonomyProvider(path));

        Assert.Equal(4, error.LineNumber);
        Assert.Equal($"Taxonomy file '{path}', line 4: job_title is missing or empty.", error.Message);
    }

    [Theory]
    [InlineData("Globex,G-1,Analyst,Analyst,BA,Analysts", 2, "expected 7 fields as in the header, found 6")]
    [InlineData("Globex,G-1,Analyst,Analyst,BA,Analysts,Finance\nGlobex,g-1,Clerk,Clerk,Clerk,Clerks,Admin", 3, "job_id 'g-1' is already used on line 2")]
    [InlineData("\"Globex\nInc\",G-1,Analyst,Analyst,BA,Analysts,Finance\n,G-2,Clerk,Clerk,Clerk,Clerks,Admin", 4, "company is missing or empty")]
    [InlineData("Globex,G-1,\"Analyst,Analyst,BA,Analysts,Finance\n", 2, "a quoted field is never closed")]
    [InlineData("Globex,G-1,\"Analyst\"x,Analyst,BA,Analysts,Finance\n", 2, "unexpected 'x' after a quoted field")]
    public void Csv_Problems_NameTheirLine(string rows, int line, string problem)
    {
        var path = Write("t.csv", Header + "\n" + rows);

        var error = Assert.Throws<TaxonomyFileException>(() => new FileTaxonomyProvider(path));

        Assert.Equal(line, error.LineNumber);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_HeaderWithoutARequiredColumn_FailsOnLine1()
    {
        var path = Write("t.csv", "company,job_id,job_title,job_role,draup_role,occupation\nGlobex,G-1,A,A,A,A\n");

        var error = Assert.Throws<TaxonomyFileException>(() => new FileTaxonomyProvider(path));

        Assert.Equal(1, error.LineNumber);
        Assert.Contains("the header lacks job_family", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_EmptyFileOrUnknownExtension_FailClearly()
    {
        var missing = Path.Combine(_directory.Path, "nope.csv");

        Assert.Contains($"'{missing}': the file does not exist", Assert.Throws<TaxonomyFileException>(() => new FileTaxonomyProvider(missing)).Message, StringComparison.Ordinal);
        Assert.Contains("it is empty", Assert.Throws<TaxonomyFileException>(() => new FileTaxonomyProvider(Write("empty.csv", "\n"))).Message, StringComparison.Ordinal);
        Assert.Contains("lists no companies", Assert.Throws<TaxonomyFileException>(() => new FileTaxonomyProvider(Write("none.csv", Header + "\n"))).Message, StringComparison.Ordinal);
        Assert.Contains("must end in .json or .csv", Assert.Throws<TaxonomyFileException>(() => new FileTaxonomyProvider(Write("t.yaml", "x: 1"))).Message, StringComparison.Ordinal);
    }

    static ServiceProvider Services(IDictionary<string, string?> settings, Action<IServiceCollection>? before = null)
    {
        var services = new ServiceCollection();
        before?.Invoke(services);
        services.AddTaxonomy(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddTaxonomy_Default_IsTheSampleTaxonomyWithSampleJds()
    {
        using var provider = Services(new Dictionary<string, string?>());

        Assert.IsType<SampleTaxonomyProvider>(provider.GetRequiredService<ITaxonomyProvider>());
        Assert.IsType<SampleJobDescriptions>(provider.GetRequiredService<ISampleJobDescriptions>());
    }

    [Fact]
    public void AddTaxonomy_FileProvider_ReadsTheConfiguredFile()
    {
        var path = Write("t.csv", Header + "\nGlobex,G-1,Analyst,Analyst,BA,Analysts,Finance\n");

        using var provider = Services(new Dictionary<string, string?> { ["Etter:Taxonomy:Provider"] = "File", ["Etter:Taxonomy:File"] = path });

        var taxonomy = Assert.IsType<FileTaxonomyProvider>(provider.GetRequiredService<ITaxonomyProvider>());
        Assert.Equal(path, taxonomy.FilePath);
        Assert.Equal(["Globex"], taxonomy.GetCompanies());
    }

    [Theory]
    [InlineData("file", null, "Etter:Taxonomy:File is required")]
    [InlineData("file", "/no/such/taxonomy.csv", "does not exist")]
    [InlineData("database", null, "must be 'sample' or 'file'")]
    public void AddTaxonomy_BadSettings_FailValidation(string providerName, string? file, string problem)
    {
        using var provider = Services(new Dictionary<string, string?> { ["Etter:Taxonomy:Provider"] = providerName, ["Etter:Taxonomy:File"] = file });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TaxonomyOptions>>().Value);

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTaxonomy_KeepsAProviderRegisteredBefore()
    {
        var mine = new SampleTaxonomyProvider();

        using var provider = Services(new Dictionary<string, string?>(), services => services.AddSingleton<ITaxonomyProvider>(mine));

        Assert.Same(mine, provider.GetRequiredService<ITaxonomyProvider>());
    }
}
