using System.Reflection;
using Etter.Contracts;
using MassTransit;

namespace Etter.Messaging.Bus;

/// <summary>
/// Puts each message's <c>WorkflowId</c> in the envelope's CorrelationId. Our contracts name the workflow
/// <c>WorkflowId</c> (the old API's word), which MassTransit's conventions do not recognise; with the header set,
/// the saga endpoint can keep one workflow's messages in order without reading bodies, and traces and broker
/// tools show which workflow a message belongs to.
/// </summary>
public static class WorkflowCorrelation
{
    static readonly Lazy<int> Registered = new(RegisterAll, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Registers every contract with a <c>Guid WorkflowId</c>; runs once per process (the topology is global).</summary>
    public static int EnsureRegistered() => Registered.Value;

    static int RegisterAll()
    {
        var register = typeof(WorkflowCorrelation).GetMethod(nameof(Register), BindingFlags.NonPublic | BindingFlags.Static)!;
        var count = 0;
        foreach (var type in typeof(OnboardRoleRequested).Assembly.GetExportedTypes())
        {
            var property = type.GetProperty("WorkflowId", BindingFlags.Public | BindingFlags.Instance);
            if (type.IsClass && !type.IsAbstract && property?.PropertyType == typeof(Guid) && property.GetMethod is { } getter)
            {
                register.MakeGenericMethod(type).Invoke(null, [getter]);
                count++;
            }
        }

        return count;
    }

    static void Register<T>(MethodInfo getter)
        where T : class
    {
        var workflowId = getter.CreateDelegate<Func<T, Guid>>();
        MessageCorrelation.UseCorrelationId(workflowId);
    }
}
