using Etter.Contracts;
using Microsoft.Extensions.Options;

namespace Etter.AiAssessment.Engines;

/// <summary>Resolves the engine for a request: the one it names, else the configured default.</summary>
public sealed class AssessmentEngineSelector(IEnumerable<IAssessmentEngine> engines, IOptions<AssessmentOptions> options)
{
    readonly Dictionary<string, IAssessmentEngine> _engines = engines.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Available => _engines.Keys;

    public string DefaultEngine => options.Value.DefaultEngine;

    public IAssessmentEngine Select(string? requested)
    {
        var name = string.IsNullOrWhiteSpace(requested) ? options.Value.DefaultEngine : requested;
        return _engines.TryGetValue(name, out var engine)
            ? engine
            : throw new AssessmentEngineException(new OnboardingError
            {
                Code = ErrorCodes.AssessmentFailed,
                Message = $"Unknown assessment engine '{name}'. Available: {string.Join(", ", _engines.Keys.Order(StringComparer.Ordinal))}.",
                Recoverable = false,
            });
    }
}
