var builder = DistributedApplication.CreateBuilder(args);
builder.AddProject<Projects.Zagg_Catalog>("catalog");
builder.Build().Run();
