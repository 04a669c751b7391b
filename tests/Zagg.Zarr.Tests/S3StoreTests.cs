using Xunit;
using Zagg.TestSupport;
using Zagg.Zarr.Stores;

namespace Zagg.Zarr.Tests;

/// <summary>The store contract against a real s3rver on loopback.</summary>
public class S3StoreTests(S3rverServer s3) : IClassFixture<S3rverServer>
{
    private S3Store Store(string prefix) => S3Store.Open($"s3://{S3rverServer.Bucket}/{prefix}", s3.Client());

    [NeedsS3rverFact]
    public async Task Keys_set_get_list_delete()
    {
        var store = Store("contract-" + Guid.NewGuid().ToString("N"));
        Assert.Null(await store.GetAsync("a/zarr.json"));
        Assert.False(await store.ExistsAsync("a/zarr.json"));
        await store.SetAsync("a/zarr.json", "{}"u8.ToArray());
        await store.SetAsync("a/b/c/0", new byte[] { 1, 2, 3 });
        Assert.Equal([1, 2, 3], await store.GetAsync("a/b/c/0"));
        Assert.True(await store.ExistsAsync("a/zarr.json"));
        var keys = new List<string>();
        await foreach (var k in store.ListAsync("a/")) keys.Add(k);
        Assert.Equal(["a/b/c/0", "a/zarr.json"], keys.Order());
        await store.DeleteAsync("a/b/c/0");
        await store.DeleteAsync("a/b/c/0"); // absent keys are fine
        Assert.Null(await store.GetAsync("a/b/c/0"));
    }

    [NeedsS3rverFact]
    public async Task A_bucket_that_does_not_exist_is_named_by_a_store_exception()
    {
        var store = S3Store.Open("s3://no-such-bucket/out.zarr", s3.Client());
        var e = await Assert.ThrowsAsync<StoreException>(() => store.SetAsync("zarr.json", "{}"u8.ToArray()));
        Assert.Contains("bucket no-such-bucket does not exist", e.Message);
        Assert.Equal("zarr.json", e.Key);
        Assert.Equal("s3://no-such-bucket/out.zarr", e.Store);
        Assert.DoesNotContain("S3RVER", e.Message);
        var listed = await Assert.ThrowsAsync<StoreException>(async () => { await foreach (var _ in store.ListAsync("")) { } });
        Assert.Contains("does not exist", listed.Reason);
    }

    [Fact]
    public async Task Transport_errors_are_store_exceptions_naming_the_key()
    {
        // Nothing listens on this loopback port: the SDK's transport error is translated, never leaked.
        var client = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials("KEYID", "SECRETVALUE"),
            new Amazon.S3.AmazonS3Config { ServiceURL = "http://127.0.0.1:9", ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0, Timeout = TimeSpan.FromSeconds(5) });
        var store = S3Store.Open("s3://bucket/prefix", client);
        var e = await Assert.ThrowsAsync<StoreException>(() => store.GetAsync("a/zarr.json"));
        Assert.Equal("a/zarr.json", e.Key);
        Assert.Contains("s3://bucket/prefix: cannot read a/zarr.json", e.Message);
        Assert.DoesNotContain("SECRETVALUE", e.ToString().Replace(e.InnerException?.ToString() ?? "", ""));
    }
}
