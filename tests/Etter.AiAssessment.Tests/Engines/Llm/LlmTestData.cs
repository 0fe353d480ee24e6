using System.Text.Json.Nodes;
using Etter.AiAssessment.Engines;
using Etter.AiAssessment.Engines.Llm;
using Microsoft.Extensions.Logging.Abstractions;

namespace Etter.AiAssessment.Tests.Engines.Llm;

/// <summary>A JD, the replies a model could give for it, and engines pointed at a fake server.</summary>
internal static class LlmTestData
{
    public const string Model = "test-model";
    public const string ApiKey = "sk-test-not-a-secret";

    public const string JobDescription = """
        # Accounts Payable Specialist

        ## Overview

        Join the finance team of a mid-sized manufacturer.

        ## Key Responsibilities

        - Enter supplier invoices into the ERP system
        - Negotiate payment terms with key suppliers in person
        - Reconcile vendor statements and investigate differences

        ## Requirements

        - Two years of accounts payable experience
        """;

    public static readonly string[] Activities =
    [
        "Enter supplier invoices into the ERP system",
        "Negotiate payment terms with key suppliers in person",
        "Reconcile vendor statements and investigate differences",
    ];

    /// <summary>Directive, feedback loop, task iteration, learning, validation, negligibility per activity.</summary>
    public static readonly double[][] Splits =
    [
        [60, 10, 10, 5, 5, 10],
        [0, 0, 20, 10, 10, 60],
        [30, 20, 20, 10, 10, 10],
    ];

    public static AssessmentRequest Request(string jd = JobDescription) =>
        new("acme", "Accounts Payable Specialist", "Accounts Payable Clerk", jd);

    public static string ValidReply(IReadOnlyList<string>? texts = null, double[][]? splits = null)
    {
        texts ??= Activities;
        splits ??= Splits;
        var rows = new JsonArray();
        for (var i = 0; i < texts.Count; i++)
        {
            var s = splits[i];
            rows.Add(new JsonObject
            {
                ["activity"] = texts[i],
                ["directive"] = s[0],
                ["feedback_loop"] = s[1],
                ["task_iteration"] = s[2],
                ["learning"] = s[3],
                ["validation"] = s[4],
                ["negligibility"] = s[5],
                ["rationale"] = $"Reason for activity {i + 1}.",
            });
        }

        return new JsonObject { ["activities"] = rows }.ToJsonString();
    }

    public static LlmOptions Options(FakeOpenAiServer server, Action<LlmOptions>? configure = null)
    {
        var options = new LlmOptions
        {
            BaseUrl = server.BaseUrl,
            Model = Model,
            ApiKey = ApiKey,
            MaxRetries = 2,
            RetryDelay = TimeSpan.FromMilliseconds(10),
            Timeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        return options;
    }

    public static LlmAssessmentEngine Engine(FakeOpenAiServer server, Action<LlmOptions>? configure = null, TimeProvider? time = null)
    {
        var options = Options(server, configure);
        return new(LlmChatClientFactory.Create(options), options, time ?? TimeProvider.System, NullLogger<LlmAssessmentEngine>.Instance);
    }

    public static LlmJobDescriptionReformatter Reformatter(FakeOpenAiServer server, Action<LlmOptions>? configure = null)
    {
        var options = Options(server, configure);
        return new(LlmChatClientFactory.Create(options), options, TimeProvider.System, NullLogger<LlmJobDescriptionReformatter>.Instance);
    }
}
