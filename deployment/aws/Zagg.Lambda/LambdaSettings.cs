using System.Globalization;

namespace Zagg.Lambda;

/// <summary>A setting of the function is missing or wrong: the init error's one line names which and why.</summary>
public sealed class LambdaSettingsException(string message) : Exception(message);

/// <summary>
/// The function's configuration, from its environment (set by the deployment template):
/// <list type="bullet">
/// <item><c>ZAGG_LAMBDA_ROLE</c>: which service this function is; <c>worker</c> (the default: AggregateCell messages).</item>
/// <item><c>ZAGG_LAMBDA_RESULT_QUEUE_URL</c>: the consolidation queue's URL, where results go (required).</item>
/// <item><c>ZAGG_LAMBDA_MAX_RECEIVES</c>: the worker queue's redrive maxReceiveCount (default 3): the receive on which a
/// failing cell is reported failed before its message goes to the dead-letter queue.</item>
/// <item><c>AWS_ENDPOINT_URL_SQS</c>: an SQS endpoint other than the region's (tests on loopback); <c>AWS_REGION</c>.</item>
/// </list>
/// </summary>
public sealed record LambdaSettings(string Role, string ResultQueueUrl, int MaxReceives, string? SqsEndpoint, string? Region)
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
        string queue = env("ZAGG_LAMBDA_RESULT_QUEUE_URL") is { Length: > 0 } q ? q
            : throw new LambdaSettingsException("ZAGG_LAMBDA_RESULT_QUEUE_URL is not set: the consolidation queue's URL, where cell results go");
        if (!Uri.TryCreate(queue, UriKind.Absolute, out _))
            throw new LambdaSettingsException($"ZAGG_LAMBDA_RESULT_QUEUE_URL is not a URL: '{queue}'");
        int maxReceives = 3;
        if (env("ZAGG_LAMBDA_MAX_RECEIVES") is { Length: > 0 } m
            && (!int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out maxReceives) || maxReceives < 1))
            throw new LambdaSettingsException($"ZAGG_LAMBDA_MAX_RECEIVES is '{m}': expected a whole number ≥ 1");
        return new LambdaSettings(role, queue, maxReceives, env("AWS_ENDPOINT_URL_SQS") is { Length: > 0 } e ? e : null, env("AWS_REGION"));
    }
}
