using System.Globalization;
using Etter.AiAssessment;
using Etter.AiAssessment.Engines;
using Etter.Cli.Hosting;
using Etter.RoleSetup.JobDescriptions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Etter.Cli.Commands;

/// <summary><c>etter assess --jd-file X [--engine rubric|llm|mock]</c>: run only the assessment engine and print its table.</summary>
static class AssessCommand
{
    public static async Task<int> RunAsync(CliArguments args, TextWriter stdout, TextWriter stderr)
    {
        var jdFile = args.RequiredOption("jd-file");
        var engineName = args.Option("engine");
        var role = args.Option("role") ?? Path.GetFileNameWithoutExtension(jdFile);
        var company = args.Option("company") ?? "";
        var json = args.Flag("json");
        var configuration = CliHost.BuildConfiguration(args);
        args.EnsureAllUsed(maxPositionals: 0);
        if (!File.Exists(jdFile))
        {
            throw new CliUsageException($"--jd-file: no such file '{jdFile}'.");
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddAiAssessmentEngines(configuration);
        await using var provider = services.BuildServiceProvider();
        var selector = provider.GetRequiredService<AssessmentEngineSelector>();
        IAssessmentEngine engine;
        try
        {
            engine = selector.Select(engineName);
        }
        catch (AssessmentEngineException ex)
        {
            throw new CliUsageException(ex.Error.Message);
        }

        var markdown = JobDescriptionFormatter.Format(role, await File.ReadAllTextAsync(jdFile));
        try
        {
            var result = await engine.AssessAsync(new AssessmentRequest(company, role, null, markdown), heartbeat: null, CancellationToken.None);
            if (json)
            {
                Output.WriteJson(stdout, result);
                return ExitCodes.Ready;
            }

            var inv = CultureInfo.InvariantCulture;
            stdout.WriteLine(string.Create(inv, $"{role}: score {result.FinalScore:0.0} (automation {result.AiAutomationPotentialScore:0.0}, augmentation {result.AiAugmentationPotentialScore:0.0}), engine {result.Engine} {result.EngineVersion}{(result.IsMock ? " (mock)" : "")}"));
            stdout.WriteLine();
            var table = result.TaskAnalysis.TaskAnalysisTable;
            var width = Math.Min(60, Math.Max(20, table.Body.Select(r => r[0].Length).DefaultIfEmpty(20).Max()));
            stdout.WriteLine(string.Join("  ", table.Headers.Select((h, i) => i == 0 ? h.PadRight(width) : h)));
            foreach (var row in table.Body)
            {
                var activity = row[0].Length > width ? row[0][..(width - 1)] + "…" : row[0];
                stdout.WriteLine(string.Join("  ", row.Select((cell, i) => i == 0 ? activity.PadRight(width) : cell.PadLeft(table.Headers[i].Length))));
            }

            stdout.WriteLine();
            stdout.WriteLine(result.ImpactAnalysis);
            return ExitCodes.Ready;
        }
        catch (AssessmentEngineException ex)
        {
            stderr.WriteLine($"error: [{ex.Error.Code}] {ex.Error.Message} (recoverable: {(ex.Error.Recoverable ? "yes" : "no")})");
            return ExitCodes.Failed;
        }
    }
}
