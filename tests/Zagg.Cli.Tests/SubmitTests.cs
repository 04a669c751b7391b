using Xunit;

namespace Zagg.Cli.Tests;

/// <summary>
/// zagg run --submit (the Aspire AppHost's run resource) hands the run to services on a broker; its wrong uses end in one
/// message before anything is written. (Its runs through a broker are tested in tests/Zagg.AppHost.Tests.)
/// </summary>
public class SubmitTests
{
    [Theory]
    [InlineData(new[] { "--submit" }, "--submit hands the run to services listening on a broker: add --transport rabbitmq")]
    [InlineData(new[] { "--submit", "--transport", "rabbitmq", "--start-broker" }, "--submit starts nothing, so not a broker either: leave out --start-broker")]
    [InlineData(new[] { "--submit", "--transport", "rabbitmq", "--rabbitmq", "http://user:secret@host" }, "--rabbitmq must be an amqp:// URL such as amqp://127.0.0.1, not 'http://user:***@host'")]
    // The broker-only options without a broker were silently ignored.
    [InlineData(new[] { "--workers", "3" }, "--workers starts worker processes that share a broker: add --transport rabbitmq")]
    [InlineData(new[] { "--start-broker" }, "--start-broker starts a RabbitMQ for --transport rabbitmq: add --transport rabbitmq")]
    public void Wrong_submits_are_one_message_and_write_nothing(string[] extra, string message)
    {
        string dir = Directory.CreateTempSubdirectory("zagg-submit").FullName;
        try
        {
            string catalog = Path.Combine(dir, "catalog.json"), store = Path.Combine(dir, "out.zarr");
            Assert.Equal(0, CliRunner.Run("catalog", "--files", Path.Combine(AppContext.BaseDirectory, "demo"), "--output", catalog).ExitCode);
            var r = CliRunner.Run(["run", "--catalog", catalog, "--store", store, .. extra]);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains(message, r.Error);
            Assert.DoesNotContain("secret", r.Error + r.Out);
            Assert.Single(r.Error.Trim().Split('\n'));
            Assert.False(Directory.Exists(store));
        }
        finally { Directory.Delete(dir, true); }
    }
}
