using Xunit;

namespace Zagg.AppHost.Tests;

/// <summary>Runs a test only where Debian's rabbitmq-server is installed (.ci/run installs it); under CI its absence is a failure.</summary>
public sealed class NeedsRabbitMqFactAttribute : FactAttribute
{
    public NeedsRabbitMqFactAttribute()
    {
        if (!File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server") && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "rabbitmq-server is not installed (apt-get install rabbitmq-server; .ci/run does it)";
    }
}

/// <summary>The AppHost tests run one at a time: each starts DCP and up to seven processes on a 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppHostCollection
{
    public const string Name = "AppHost";
}
