using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Etter.AiAssessment.Engines.Scoring;

namespace Etter.AiAssessment.Engines.Rubric;

/// <summary>
/// The rubric's data: which words and phrases point at which collaboration modes, and the few numbers
/// that turn matched evidence into shares. Kept as versioned JSON (<c>rubric-lexicon.json</c>) so the
/// rubric can be reviewed and tuned without touching code; README.md beside it explains the rules.
/// </summary>
public sealed class RubricLexicon
{
    const string ResourceName = "Etter.AiAssessment.Rubric.rubric-lexicon.json";
    const int MaxAllowedPhraseGap = 5;

    static readonly Lazy<RubricLexicon> Embedded = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    static readonly IReadOnlyDictionary<string, CollaborationMode> ModeKeys = new Dictionary<string, CollaborationMode>(StringComparer.Ordinal)
    {
        ["directive"] = CollaborationMode.Directive,
        ["feedback_loop"] = CollaborationMode.FeedbackLoop,
        ["task_iteration"] = CollaborationMode.TaskIteration,
        ["learning"] = CollaborationMode.Learning,
        ["validation"] = CollaborationMode.Validation,
        ["negligibility"] = CollaborationMode.Negligibility,
    };

    RubricLexicon(
        string version,
        double maxConfidence,
        double saturation,
        int maxPhraseGap,
        IReadOnlyDictionary<CollaborationMode, double> neutralSplit,
        IReadOnlyList<RubricCue> cues)
    {
        Version = version;
        MaxConfidence = maxConfidence;
        Saturation = saturation;
        MaxPhraseGap = maxPhraseGap;
        NeutralSplit = neutralSplit;
        Cues = cues;
    }

    /// <summary>The lexicon shipped in this assembly, parsed once per process.</summary>
    public static RubricLexicon Default => Embedded.Value;

    /// <summary>Reported as the engine version on every result, so a score can be traced to the rubric that produced it.</summary>
    public string Version { get; }

    /// <summary>The largest share of an activity that matched cues can decide; the rest always follows <see cref="NeutralSplit"/>.</summary>
    public double MaxConfidence { get; }

    /// <summary>Total cue weight at which an activity's evidence counts in full (one full-strength verb by default).</summary>
    public double Saturation { get; }

    /// <summary>How many other words may sit between consecutive words of a phrase cue.</summary>
    public int MaxPhraseGap { get; }

    /// <summary>The split of an activity no cue says anything about; sums to 1.</summary>
    public IReadOnlyDictionary<CollaborationMode, double> NeutralSplit { get; }

    /// <summary>Every cue, in file order.</summary>
    public IReadOnlyList<RubricCue> Cues { get; }

