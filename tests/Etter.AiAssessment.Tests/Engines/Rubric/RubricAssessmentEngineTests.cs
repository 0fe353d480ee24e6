using System.Globalization;
using System.Text;
using System.Text.Json;
using Etter.AiAssessment.Engines;
using Etter.AiAssessment.Engines.Rubric;
using Etter.AiAssessment.Engines.Scoring;
using Etter.Contracts;
using Etter.RoleSetup.Taxonomy;
using Xunit.Abstractions;

namespace Etter.AiAssessment.Tests.Engines.Rubric;

public sealed class RubricAssessmentEngineTests(ITestOutputHelper output)
{
    const string PhysicalAndInterpersonalJd = """
        # Stock Associate

        ## Key Responsibilities

        - Unload delivery trucks and stock shelves by hand
        - Greet shoppers and comfort upset customers face to face
        - Lead and motivate a crew of associates on the sales floor
        - Coach and mentor new hires in person
        - Walk the aisles, lift heavy boxes and keep the store clean
        - Build relationships with regular customers and local community groups

        ## Requirements

        - Able to lift 50 pounds
        """;

    const string DataEntryAndReportingJd = """
        # Data Entry Clerk

        ## Key Responsibilities

        - Enter purchase orders and invoices into the ERP system
        - Compile daily sales figures into spreadsheets and generate weekly reports
        - Reconcile vendor statements against payment records
        - Process refund requests and update account records
        - Schedule deliveries and file shipping paperwork
        - Monitor the order queue and flag exceptions

        ## Requirements

        - Typing speed of 50 words per minute
        """;

    const string MixedJd = """
        # Office Coordinator

        ## Key Responsibilities

        - Greet visitors in person and look after the front desk
        - Analyze office spending and research cheaper suppliers
        - Draft the monthly staff newsletter
        - Review expense claims against the travel policy
        - Keep the kitchen and meeting rooms tidy

        ## Requirements

        - 2+ years in an office role
        """;

    /// <summary>Activities whose cues point only at automation modes, each at full strength.</summary>
    static readonly string[] AutomatableTasks =
    [
        "Enter timesheets into the payroll system",
        "Compile and reconcile the monthly expense report",
        "Monitor the order queue and flag exceptions",
        "Schedule deliveries and update the shipping records",
    ];

    static readonly RubricAssessmentEngine Engine = new();

