using Etter.ServiceDefaults.Hosting;
using Etter.Messaging.Bus;
using Etter.RoleSetup;

var builder = WebApplication.CreateBuilder(args);
builder.AddEtterServiceDefaults("etter-role-setup");
builder.Services.AddRoleSetup(builder.Configuration);
builder.Services.AddEtterBus(builder.Configuration, bus => bus.AddRoleSetupComponents());

var app = builder.Build();
app.MapEtterHealth();
app.Run();
