using Zagg.Dispatcher;
using Zagg.ServiceDefaults.Hosting;

return await ServiceHost.RunAsync(args, DispatcherService.Name, x => x.AddDispatcherService());
