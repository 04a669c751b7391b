using System.Diagnostics;
using System.Text.Json;
using Amazon.SQS.Model;
using Xunit;
using Zagg.Contracts;
using Zagg.Messaging;
using Zagg.Messaging.Sqs;
using Zagg.TestSupport;

namespace Zagg.Services.Tests;

public class SqsEnvelopeTests
{
    [Theory]
    [MemberData(nameof(ContractTests.Messages), MemberType = typeof(ContractTests))]
    public void Every_contract_round_trips_through_the_envelope_and_its_body_is_ContractJsons_bytes(object message)
    {
        var envelope = SqsEnvelope.Wrap(message);
        string body = envelope.ToJson();

        var read = SqsEnvelope.Parse(body);
        Assert.Equal(envelope, read);
        string contractJson = JsonSerializer.Serialize(message, message.GetType(), ContractJson.Options);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(contractJson, doc.RootElement.GetProperty("message").GetRawText());
        Assert.Equal($"urn:message:Zagg.Contracts:{message.GetType().Name}", doc.RootElement.GetProperty("messageType")[0].GetString());
        Assert.Equal(ContractVersion.Current, doc.RootElement.GetProperty("headers").GetProperty(SqsEnvelope.ContractVersionHeader).GetInt32());

        object back = read.Open();
        Assert.Equal(message.GetType(), back.GetType());
        Assert.Equal(contractJson, JsonSerializer.Serialize(back, back.GetType(), ContractJson.Options));
        Guid runId = (Guid)message.GetType().GetProperty("RunId")!.GetValue(message)!;
        Assert.Equal(runId, read.CorrelationId);
        Assert.Equal(runId.ToString(), doc.RootElement.GetProperty("conversationId").GetString());
    }

    [Fact]
    public void The_envelope_carries_the_senders_W3C_trace_context_and_the_follow_queue_from_its_cause()
    {
        using var activity = new Activity("send").SetIdFormat(ActivityIdFormat.W3C).Start();
        activity.TraceStateString = "zagg=1";
        var cause = new SqsEnvelope { MessageId = Guid.NewGuid(), MessageType = "x", Message = "{}", FollowQueue = "p-zagg-run-1" };
        var envelope = SqsEnvelope.Parse(SqsEnvelope.Wrap(new CellsDispatched { RunId = Guid.NewGuid(), Store = "s", Cells = 1, RequestedAt = DateTimeOffset.UtcNow }, cause).ToJson());
        Assert.Equal(activity.Id, envelope.TraceParent);
        Assert.Equal("zagg=1", envelope.TraceState);
        Assert.Equal("p-zagg-run-1", envelope.FollowQueue);
    }

