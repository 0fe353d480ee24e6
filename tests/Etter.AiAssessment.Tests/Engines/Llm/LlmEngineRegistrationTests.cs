using Etter.AiAssessment.Engines;
using Etter.AiAssessment.Engines.Llm;
using Etter.AiAssessment.Engines.Mock;
using Etter.AiAssessment.Engines.Rubric;
using Etter.ServiceDefaults.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Etter.AiAssessment.Tests.Engines.Llm;

public sealed class LlmEngineRegistrationTests
{
    /// <summary>
    /// What AddAiAssessment registers around the engines (options, the offline engines, the selector), without
    /// its database and bus, plus the LLM engine, registered twice as it would be if both the service and a
    /// caller added it.
    /// </summary>
    static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddValidatedOptions<AssessmentOptions>(AssessmentOptions.Section);
        services.AddSingleton<IAssessmentEngine, MockAssessmentEngine>();
        services.AddSingleton<IAssessmentEngine, RubricAssessmentEngine>();
        services.AddSingleton<AssessmentEngineSelector>();
        services.AddLlmAssessmentEngine(configuration);
        services.AddLlmAssessmentEngine(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public void NoBaseUrl_RegistersNoLlmEngine()
    {
        using var provider = Build([]);

        var selector = provider.GetRequiredService<AssessmentEngineSelector>();

        Assert.DoesNotContain("llm", selector.Available);
        Assert.Equal("rubric", selector.DefaultEngine);
        Assert.Null(provider.GetService<LlmAssessmentEngine>());
    }

    [Fact]
    public void BaseUrlAndModel_RegistersOneLlmEngineEvenWhenAddedTwice()
    {
        using var provider = Build(new()
        {
            ["Etter:Assessment:Llm:BaseUrl"] = "http://127.0.0.1:11434/v1",
            ["Etter:Assessment:Llm:Model"] = "llama3.1",
            ["Etter:Assessment:Llm:MaxRetries"] = "4",
            ["Etter:Assessment:DefaultEngine"] = "llm",
        });

        var selector = provider.GetRequiredService<AssessmentEngineSelector>();

        Assert.Contains("llm", selector.Available);
        var engine = Assert.IsType<LlmAssessmentEngine>(selector.Select(null));
        Assert.Equal("llama3.1", engine.Model);
        Assert.Equal(4, provider.GetRequiredService<IOptions<LlmOptions>>().Value.MaxRetries);
        Assert.Single(provider.GetServices<IAssessmentEngine>(), e => e.Name == "llm");
        Assert.NotNull(provider.GetService<LlmJobDescriptionReformatter>());
    }

    [Fact]
    public void BaseUrlWithoutModel_FailsWithMessageNamingTheSetting()
    {
        using var provider = Build(new() { ["Etter:Assessment:Llm:BaseUrl"] = "http://127.0.0.1:11434/v1" });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LlmOptions>>().Value);

        Assert.Contains("Etter:Assessment:Llm:Model is required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Etter__Assessment__Llm__Model", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultEngineLlmWithoutBaseUrl_FailsWithMessageNamingTheSetting()
    {
        using var provider = Build(new() { ["Etter:Assessment:DefaultEngine"] = "llm" });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AssessmentOptions>>().Value);

        Assert.Contains("Etter__Assessment__Llm__BaseUrl", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidSettings_AreAllReported()
    {
        var options = new LlmOptions { BaseUrl = "localhost:11434", Model = "m", Timeout = TimeSpan.Zero, MaxRetries = -1, HeartbeatInterval = TimeSpan.Zero };

        var problems = options.Problems();

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Contains("not an absolute http(s) URL", StringComparison.Ordinal));
    }
}
