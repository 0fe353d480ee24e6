using Etter.AiAssessment;
using Etter.ServiceDefaults.Hosting;
using Etter.Messaging.Bus;

var builder = WebApplication.CreateBuilder(args);
builder.AddEtterServiceDefaults("etter-ai-assessment");
builder.Services.AddAiAssessment(builder.Configuration);
builder.Services.AddEtterBus(builder.Configuration, bus => bus.AddAiAssessmentComponents());

var app = builder.Build();
app.MapEtterHealth();
app.Run();
