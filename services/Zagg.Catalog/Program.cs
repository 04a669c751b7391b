using Zagg.Catalog;
using Zagg.ServiceDefaults.Hosting;

return await ServiceHost.RunAsync(args, CatalogService.Name, x => x.AddCatalogService());
