using Etter.Api;
using Etter.ServiceDefaults.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddEtterServiceDefaults("etter-api");
builder.Services.AddEtterApi(builder.Configuration);

var app = builder.Build();
app.MapEtterApi();
app.Run();
