using System.Globalization;
using System.Text;
using Etter.AiAssessment.Engines.Scoring;

namespace Etter.AiAssessment.Engines.Rubric;

/// <summary>Applies a <see cref="RubricLexicon"/> to one activity. README.md describes the rules in prose.</summary>
sealed class RubricClassifier
{
    static readonly CollaborationMode[] Modes = Enum.GetValues<CollaborationMode>();

    readonly RubricLexicon _lexicon;
    readonly RubricCue[] _longestFirst;

    public RubricClassifier(RubricLexicon lexicon)
    {
        _lexicon = lexicon;
        // Longer phrases claim their words first, so "build relationships" is not also read as "build";
        // the sort is stable, so among equally long cues file order decides.
        _longestFirst = [.. lexicon.Cues.OrderByDescending(c => c.Stems.Count)];
    }

    public ActivityClassification Classify(WorkloadActivity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var tokens = RubricText.Stems(activity.Text);
        var claimed = new bool[tokens.Length];
        var matches = new List<(RubricCue Cue, int Position)>();
        foreach (var cue in _longestFirst)
        {
            var positions = new int[cue.Stems.Count];
            if (Match(tokens, claimed, cue.Stems, positions, 0))
            {
                foreach (var p in positions)
                {
                    claimed[p] = true;
                }

                if (cue.Weights.Values.Any(w => w > 0))
                {
                    matches.Add((cue, positions[0]));
                }
            }
        }

        var evidence = Modes.ToDictionary(m => m, _ => 0.0);
        foreach (var (cue, _) in matches)
        {
            foreach (var (mode, weight) in cue.Weights)
            {
                evidence[mode] += weight;
            }
        }

        var total = evidence.Values.Sum();
        var confidence = total <= 0 ? 0 : _lexicon.MaxConfidence * Math.Min(1, total / _lexicon.Saturation);
        var shares = Modes.ToDictionary(
            m => m,
            m => (total <= 0 ? 0 : confidence * evidence[m] / total) + (1 - confidence) * _lexicon.NeutralSplit[m]);
        return new ActivityClassification(activity, shares, Rationale([.. matches.OrderBy(x => x.Position).Select(x => x.Cue)], shares));
    }

    /// <summary>
    /// Finds the cue's stems in order, each unclaimed and at most <see cref="RubricLexicon.MaxPhraseGap"/> words
    /// after the previous one, backtracking so an early near-miss cannot hide a later real match.
    /// </summary>
    bool Match(string[] tokens, bool[] claimed, IReadOnlyList<string> stems, int[] positions, int k)
    {
        var from = k == 0 ? 0 : positions[k - 1] + 1;
        var to = k == 0 ? tokens.Length - 1 : Math.Min(tokens.Length - 1, positions[k - 1] + 1 + _lexicon.MaxPhraseGap);
        for (var i = from; i <= to; i++)
        {
            if (claimed[i] || !string.Equals(tokens[i], stems[k], StringComparison.Ordinal))
            {
                continue;
            }

            positions[k] = i;
            if (k == stems.Count - 1 || Match(tokens, claimed, stems, positions, k + 1))
            {
                return true;
            }
        }

        return false;
    }

    static string Rationale(IReadOnlyList<RubricCue> cues, Dictionary<CollaborationMode, double> shares)
    {
        if (cues.Count == 0)
        {
            return "No rubric cue matched, so the neutral split applies.";
        }

        var text = new StringBuilder("Cues: ");
        text.AppendJoin(", ", cues.Select(c => $"\"{c.Phrase}\" ({string.Join('/', ModesOf(c).Select(DisplayName))})"));
        var leading = Modes.MaxBy(m => shares[m]);
        text.Append(CultureInfo.InvariantCulture, $"; leans {DisplayName(leading)} ({shares[leading] * 100:0}%).");
        return text.ToString();
    }

    static IEnumerable<CollaborationMode> ModesOf(RubricCue cue) =>
        cue.Weights.Where(w => w.Value > 0).OrderByDescending(w => w.Value).ThenBy(w => w.Key).Select(w => w.Key);

    static string DisplayName(CollaborationMode mode) => mode switch
    {
        CollaborationMode.FeedbackLoop => "Feedback Loop",
        CollaborationMode.TaskIteration => "Task Iteration",
        _ => mode.ToString(),
    };
}
