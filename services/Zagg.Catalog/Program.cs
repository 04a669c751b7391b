using Zagg.Catalog;
using Zagg.Messaging;

return await ServiceHost.RunAsync(args, CatalogService.Name, x => x.AddCatalogService(), sqsHandlers: x => x.AddCatalogHandlers());
