using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Etter.AiAssessment.Engines.Llm;

public static class LlmEngineRegistrationExtensions
{
    /// <summary>
    /// Key of the <see cref="IChatClient"/> the engine and the reformatter share. Keyed, so that an
    /// <see cref="IChatClient"/> the host registers for something else neither replaces it nor is used by them.
    /// </summary>
    public const string ChatClientKey = "Etter.AiAssessment.Llm";

    /// <summary>
    /// Registers the <c>llm</c> engine (and <see cref="LlmJobDescriptionReformatter"/>) when
    /// <c>Etter:Assessment:Llm:BaseUrl</c> is configured, with <see cref="LlmOptions"/> validated at start.
    /// Without a BaseUrl nothing is registered, so a default install stays offline; choosing <c>llm</c> as
    /// <c>Etter:Assessment:DefaultEngine</c> then fails at start with a message saying what to set.
    /// Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddLlmAssessmentEngine(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var configured = LlmOptions.IsConfigured(configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AssessmentOptions>>(new LlmDefaultEngineValidator(configured)));
        if (!configured || services.Any(d => d.ServiceType == typeof(LlmAssessmentEngine)))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());
        services.AddKeyedSingleton(ChatClientKey, (sp, _) => LlmChatClientFactory.Create(sp.GetRequiredService<IOptions<LlmOptions>>().Value));
        services.AddSingleton(sp => new LlmAssessmentEngine(
            sp.GetRequiredKeyedService<IChatClient>(ChatClientKey),
            sp.GetRequiredService<IOptions<LlmOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LlmAssessmentEngine>>()));
        services.AddSingleton<IAssessmentEngine>(sp => sp.GetRequiredService<LlmAssessmentEngine>());
        services.AddSingleton(sp => new LlmJobDescriptionReformatter(
            sp.GetRequiredKeyedService<IChatClient>(ChatClientKey),
            sp.GetRequiredService<IOptions<LlmOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LlmJobDescriptionReformatter>>()));
        return services;
    }

    /// <summary>Fails start-up when <c>llm</c> is the default engine but no server is configured.</summary>
    sealed class LlmDefaultEngineValidator(bool llmConfigured) : IValidateOptions<AssessmentOptions>
    {
        public ValidateOptionsResult Validate(string? name, AssessmentOptions options) =>
            !llmConfigured && string.Equals(options?.DefaultEngine?.Trim(), LlmAssessmentEngine.EngineName, StringComparison.OrdinalIgnoreCase)
                ? ValidateOptionsResult.Fail(
                    $"{AssessmentOptions.Section}:DefaultEngine is '{LlmAssessmentEngine.EngineName}' but {LlmOptions.Section}:BaseUrl is not set. "
                    + "Set Etter__Assessment__Llm__BaseUrl and Etter__Assessment__Llm__Model (e.g. http://127.0.0.1:11434/v1 and llama3.1 for Ollama), or choose 'rubric'.")
                : ValidateOptionsResult.Success;
    }
}
