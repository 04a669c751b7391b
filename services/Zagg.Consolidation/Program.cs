using Zagg.Consolidation;
using Zagg.ServiceDefaults.Hosting;

return await ServiceHost.RunAsync(args, ConsolidationService.Name, x => x.AddConsolidationService());
