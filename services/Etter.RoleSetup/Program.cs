using Etter.BuildingBlocks.Hosting;
using Etter.BuildingBlocks.Messaging;
using Etter.RoleSetup;

var builder = WebApplication.CreateBuilder(args);
builder.AddEtterServiceDefaults("etter-role-setup");
builder.Services.AddRoleSetup(builder.Configuration);
builder.Services.AddEtterBus(builder.Configuration, bus => bus.AddRoleSetupComponents());

var app = builder.Build();
app.MapEtterHealth();
app.Run();
