using Etter.Api;
using Etter.Embedded;
using Etter.ServiceDefaults.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddEtterServiceDefaults("etter-embedded");
builder.Services.AddEtterEmbedded(builder.Configuration);

var app = builder.Build();
app.MapEtterApi();
app.Run();
