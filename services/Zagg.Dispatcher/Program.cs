using Zagg.Dispatcher;
using Zagg.Messaging;

return await ServiceHost.RunAsync(args, DispatcherService.Name, x => x.AddDispatcherService(), sqsHandlers: x => x.AddDispatcherHandlers());
