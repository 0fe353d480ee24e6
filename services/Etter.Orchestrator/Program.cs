using Etter.BuildingBlocks.Hosting;
using Etter.BuildingBlocks.Messaging;
using Etter.Orchestrator;

var builder = WebApplication.CreateBuilder(args);
builder.AddEtterServiceDefaults();
builder.Services.AddOrchestrator(builder.Configuration);
builder.Services.AddEtterBus(builder.Configuration, bus => bus.AddOrchestratorComponents());

var app = builder.Build();
app.MapEtterHealth();
app.Run();
