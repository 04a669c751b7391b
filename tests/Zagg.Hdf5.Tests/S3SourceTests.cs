using Xunit;
using Zagg.Hdf5.IO;
using Zagg.TestSupport;

namespace Zagg.Hdf5.Tests;

/// <summary>Reads with S3 ranged GETs against a real s3rver on loopback.</summary>
public class S3SourceTests(S3rverServer s3) : IClassFixture<S3rverServer>
{
    private async Task UploadAsync()
    {
        foreach (string name in new[] { "latest.h5", "earliest.h5" })
            await s3.UploadAsync("granules/" + name, Truth.Fixture(name));
    }

    [NeedsS3rverFact]
    public async Task Every_dataset_reads_the_same_from_s3_as_from_the_file()
    {
        await UploadAsync();
        await using var local = await Hdf5File.OpenAsync(Truth.Fixture("earliest.h5"));
        await using var remote = await Hdf5File.OpenAsync(await S3ByteSource.OpenAsync($"s3://{S3rverServer.Bucket}/granules/earliest.h5", s3.Client()), ownsSource: true);
        foreach (string path in Truth.DatasetPaths().Where(p => !p.StartsWith("/unsupported/")))
        {
            var a = await local.GetDatasetAsync(path);
            var b = await remote.GetDatasetAsync(path);
            if (a.Datatype.IsVariableLengthString) Assert.Equal(await a.ReadStringsAsync(), await b.ReadStringsAsync());
            else Assert.Equal(await a.ReadBytesAsync(), await b.ReadBytesAsync());
        }
    }

    [NeedsS3rverFact]
    public async Task The_endpoint_comes_from_the_environment_with_path_style_addressing()
    {
        await UploadAsync();
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", s3.Endpoint);
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
        try
        {
            await using var source = await ByteSources.OpenAsync($"s3://{S3rverServer.Bucket}/granules/latest.h5");
            await using var h5 = await Hdf5File.OpenAsync(source);
            var d = await h5.GetDatasetAsync("/gt1l/land_ice_segments/latitude");
            var chunks = await d.ChunksAsync();
            long before = h5.Statistics.Bytes - h5.MetadataStatistics.Bytes;
            await d.ReadAsync<double>(2000, 2050);
            Assert.Equal(chunks.Single(c => c.Offset[0] == 2000).StoredSize, h5.Statistics.Bytes - h5.MetadataStatistics.Bytes - before);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", null);
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", null);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", null);
        }
    }

    [NeedsS3rverFact]
    public async Task Missing_keys_and_buckets_are_named_without_credentials()
    {
        var e = await Assert.ThrowsAsync<Hdf5SourceException>(() => S3ByteSource.OpenAsync($"s3://{S3rverServer.Bucket}/granules/none.h5", s3.Client()));
        Assert.False(e.IsTransient); // a missing key stays missing: retrying cannot help
        Assert.Contains($"s3://{S3rverServer.Bucket}/granules/none.h5", e.Message);
        Assert.Contains("404", e.Message);
        Assert.DoesNotContain("S3RVER", e.Message);
        var b = await Assert.ThrowsAsync<Hdf5SourceException>(() => S3ByteSource.OpenAsync("s3://no-such-bucket/x.h5", s3.Client()));
        Assert.False(b.IsTransient);
        Assert.Contains("s3://no-such-bucket/x.h5", b.Message);
        Assert.Throws<ArgumentException>(() => S3ByteSource.ParseUrl("s3://bucket-only"));
    }
}
