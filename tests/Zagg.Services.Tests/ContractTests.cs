using System.Text.Json;
using Xunit;
using Zagg.Contracts;

namespace Zagg.Services.Tests;

public class ContractTests
{
    private static readonly RunSpec Spec = new()
    {
        Config = ConfigReference.Text("data_source: {}\n", "my.yaml"),
        Catalog = "/data/catalog.json",
        Store = "s3://bucket/out.zarr",
        Selection = new RunSelection { MaxCells = 3, MortonCell = -5111131, Overwrite = true, Driver = "https" },
        RequestedAt = new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero),
    };

    public static TheoryData<object> Messages() =>
    [
        new RunRequested { RunId = Guid.NewGuid(), Spec = Spec },
        new CatalogReady { RunId = Guid.NewGuid(), Spec = Spec, ParentOrder = 6, CatalogCells = 12 },
        new TemplateReady { RunId = Guid.NewGuid(), Spec = Spec, ParentOrder = 6, ChildOrder = 12, CatalogCells = 12 },
        new CellsDispatched { RunId = Guid.NewGuid(), Store = "/tmp/s", Cells = 3, RequestedAt = Spec.RequestedAt },
        new AggregateCell
        {
            RunId = Guid.NewGuid(), CatalogIndex = 4, ParentMorton = -5111131, ParentOrder = 6,
            Granules = ["s3://nsidc/ATL06_1.h5", "/local/ATL06_2.h5"], Store = "/tmp/s", Config = ConfigReference.BuiltIn("atl06"),
        },
        new CellAggregated
        {
            RunId = Guid.NewGuid(), CatalogIndex = 4, ParentMorton = -5111131, ChildCellsWithData = 100, Observations = 12345, GranuleCount = 2,
            FilesProcessed = 2, DurationSeconds = 0.25, Worker = "host:1", Store = "/tmp/s", Redelivered = true,
            Reads = new SourceReads { Requests = 40, Bytes = 1 << 20, Retries = 1, TimeToFirstByteSeconds = 0.8, WaitSeconds = 0.1 },
        },
        new RunCompleted { RunId = Guid.NewGuid(), Store = "/tmp/s", Cells = 3, ParentCellsWithData = 2, Observations = 9, Errors = 1, DurationSeconds = 1.5, Report = "/tmp/s.report.json" },
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_round_trips_through_System_Text_Json(object message)
    {
        var type = message.GetType();
        string json = JsonSerializer.Serialize(message, type, ContractJson.Options);
        Assert.Contains($"\"version\":{ContractVersion.Current}", json);
        Assert.Equal(ContractVersion.Current, ContractVersion.Of(message));
        var method = typeof(ContractJson).GetMethod(nameof(ContractJson.Deserialize))!.MakeGenericMethod(type);
        object back = method.Invoke(null, [json])!;
        Assert.Equal(json, JsonSerializer.Serialize(back, type, ContractJson.Options));
    }

    [Fact]
    public void Every_contract_has_compile_time_metadata_and_writes_the_same_json_as_reflection()
    {
        var contracts = typeof(ContractJson).Assembly.GetExportedTypes()
            .Where(t => t.GetProperty("Version") is not null && t.GetProperty("RunId") is not null).ToList();
        Assert.Equal(7, contracts.Count);
        var reflection = new JsonSerializerOptions(ContractJson.Options) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };
        foreach (var type in contracts)
            Assert.True(ContractJson.Metadata.GetTypeInfo(type, ContractJson.Options) is not null, $"{type.Name} has no [JsonSerializable] entry in ContractJsonContext");
        foreach (var message in Messages())
        {
            object m = message is object[] row ? row[0] : message;
            Assert.Equal(JsonSerializer.Serialize(m, m.GetType(), reflection), JsonSerializer.Serialize(m, m.GetType(), ContractJson.Options));
        }
    }

    [Fact]
    public void A_message_from_a_newer_contract_is_refused_by_name()
    {
        string json = ContractJson.Serialize(new CellsDispatched { RunId = Guid.NewGuid(), Store = "s", Cells = 1, RequestedAt = DateTimeOffset.UtcNow }).Replace($"\"version\":{ContractVersion.Current}", "\"version\":99");
        var e = Assert.Throws<ContractVersionException>(() => ContractJson.Deserialize<CellsDispatched>(json));
        Assert.Contains("CellsDispatched has contract version 99", e.Message);
    }

    [Fact]
    public void No_message_carries_credentials_each_host_takes_its_own_from_its_environment()
    {
        Environment.SetEnvironmentVariable("EARTHDATA_TOKEN", "secret-token-value");
        try
        {
            foreach (var row in Messages())
            {
                object m = row is object[] r ? r[0] : row;
                string json = JsonSerializer.Serialize(m, m.GetType(), ContractJson.Options);
                Assert.DoesNotContain("credentials", json, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("secret-token-value", json);
            }
        }
        finally { Environment.SetEnvironmentVariable("EARTHDATA_TOKEN", null); }
    }
}
