using System.Globalization;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;

namespace Zagg.Lambda;

/// <summary>A setting of the function is missing or wrong: the init error's one line names which and why.</summary>
public sealed class LambdaSettingsException(string message) : Exception(message);

/// <summary>
/// The function's configuration, from its environment (set by the deployment template):
/// <list type="bullet">
/// <item><c>ZAGG_LAMBDA_ROLE</c>: which service this function is; <c>worker</c> (the default: AggregateCell messages).</item>
/// <item><c>ZAGG_SQS_PREFIX</c>: the deployment prefix of the SQS queues (<see cref="SqsQueueNames"/>; required): results go
/// to <c>{prefix}-zagg-consolidation</c>.</item>
/// <item><c>ZAGG_LAMBDA_MAX_RECEIVES</c>: the worker queue's redrive maxReceiveCount (default 3): the receive on which a
/// failing cell is reported failed before its message goes to the dead-letter queue.</item>
/// <item><c>AWS_ENDPOINT_URL_SQS</c>: an SQS endpoint other than the region's (tests on loopback); <c>AWS_REGION</c>.</item>
/// </list>
/// </summary>
public sealed record LambdaSettings(string Role, string SqsPrefix, int MaxReceives, string? SqsEndpoint, string? Region)
{
    public const string Worker = "worker";
    private static readonly string[] Roles = ["worker", "catalog", "template", "dispatcher", "consolidation"];

    /// <exception cref="LambdaSettingsException">A variable is missing or not valid.</exception>
    public static LambdaSettings FromEnvironment() => From(Environment.GetEnvironmentVariable);

    /// <exception cref="LambdaSettingsException">A variable is missing or not valid.</exception>
    public static LambdaSettings From(Func<string, string?> env)
    {
        string role = env("ZAGG_LAMBDA_ROLE") is { Length: > 0 } r ? r.Trim().ToLowerInvariant() : Worker;
        if (Array.IndexOf(Roles, role) < 0)
            throw new LambdaSettingsException($"ZAGG_LAMBDA_ROLE is '{role}': expected one of {string.Join(", ", Roles)}");
        if (role != Worker)
            throw new LambdaSettingsException($"ZAGG_LAMBDA_ROLE={role}: this build serves only the worker role (the control-plane roles need the SQS transport's consumers)");
        string prefix = env("ZAGG_SQS_PREFIX") is { Length: > 0 } p ? p
            : throw new LambdaSettingsException("ZAGG_SQS_PREFIX is not set: the deployment prefix of the SQS queues (results go to PREFIX-zagg-consolidation)");
        try { _ = new SqsQueueNames(prefix); }
        catch (ArgumentException x) { throw new LambdaSettingsException("ZAGG_SQS_PREFIX: " + x.Message); }
        int maxReceives = new MessagingOptions().SqsMaxReceiveCount; // the SQS transport's redrive default
        if (env("ZAGG_LAMBDA_MAX_RECEIVES") is { Length: > 0 } m
            && (!int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out maxReceives) || maxReceives < 1))
            throw new LambdaSettingsException($"ZAGG_LAMBDA_MAX_RECEIVES is '{m}': expected a whole number ≥ 1");
        return new LambdaSettings(role, prefix, maxReceives, env("AWS_ENDPOINT_URL_SQS") is { Length: > 0 } e ? e : null, env("AWS_REGION"));
    }
}
