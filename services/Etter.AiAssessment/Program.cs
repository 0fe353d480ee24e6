using Etter.AiAssessment;
using Etter.Messaging.Bus;
using Etter.ServiceDefaults.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddEtterServiceDefaults("etter-ai-assessment");
builder.Services.AddAiAssessment(builder.Configuration);
builder.Services.AddEtterBus(builder.Configuration, bus => bus.AddAiAssessmentComponents());

var app = builder.Build();
app.MapEtterHealth();
app.Run();
