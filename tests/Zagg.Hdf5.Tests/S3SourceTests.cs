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
    public async Task Opening_fetches_the_first_64_KiB_and_reads_inside_them_cost_no_request()
    {
        await UploadAsync();
        byte[] file = await File.ReadAllBytesAsync(Truth.Fixture("earliest.h5"));
        await using var source = await S3ByteSource.OpenAsync($"s3://{S3rverServer.Bucket}/granules/earliest.h5", s3.Client());
        Assert.Equal(file.Length, source.Length);
        Assert.Equal(1, source.Statistics.Requests);
        Assert.Equal(RemoteAccess.HeadLength, source.Statistics.Bytes);
        var inside = new byte[1000];
        await source.ReadAsync(RemoteAccess.HeadLength - 1000, inside);
        Assert.Equal(file.AsSpan(RemoteAccess.HeadLength - 1000, 1000).ToArray(), inside);
        Assert.Equal(1, source.Statistics.Requests);
        var across = new byte[2000];
        await source.ReadAsync(RemoteAccess.HeadLength - 1000, across);
        Assert.Equal(file.AsSpan(RemoteAccess.HeadLength - 1000, 2000).ToArray(), across);
        Assert.Equal(2, source.Statistics.Requests);
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
            await using var source = await ByteSources.OpenAsync($"s3://{S3rverServer.Bucket}/granules/earliest.h5");
            await using var h5 = await Hdf5File.OpenAsync(source);
            var d = await h5.GetDatasetAsync("/layouts/ea_gzip");
            var chunks = await d.ChunksAsync();
            // A chunk past the object's first 64 KiB (those came with the open and cost no request).
            var chunk = chunks.First(c => c.Address >= RemoteAccess.HeadLength);
            long before = h5.Statistics.Bytes - h5.MetadataStatistics.Bytes;
            await d.ReadAsync<double>(chunk.Offset[0], chunk.Offset[0] + 50);
            Assert.Equal(chunk.StoredSize, h5.Statistics.Bytes - h5.MetadataStatistics.Bytes - before);
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
