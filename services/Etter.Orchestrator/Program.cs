using Etter.Messaging.Bus;
using Etter.Orchestrator;
using Etter.Orchestrator.Persistence;
using Etter.Persistence;
using Etter.ServiceDefaults.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddEtterServiceDefaults("etter-orchestrator");
builder.Services.AddOrchestrator(builder.Configuration);
builder.Services.AddEtterBus(builder.Configuration, bus => bus.AddOrchestratorComponents());

var app = builder.Build();
if (await app.MigrateOnlyIfAskedAsync<OrchestratorDbContext>("Etter:Orchestrator:MigrateOnly"))
{
    return;
}

app.MapEtterHealth();
app.Run();
