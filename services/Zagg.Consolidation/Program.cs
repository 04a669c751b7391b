using Zagg.Consolidation;
using Zagg.Messaging;

return await ServiceHost.RunAsync(args, ConsolidationService.Name, x => x.AddConsolidationService(), sqsHandlers: x => x.AddConsolidationHandlers());
