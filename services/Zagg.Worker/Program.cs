using Zagg.Auth;
using Zagg.Messaging;
using Zagg.Worker;

// The worker's credentials are its own environment's (EARTHDATA_TOKEN, EARTHDATA_USERNAME/PASSWORD, ~/.netrc, the
// token cache): never a message's. Nothing is asked of the network until a remote granule is read (docs/security.md).
EarthdataAccess.UseForThisProcess(new EarthdataLogin(EarthdataEndpoints.FromEnvironment()));
return await ServiceHost.RunAsync(args, WorkerService.Name, x => x.AddWorkerService(), sqsHandlers: x => x.AddWorkerHandlers());
