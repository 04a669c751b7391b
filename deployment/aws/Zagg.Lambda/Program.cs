using Zagg.Auth;
using Zagg.Lambda;
using Zagg.Lambda.Runtime;

// provided.al2023 starts this executable (bootstrap) once per execution environment; it serves invocations until the
// environment is frozen or shut down. Credentials are this process's environment (the function's encrypted variables or
// a secrets reference: EARTHDATA_TOKEN, or the execution role's AWS keys), never an event's (docs/security.md).
string? api = Environment.GetEnvironmentVariable(RuntimeApiClient.EnvironmentVariable);
if (string.IsNullOrWhiteSpace(api))
{
    Console.Error.WriteLine($"zagg-lambda: error: {RuntimeApiClient.EnvironmentVariable} is not set: this program runs as a Lambda function's bootstrap");
    return 1;
}
using var runtime = new RuntimeApiClient(api);
EarthdataAccess.UseForThisProcess(new EarthdataLogin(EarthdataEndpoints.FromEnvironment()));
var loop = new LambdaLoop(runtime, Console.Out);
return await loop.RunAsync(ct => LambdaFunction.CreateAsync(LambdaSettings.FromEnvironment(), Console.Out, ct));