    public static TheoryData<string> SampleRoleKeys
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var (company, role) in SampleRoles())
            {
                data.Add($"{company}|{role}");
            }

            return data;
        }
    }

    public static TheoryData<string> AllJdKeys
    {
        get
        {
            var data = new TheoryData<string>("physical", "data-entry", "mixed");
            foreach (var (company, role) in SampleRoles())
            {
                data.Add($"{company}|{role}");
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(AllJdKeys))]
    public async Task AnyJd_ScoresStayWithinRangeAndPartsAddUp(string key)
    {
        var result = await Assess(Jd(key));

        Assert.InRange(result.AiAutomationScore, 0, 100);
        Assert.InRange(result.AiAutomationPotentialScore, 0, 100);
        Assert.InRange(result.AiAugmentationPotentialScore, 0, 100);
        Assert.InRange(result.AiAutomationPotentialScore + result.AiAugmentationPotentialScore, result.AiAutomationScore - 0.2, result.AiAutomationScore + 0.2);
        Assert.Equal(result.AiAutomationScore, result.FinalScore);
    }

    [Theory]
    [MemberData(nameof(AllJdKeys))]
    public async Task IdenticalInput_GivesIdenticalSerializedOutput(string key)
    {
        var jd = Jd(key);

        var first = await Assess(jd);
        var second = await new RubricAssessmentEngine().AssessAsync(Request(jd), null, CancellationToken.None);

        Assert.Equal(JsonSerializer.Serialize(first), JsonSerializer.Serialize(second));
    }

    [Fact]
    public async Task PhysicalAndInterpersonalJd_ScoresBelow25()
    {
        var result = await Assess(PhysicalAndInterpersonalJd);

        Assert.True(result.AiAutomationScore < 25, $"Expected < 25, got {result.AiAutomationScore}.");
        Assert.Equal(6, result.KeyMetrics.HumanTasks);
    }

    [Fact]
    public async Task DataEntryAndReportGenerationJd_ScoresAbove70()
    {
        var result = await Assess(DataEntryAndReportingJd);

        Assert.True(result.AiAutomationScore > 70, $"Expected > 70, got {result.AiAutomationScore}.");
        Assert.True(result.AiAutomationPotentialScore > result.AiAugmentationPotentialScore);
        Assert.Equal(6, result.KeyMetrics.AutomatableTasks);
    }

    [Theory]
    [MemberData(nameof(AllJdKeys))]
    public async Task AddingAnAutomatableTask_NeverLowersAutomationPotential(string key)
    {
        var jd = Jd(key);
        var before = await Assess(jd);
        var activitiesBefore = WorkloadActivityParser.Parse(jd).Count;

        foreach (var task in AutomatableTasks)
        {
            Assert.True(Engine.Classify(new WorkloadActivity(task, null, null)).Automation > 0.8, $"'{task}' is not automatable enough to test with.");
            var extended = WithExtraTask(jd, task);
            var after = await Assess(extended);

            Assert.Equal(activitiesBefore + 1, WorkloadActivityParser.Parse(extended).Count);
            Assert.True(
                after.AiAutomationPotentialScore >= before.AiAutomationPotentialScore,
                $"{key}: adding '{task}' lowered automation potential from {before.AiAutomationPotentialScore} to {after.AiAutomationPotentialScore}.");
        }
    }

    [Fact]
    public async Task SampleJds_GetPlausibleAndDistinctScores()
    {
        var scores = new Dictionary<string, double>();
        foreach (var (company, role) in SampleRoles())
        {
            var result = await Assess(SampleJd(company, role), role);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{company,-18} {role,-30} {result.AiAutomationScore,5:0.0} (automation {result.AiAutomationPotentialScore:0.0}, augmentation {result.AiAugmentationPotentialScore:0.0})"));
            scores[role] = result.AiAutomationScore;
        }

        Assert.Equal(8, scores.Count);
        Assert.All(scores, s => Assert.InRange(s.Value, 10, 95));
        Assert.Equal(scores.Count, scores.Values.Distinct().Count());
    }

    [Theory]
    [InlineData("Risk Analyst")]
    [InlineData("Supply Chain Analyst")]
    [InlineData("Data Scientist")]
    public async Task DataAndReportHeavySampleRole_OutscoresStoreManagerAndClaimsAdjuster(string role)
    {
        var company = SampleRoles().Single(r => r.Role == role).Company;

        var score = (await Assess(SampleJd(company, role))).AiAutomationScore;
        var storeManager = (await Assess(SampleJd("Walmart Inc.", "Store Manager"))).AiAutomationScore;
        var claimsAdjuster = (await Assess(SampleJd("Liberty Mutual", "Claims Adjuster"))).AiAutomationScore;

        Assert.True(score > storeManager, $"{role} {score} <= Store Manager {storeManager}.");
        Assert.True(score > claimsAdjuster, $"{role} {score} <= Claims Adjuster {claimsAdjuster}.");
    }

    [Theory]
    [MemberData(nameof(SampleRoleKeys))]
    public async Task SampleJd_RewrittenInOtherShapes_ScoresTheSame(string key)
    {
        var raw = Jd(key);
        var activities = WorkloadActivityParser.Parse(raw);

        var original = await Assess(raw);
        var canonical = await Assess(Canonical(key.Split('|')[1], activities));
        var plainText = await Assess(PlainText(key.Split('|')[1], activities));
        var windowsLineEndings = await Assess(raw.Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.Equal(original.AiAutomationScore, canonical.AiAutomationScore);
        Assert.Equal(original.AiAutomationScore, plainText.AiAutomationScore);
        Assert.Equal(original.AiAutomationScore, windowsLineEndings.AiAutomationScore);
    }

    [Fact]
    public async Task Result_IsLabelledRubricWithTheLexiconVersion()
    {
        var result = await Assess(MixedJd);

        Assert.Equal("rubric", result.Engine);
        Assert.Equal(RubricLexicon.Default.Version, result.EngineVersion);
        Assert.StartsWith("rubric-", result.EngineVersion, StringComparison.Ordinal);
        Assert.False(result.IsMock);
        Assert.Null(result.TokenUsage);
        Assert.Equal(5, result.TaskAnalysis.TaskCount);
        Assert.Equal(TaskAnalysisTable.StandardHeaders, result.TaskAnalysis.TaskAnalysisTable.Headers);
    }

    [Fact]
    public void Rationale_NamesTheCuesThatMatched()
    {
        var classification = Engine.Classify(new WorkloadActivity("Negotiate settlements on site and enter the agreed amounts", null, null));

        Assert.Contains("\"negotiate\"", classification.Rationale, StringComparison.Ordinal);
        Assert.Contains("\"on site\"", classification.Rationale, StringComparison.Ordinal);
        Assert.Contains("\"enter\"", classification.Rationale, StringComparison.Ordinal);
        Assert.True(classification.Human > classification.Automation);
    }

    [Fact]
    public async Task ImpactAnalysis_ExplainsDriversWithTheirCues()
    {
        var result = await Assess(DataEntryAndReportingJd);

        Assert.Contains("Cues:", result.ImpactAnalysis, StringComparison.Ordinal);
        Assert.Contains("Directive", result.ImpactAnalysis, StringComparison.Ordinal);
    }

    [Fact]
    public void ActivityWithoutCues_GetsTheNeutralSplit()
    {
        var classification = Engine.Classify(new WorkloadActivity("Own the quarterly offsite agenda", null, null));

        foreach (var (mode, share) in RubricLexicon.Default.NeutralSplit)
        {
            Assert.Equal(share, classification.Share(mode), 9);
        }

        Assert.Contains("neutral", classification.Rationale, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Reconcile vendor statements")]
    [InlineData("Reconciled vendor statements")]
    [InlineData("Reconciles vendor statement")]
    [InlineData("Reconciling vendor statements")]
    [InlineData("RECONCILE VENDOR-STATEMENTS")]
    public void InflectedOrDifferentlyWrittenWords_MatchTheSameCue(string text)
    {
        var classification = Engine.Classify(new WorkloadActivity(text, null, null));

        Assert.Contains("\"reconcile\"", classification.Rationale, StringComparison.Ordinal);
        Assert.Equal(
            Engine.Classify(new WorkloadActivity("Reconcile vendor statements", null, null)).Automation,
            classification.Automation,
            9);
    }

    [Fact]
    public void PhraseCue_ClaimsItsWordsBeforeSingleWordCues()
    {
        var classification = Engine.Classify(new WorkloadActivity("Build lasting relationships with key brokers", null, null));

        Assert.Contains("\"build relationship\"", classification.Rationale, StringComparison.Ordinal);
        Assert.DoesNotContain("\"build\"", classification.Rationale, StringComparison.Ordinal);
        Assert.True(classification.Human > 0.8);
    }

    [Fact]
    public void SetPhrase_HidesItsWordsFromOtherCues()
    {
        var classification = Engine.Classify(new WorkloadActivity("Greet guests in order to welcome them", null, null));

        Assert.DoesNotContain("\"order\"", classification.Rationale, StringComparison.Ordinal);
        Assert.DoesNotContain("in order to", classification.Rationale, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllJdKeys))]
    public void EveryActivity_HasSharesSummingToOne(string key)
    {
        foreach (var activity in WorkloadActivityParser.Parse(Jd(key)))
        {
            var classification = Engine.Classify(activity);

            Assert.Equal(1, classification.Shares.Values.Sum(), 9);
            Assert.All(classification.Shares.Values, s => Assert.InRange(s, 0, 1));
        }
    }

    [Fact]
    public async Task StatedPercentages_WeightTheActivities()
    {
        const string Template = """
            ## Responsibilities
            - Enter invoices into the billing system ({0}%)
            - Negotiate contracts with suppliers in person ({1}%)
            """;

        var mostlyEntry = await Assess(string.Format(CultureInfo.InvariantCulture, Template, 80, 20));
        var mostlyNegotiation = await Assess(string.Format(CultureInfo.InvariantCulture, Template, 20, 80));

        Assert.True(mostlyEntry.AiAutomationScore > mostlyNegotiation.AiAutomationScore + 30);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n  ")]
    [InlineData("# Title only")]
    public async Task JdWithNothingToAssess_FailsWithoutRetry(string jd)
    {
        var error = await Assert.ThrowsAsync<AssessmentEngineException>(() => Assess(jd));

        Assert.Equal(ErrorCodes.AssessmentFailed, error.Error.Code);
        Assert.False(error.Error.Recoverable);
    }

    [Fact]
    public async Task JdWithoutBullets_IsAssessedSentenceBySentence()
    {
        const string Prose = """
            Payroll Clerk

            You will enter timesheets into the payroll system every day. You will reconcile the payroll ledger at month end. You will also generate the weekly overtime report.
            """;

        var result = await Assess(Prose);

        Assert.Equal(3, result.TaskAnalysis.TaskCount);
        Assert.True(result.AiAutomationScore > 70);
    }

    [Fact]
    public void PlainTextHeadings_KeepRequirementsOutOfTheActivities()
    {
        const string Jd = """
            Claims Assistant
            Duties:
            • Enter claim details into the system
            Field work:
            • Visit claimants at home
            Qualifications:
            • Two years of experience
            """;

        var activities = WorkloadActivityParser.Parse(Jd);

        Assert.Equal(["Enter claim details into the system", "Visit claimants at home"], activities.Select(a => a.Text));
        Assert.Equal("Field work", activities[1].Group);
    }

    [Fact]
    public void NestedSubHeadings_GroupActivitiesEvenWhenTheyReadLikeOtherSections()
    {
        const string Jd = """
            # Service Desk Lead

            ## Key Responsibilities

            ### Customer experience
            - Respond to customer tickets within the agreed SLA (60%)

            ### Reporting
            - Compile the weekly ticket report (40%)

            ## Requirements
            - Three years on a service desk
            """;

        var activities = WorkloadActivityParser.Parse(Jd);

        Assert.Equal(["Customer experience", "Reporting"], activities.Select(a => a.Group));
        Assert.Equal([60.0, 40.0], activities.Select(a => a.WeightPercent ?? 0));
    }

    [Fact]
    public async Task CancelledRequest_IsNotAssessed()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Engine.AssessAsync(Request(MixedJd), null, cancelled.Token));
    }

    [Fact]
    public async Task CustomLexicon_DrivesScoresAndVersion()
    {
        const string Lexicon = """
            {
              "version": "rubric-test.1",
              "neutral_split": { "negligibility": 1.0 },
              "cues": [ { "weights": { "directive": 1.0 }, "match": ["greet"] } ]
            }
            """;
        var engine = new RubricAssessmentEngine(RubricLexicon.Parse(Lexicon));

        var result = await engine.AssessAsync(Request("- Greet visitors\n- Water the plants"), null, CancellationToken.None);

        Assert.Equal("rubric-test.1", result.EngineVersion);
        Assert.Equal(40, result.AiAutomationPotentialScore);
    }

    [Theory]
    [InlineData("""{ "version": "v", "neutral_split": { "negligibility": 1 }, "cues": [ { "weights": { "telepathy": 1 }, "match": ["x"] } ] }""")]
    [InlineData("""{ "version": "v", "neutral_split": { "negligibility": 0.5 }, "cues": [ { "weights": { "directive": 1 }, "match": ["x"] } ] }""")]
    [InlineData("""{ "version": "v", "neutral_split": { "negligibility": 1 }, "cues": [ { "weights": { "directive": 1 }, "match": ["negotiate", "negotiation"] } ] }""")]
    [InlineData("""{ "version": "v", "neutral_split": { "negligibility": 1 }, "cues": [ { "weigths": { "directive": 1 }, "match": ["x"] } ] }""")]
    [InlineData("""{ "neutral_split": { "negligibility": 1 }, "cues": [ { "weights": { "directive": 1 }, "match": ["x"] } ] }""")]
    [InlineData("""{ "version": "v", "neutral_split": { "negligibility": 1 }, "cues": [] }""")]
    [InlineData("not json")]
    public void MalformedLexicon_IsRejected(string json)
    {
        Assert.Throws<InvalidDataException>(() => RubricLexicon.Parse(json));
    }

    static Task<AssessmentResult> Assess(string jd, string role = "Test Role") =>
        Engine.AssessAsync(Request(jd, role), null, CancellationToken.None);

    static AssessmentRequest Request(string jd, string role = "Test Role") => new("Test Co", role, null, jd);

    static IEnumerable<(string Company, string Role)> SampleRoles()
    {
        var taxonomy = new SampleTaxonomyProvider();
        return taxonomy.GetCompanies().SelectMany(c => taxonomy.GetRoles(c).Select(r => (c, r.JobTitle)));
    }

    static string SampleJd(string company, string role) =>
        new SampleJobDescriptions().Find(company, role) ?? throw new InvalidOperationException($"No sample JD for {company} / {role}.");

    static string Jd(string key) => key switch
    {
        "physical" => PhysicalAndInterpersonalJd,
        "data-entry" => DataEntryAndReportingJd,
        "mixed" => MixedJd,
        _ => SampleJd(key.Split('|')[0], key.Split('|')[1]),
    };

    /// <summary>
    /// Puts the task right after the first responsibility, so it lands inside the responsibilities section
    /// whatever the JD's layout; gives it a share of time when every other activity states one.
    /// </summary>
    static string WithExtraTask(string jd, string task)
    {
        var activities = WorkloadActivityParser.Parse(jd);
        var lines = jd.Split('\n').ToList();
        var index = lines.FindIndex(l => l.Contains(activities[0].Text, StringComparison.Ordinal));
        var weighted = activities.All(a => a.WeightPercent is > 0);
        lines.Insert(index + 1, weighted ? $"- {task} (10%)" : $"- {task}");
        return string.Join('\n', lines);
    }

    /// <summary>The shape our JD formatter writes: H1 title, overview, "Key Responsibilities" with ### groups, requirements.</summary>
    static string Canonical(string title, IReadOnlyList<WorkloadActivity> activities)
    {
        var text = new StringBuilder();
        text.Append("# ").AppendLine(title).AppendLine();
        text.AppendLine("## Overview").AppendLine().AppendLine("A role on a busy team.").AppendLine();
        text.AppendLine("## Key Responsibilities").AppendLine();
        string? group = null;
        foreach (var activity in activities)
        {
            if (activity.Group != group && activity.Group is not null)
            {
                text.AppendLine().Append("### ").AppendLine(activity.Group).AppendLine();
            }

            group = activity.Group;
            text.Append("- ").AppendLine(WithPercent(activity));
        }

        text.AppendLine().AppendLine("## Requirements").AppendLine().AppendLine("- Five years of experience managing data entry and reports");
        return text.ToString();
    }

    /// <summary>A hand-typed shape: no markdown, "Label:" headings, numbered duties, a requirements list that must be ignored.</summary>
    static string PlainText(string title, IReadOnlyList<WorkloadActivity> activities)
    {
        var text = new StringBuilder();
        text.AppendLine(title).AppendLine().AppendLine("We are hiring.").AppendLine().AppendLine("Responsibilities:");
        string? group = null;
        var number = 1;
        foreach (var activity in activities)
        {
            if (activity.Group != group && activity.Group is not null)
            {
                text.Append(activity.Group).AppendLine(":");
            }

            group = activity.Group;
            text.Append(CultureInfo.InvariantCulture, $"{number++}. ").AppendLine(WithPercent(activity));
        }

        text.AppendLine().AppendLine("Requirements:").AppendLine("• Negotiate, coach and travel in person");
        return text.ToString();
    }

    static string WithPercent(WorkloadActivity activity) =>
        activity.WeightPercent is { } percent
            ? string.Create(CultureInfo.InvariantCulture, $"{activity.Text} ({percent}%)")
            : activity.Text;
}
