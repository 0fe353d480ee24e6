using System.ComponentModel.DataAnnotations;

namespace Etter.AiAssessment;

/// <summary>Assessment settings (<c>Etter:Assessment</c>).</summary>
public sealed class AssessmentOptions
{
    public const string Section = "Etter:Assessment";

    /// <summary>The engine used when a request does not ask for one: <c>rubric</c> (offline), <c>llm</c> or <c>mock</c>.</summary>
    [Required]
    public string DefaultEngine { get; set; } = "rubric";
}
