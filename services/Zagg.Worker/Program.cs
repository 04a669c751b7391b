using Zagg.ServiceDefaults.Hosting;
using Zagg.Worker;

return await ServiceHost.RunAsync(args, WorkerService.Name, x => x.AddWorkerService());
