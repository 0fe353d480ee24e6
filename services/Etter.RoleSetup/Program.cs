using Etter.Messaging.Bus;
using Etter.RoleSetup;
using Etter.ServiceDefaults.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddEtterServiceDefaults("etter-role-setup");
builder.Services.AddRoleSetup(builder.Configuration);
builder.Services.AddEtterBus(builder.Configuration, bus => bus.AddRoleSetupComponents());

var app = builder.Build();
app.MapEtterHealth();
app.Run();
