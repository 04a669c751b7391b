using Zagg.Messaging;
using Zagg.Worker;

return await ServiceHost.RunAsync(args, WorkerService.Name, x => x.AddWorkerService());
