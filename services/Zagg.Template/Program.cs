using Zagg.Messaging;
using Zagg.Template;

return await ServiceHost.RunAsync(args, TemplateService.Name, x => x.AddTemplateService(), sqsHandlers: x => x.AddTemplateHandlers());
