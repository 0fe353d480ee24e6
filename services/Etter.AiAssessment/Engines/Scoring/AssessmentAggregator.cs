using System.Globalization;
using System.Text;
using Etter.Contracts;

namespace Etter.AiAssessment.Engines.Scoring;

/// <summary>
/// Turns per-activity classifications into the result every engine returns, so scores from
/// different engines are computed the same way and stay comparable.
/// </summary>
/// <remarks>
/// Activities are weighted by the percentages the JD states (normalized to 1) when every activity has
/// one, otherwise equally. Automation potential = weighted Directive + Feedback Loop share, augmentation
/// potential = weighted Task Iteration + Learning + Validation share, each as 0-100; the score is their sum.
/// Time efficiency assumes automated work saves 80% of its time and augmented work 30%.
/// </remarks>
public static class AssessmentAggregator
{
    const double AutomationTimeSaving = 0.8;
    const double AugmentationTimeSaving = 0.3;

    public static AssessmentResult Aggregate(
        IReadOnlyList<ActivityClassification> classifications,
        string engine,
        string engineVersion,
        bool isMock,
        TokenUsage? tokenUsage = null)
    {
        ArgumentNullException.ThrowIfNull(classifications);
        if (classifications.Count == 0)
        {
            throw new AssessmentEngineException(new OnboardingError
            {
                Code = ErrorCodes.AssessmentFailed,
                Message = "The job description lists no workload activities to assess.",
                Recoverable = false,
            });
        }

        var weights = Weights(classifications);
        double automation = 0, augmentation = 0;
        for (var i = 0; i < classifications.Count; i++)
        {
            automation += weights[i] * classifications[i].Automation;
            augmentation += weights[i] * classifications[i].Augmentation;
        }

        var automationScore = Round(automation * 100);
        var augmentationScore = Round(augmentation * 100);
        var score = Round(automationScore + augmentationScore);
        var automatable = classifications.Count(c => Dominant(c) == Bucket.Automation);
        var augmentable = classifications.Count(c => Dominant(c) == Bucket.Augmentation);
        var metrics = new KeyMetrics
        {
            TotalTasks = classifications.Count,
            AutomatableTasks = automatable,
            AugmentableTasks = augmentable,
            HumanTasks = classifications.Count - automatable - augmentable,
            TimeEfficiencyPercent = Round((automation * AutomationTimeSaving + augmentation * AugmentationTimeSaving) * 100),
        };

        return new AssessmentResult
        {
            AiAutomationScore = score,
            ValidatedAutomationScore = 0,
            AiAutomationPotentialScore = automationScore,
            AiAugmentationPotentialScore = augmentationScore,
            FinalScore = score,
            TaskAnalysis = new TaskAnalysis
            {
                TaskAnalysisTable = new TaskAnalysisTable { Body = classifications.Select(Row).ToList() },
                TaskCount = classifications.Count,
            },
            ImpactAnalysis = ImpactAnalysis(classifications, weights, automationScore, augmentationScore, metrics),
            KeyMetrics = metrics,
            IsMock = isMock,
            Engine = engine,
            EngineVersion = engineVersion,
            TokenUsage = tokenUsage,
        };
    }

    static double[] Weights(IReadOnlyList<ActivityClassification> classifications)
    {
        var stated = classifications.Select(c => c.Activity.WeightPercent).ToArray();
        if (stated.All(w => w is > 0))
        {
            var total = stated.Sum(w => w!.Value);
            return stated.Select(w => w!.Value / total).ToArray();
        }

        return Enumerable.Repeat(1.0 / classifications.Count, classifications.Count).ToArray();
    }

    static IReadOnlyList<string> Row(ActivityClassification c) =>
    [
        c.Activity.Text,
        Percent(c.Share(CollaborationMode.Directive)),
        Percent(c.Share(CollaborationMode.FeedbackLoop)),
        Percent(c.Share(CollaborationMode.TaskIteration)),
        Percent(c.Share(CollaborationMode.Learning)),
        Percent(c.Share(CollaborationMode.Validation)),
        Percent(c.Share(CollaborationMode.Negligibility)),
    ];

    static string ImpactAnalysis(
        IReadOnlyList<ActivityClassification> classifications,
        double[] weights,
        double automationScore,
        double augmentationScore,
        KeyMetrics metrics)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine("## Impact analysis").AppendLine();
        text.AppendLine(inv, $"AI could automate about **{automationScore:0.#}%** of this role's work and augment a further **{augmentationScore:0.#}%**.");
        text.AppendLine(inv, $"Estimated time efficiency: **{metrics.TimeEfficiencyPercent:0.#}%** of working time freed up.").AppendLine();
        text.AppendLine("### What drives the score").AppendLine();
        var drivers = classifications
            .Select((c, i) => (c, contribution: weights[i] * (c.Automation + c.Augmentation)))
            .OrderByDescending(x => x.contribution)
            .ThenBy(x => x.c.Activity.Text, StringComparer.Ordinal)
            .Take(3);
        foreach (var (c, contribution) in drivers)
        {
            text.AppendLine(inv, $"- **{c.Activity.Text}** ({Percent(contribution)} of the score): {c.Rationale}");
        }

        var human = classifications.Where(c => Dominant(c) == Bucket.Human).Take(3).ToList();
        if (human.Count > 0)
        {
            text.AppendLine().AppendLine("### What stays human").AppendLine();
            foreach (var c in human)
            {
                text.AppendLine(inv, $"- **{c.Activity.Text}**: {c.Rationale}");
            }
        }

        return text.ToString().TrimEnd();
    }

    enum Bucket { Automation, Augmentation, Human }

    static Bucket Dominant(ActivityClassification c) =>
        c.Automation >= c.Augmentation && c.Automation >= c.Human ? Bucket.Automation
        : c.Augmentation >= c.Human ? Bucket.Augmentation
        : Bucket.Human;

    static string Percent(double share) => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(share * 100):0}%");

    static double Round(double value) => Math.Round(Math.Clamp(value, 0, 100), 1, MidpointRounding.AwayFromZero);
}