    /// <summary>Parses and validates a lexicon document; throws <see cref="InvalidDataException"/> saying what is wrong.</summary>
    public static RubricLexicon Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        LexiconDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, RubricLexiconJsonContext.Default.LexiconDocument);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The rubric lexicon is not valid JSON: {e.Message}", e);
        }

        if (document is null)
        {
            throw new InvalidDataException("The rubric lexicon is empty.");
        }

        if (string.IsNullOrWhiteSpace(document.Version))
        {
            throw new InvalidDataException("The rubric lexicon has no version.");
        }

        var scoring = document.Scoring ?? new ScoringEntry(null, null, null);
        var maxConfidence = scoring.MaxConfidence ?? 0.8;
        var saturation = scoring.Saturation ?? 1.0;
        var maxGap = scoring.MaxPhraseGap ?? 2;
        if (maxConfidence is <= 0 or > 1)
        {
            throw new InvalidDataException("scoring.max_confidence must be above 0 and at most 1.");
        }

        if (saturation <= 0)
        {
            throw new InvalidDataException("scoring.saturation must be above 0.");
        }

        if (maxGap is < 0 or > MaxAllowedPhraseGap)
        {
            throw new InvalidDataException($"scoring.max_phrase_gap must be between 0 and {MaxAllowedPhraseGap}.");
        }

        var neutral = Weights(document.NeutralSplit, "neutral_split");
        var neutralTotal = neutral.Values.Sum();
        if (Math.Abs(neutralTotal - 1) > 1e-6)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"neutral_split must sum to 1, not {neutralTotal:0.###}."));
        }

        var cues = new List<RubricCue>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (group, index) in (document.Cues ?? []).Select((g, i) => (g, i)))
        {
            var where = $"cues[{index}]";
            // All-zero weights are allowed on purpose: such a phrase only claims its words ("in order to"
            // keeps "order" from reading as order processing).
            var weights = Weights(group.Weights, $"{where}.weights");

            foreach (var phrase in group.Match ?? [])
            {
                var stems = RubricText.Stems(phrase);
                if (stems.Length == 0)
                {
                    throw new InvalidDataException($"{where} has a phrase with no words: '{phrase}'.");
                }

                // Two cues with the same stems would both claim the same words; which one won would be an accident of file order.
                var key = string.Join(' ', stems);
                if (seen.TryGetValue(key, out var other))
                {
                    throw new InvalidDataException($"{where}: '{phrase}' matches the same words as '{other}'.");
                }

                seen[key] = phrase;
                cues.Add(new RubricCue(phrase.Trim(), stems, weights));
            }
        }

        if (cues.Count == 0)
        {
            throw new InvalidDataException("The rubric lexicon has no cues.");
        }

        return new RubricLexicon(document.Version.Trim(), maxConfidence, saturation, maxGap, neutral, cues.AsReadOnly());
    }

    static ReadOnlyDictionary<CollaborationMode, double> Weights(IReadOnlyDictionary<string, double>? raw, string where)
    {
        var weights = Enum.GetValues<CollaborationMode>().ToDictionary(m => m, _ => 0.0);
        foreach (var (key, value) in raw ?? new Dictionary<string, double>())
        {
            if (!ModeKeys.TryGetValue(key, out var mode))
            {
                throw new InvalidDataException($"{where}: unknown mode '{key}'. Known: {string.Join(", ", ModeKeys.Keys)}.");
            }

            if (value < 0 || double.IsNaN(value) || double.IsInfinity(value))
            {
                throw new InvalidDataException($"{where}: weight for '{key}' must be a non-negative number.");
            }

            weights[mode] = value;
        }

        return weights.AsReadOnly();
    }

    static RubricLexicon LoadEmbedded()
    {
        var assembly = typeof(RubricLexicon).Assembly;
        using var stream = assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded rubric lexicon ({ResourceName}) is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}

/// <summary>One word or phrase of the lexicon and the modes it points at.</summary>
/// <param name="Phrase">As written in the lexicon; shown in rationales.</param>
/// <param name="Stems">The phrase's word stems, matched in order against an activity's stems.</param>
/// <param name="Weights">Evidence added per mode when the cue matches.</param>
public sealed record RubricCue(string Phrase, IReadOnlyList<string> Stems, IReadOnlyDictionary<CollaborationMode, double> Weights);

sealed record LexiconDocument(
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("scoring")] ScoringEntry? Scoring,
    [property: JsonPropertyName("neutral_split")] IReadOnlyDictionary<string, double>? NeutralSplit,
    [property: JsonPropertyName("cues")] IReadOnlyList<CueGroupEntry>? Cues);

sealed record ScoringEntry(
    [property: JsonPropertyName("max_confidence")] double? MaxConfidence,
    [property: JsonPropertyName("saturation")] double? Saturation,
    [property: JsonPropertyName("max_phrase_gap")] int? MaxPhraseGap);

sealed record CueGroupEntry(
    [property: JsonPropertyName("note")] string? Note,
    [property: JsonPropertyName("weights")] IReadOnlyDictionary<string, double>? Weights,
    [property: JsonPropertyName("match")] IReadOnlyList<string>? Match);

// Unknown keys are errors: a misspelt "weigths" or "max_phrase_gap" would otherwise be dropped without a trace.
[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(LexiconDocument))]
sealed partial class RubricLexiconJsonContext : JsonSerializerContext;