    [Fact]
    public void A_fault_is_written_as_MassTransit_writes_one_and_Faults_reads_its_reason_attempts_and_host()
    {
        var cell = new AggregateCell
        {
            RunId = Guid.NewGuid(), CatalogIndex = 4, ParentMorton = -5111131, ParentOrder = 6, Granules = ["/g.h5"], Store = "/tmp/s",
            Config = ConfigReference.BuiltIn("atl06"),
        };
        var error = new InvalidOperationException("cell 4: granule /g.h5 is damaged", new IOException("bad superblock"));
        var fault = SqsFault<AggregateCell>.Create(cell, Guid.NewGuid(), error, 3);
        var envelope = SqsEnvelope.Parse(SqsEnvelope.Wrap(fault).ToJson());
        Assert.Equal("urn:message:MassTransit:Fault[[Zagg.Contracts:AggregateCell]]", envelope.MessageType);
        Assert.Equal(cell.RunId, envelope.CorrelationId);
        Assert.Null(envelope.ContractVersion);
        using var doc = JsonDocument.Parse(envelope.Message);
        Assert.Equal("System.IO.IOException", doc.RootElement.GetProperty("exceptions")[0].GetProperty("exceptionType").GetString());
        Assert.Equal(fault.FaultedMessageId, doc.RootElement.GetProperty("faultedMessageId").GetGuid());

        var back = Assert.IsType<SqsFault<AggregateCell>>(envelope.Open());
        Assert.Equal(ContractJson.Serialize(cell), ContractJson.Serialize(back.Message));
        Assert.Equal("cell 4: granule /g.h5 is damaged", Faults.Reason(back));
        Assert.Equal(3, Faults.Attempts(back));
        Assert.Equal($"{Environment.MachineName}:{Environment.ProcessId}", Faults.Host(back));

        // The source-generated JSON (no reflection, for Native AOT) is what reflection writes with ContractJson's rules,
        // written and read back.
        var reflection = new JsonSerializerOptions(ContractJson.Options) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };
        Assert.Equal(JsonSerializer.Serialize(fault, reflection), envelope.Message);
        Assert.Equal(envelope.Message, SqsEnvelope.Wrap(back).Message);
    }

    [Fact]
    public async Task The_run_ledger_writes_what_reflection_writes()
    {
        var reflection = new JsonSerializerOptions(ContractJson.Options) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };
        string dir = Directory.CreateTempSubdirectory("zagg-ledger").FullName;
        var store = new Zagg.Zarr.Stores.LocalStore(dir);
        var runId = Guid.NewGuid();
        var ledger = new Zagg.Runs.RunLedger(store, runId);
        var plan = new Zagg.Runs.RunPlan([new Zagg.Runs.PlannedCell(3, -5111131, ["/g.h5"])], DateTimeOffset.UtcNow) { Config = ConfigReference.BuiltIn("atl06") };
        await ledger.WritePlanAsync(plan);
        string prefix = Zagg.Runs.RunLedger.PrefixOf(runId);
        Assert.Equal(JsonSerializer.Serialize(plan, reflection), System.Text.Encoding.UTF8.GetString((await store.GetAsync(prefix + "plan.json"))!));
        var record = new Zagg.Runs.CellRecord { CatalogIndex = 3, ParentMorton = -5111131, Succeeded = false, Message = "damaged", Attempts = 2 };
        Assert.True(await ledger.RecordAsync(record));
        Assert.Equal(JsonSerializer.Serialize(record, reflection), System.Text.Encoding.UTF8.GetString((await store.GetAsync(prefix + "cells/3.json"))!));
        Assert.Equal(record, await ledger.ReadCellAsync(3));
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[1]", "not a JSON object")]
    [InlineData("{\"messageType\":[\"urn:message:Zagg.Contracts:RunRequested\"],\"message\":{}}", "no messageId")]
    [InlineData("{\"messageId\":\"8a1e4b5c-0000-0000-0000-000000000001\",\"message\":{}}", "no messageType")]
    [InlineData("{\"messageId\":\"8a1e4b5c-0000-0000-0000-000000000001\",\"messageType\":[\"urn:message:Zagg.Contracts:RunRequested\"]}", "no message")]
    public void A_body_that_is_not_an_envelope_is_refused_with_what_is_missing(string body, string expected)
    {
        var e = Assert.Throws<SqsEnvelopeException>(() => SqsEnvelope.Parse(body));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void An_unknown_type_and_a_newer_contract_version_are_refused_by_name()
    {
        var unknown = new SqsEnvelope { MessageId = Guid.NewGuid(), MessageType = "urn:message:Other:Thing", Message = "{}" };
        Assert.Contains("unknown message type 'urn:message:Other:Thing'", Assert.Throws<SqsEnvelopeException>(unknown.Open).Message);
        var newer = SqsEnvelope.Wrap(new CellsDispatched { RunId = Guid.NewGuid(), Store = "s", Cells = 1, RequestedAt = DateTimeOffset.UtcNow });
        newer = newer with { Message = newer.Message.Replace($"\"version\":{ContractVersion.Current}", "\"version\":99") };
        Assert.Contains("CellsDispatched has contract version 99", Assert.Throws<ContractVersionException>(newer.Open).Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a.b")]
    [InlineData("0123456789012345678901234567890123456789x")]
    public void A_wrong_prefix_is_refused_by_name(string prefix) =>
        Assert.Contains("--sqs-prefix", Assert.Throws<ArgumentException>(() => new SqsQueueNames(prefix)).Message);

    [Fact]
    public void Queue_names_come_from_the_prefix()
    {
        var names = new SqsQueueNames("dev-1");
        Assert.Equal("dev-1-zagg-worker", names.Of(Queues.Worker));
        Assert.Equal("dev-1-zagg-worker-dlq", SqsQueueNames.DeadLetter(names.Of(Queues.Worker)));
        Assert.True(names.Follow(Guid.NewGuid()).Length <= 80);
    }
}

public class FauxqsServerTests : IAsyncLifetime
{
    private readonly FauxqsServer _sqs = new();

    public Task InitializeAsync() => _sqs.InitializeAsync();

    public Task DisposeAsync() => _sqs.DisposeAsync();

    [NeedsFauxqsFact]
    public async Task Fauxqs_listens_on_loopback_and_carries_an_envelope_unchanged()
    {
        Assert.StartsWith("http://127.0.0.1:", _sqs.Endpoint);
        using var client = _sqs.Client();
        string url = (await client.CreateQueueAsync("t-zagg-probe")).QueueUrl;
        var envelope = SqsEnvelope.Wrap(new CellsDispatched { RunId = Guid.NewGuid(), Store = "s", Cells = 1, RequestedAt = DateTimeOffset.UtcNow });
        await client.SendMessageAsync(new SendMessageRequest(url, envelope.ToJson()));
        var received = await client.ReceiveMessageAsync(new ReceiveMessageRequest(url) { WaitTimeSeconds = 1 });
        Assert.Equal(envelope, SqsEnvelope.Parse(Assert.Single(received.Messages).Body));
    }
}
