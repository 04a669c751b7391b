using System.Net;
using System.Net.Http.Headers;
using Xunit;
using Zagg.Hdf5.IO;

namespace Zagg.Hdf5.Tests;

/// <summary>
/// HTTP answers map to transient or permanent source failures: 5xx, 429 and a body cut short may pass
/// on retry; 404 and 403 do not. Served in process by a message handler over a real fixture's bytes.
/// </summary>
public class HttpFailureKindTests
{
    private static readonly byte[] File = System.IO.File.ReadAllBytes(Truth.Fixture("latest.h5"));

    /// <summary>Answers ranged GETs from the fixture, except that request number <paramref name="failAt"/> gets <paramref name="failure"/>.</summary>
    private sealed class Server(int failAt, Func<HttpResponseMessage> failure) : HttpMessageHandler
    {
        private int _requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _requests) == failAt) return Task.FromResult(failure());
            var range = request.Headers.Range!.Ranges.Single();
            long from = range.From!.Value, to = Math.Min(range.To!.Value, File.Length - 1);
            var body = new ByteArrayContent(File, (int)from, (int)(to - from + 1));
            body.Headers.ContentRange = new ContentRangeHeaderValue(from, to, File.Length);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.PartialContent) { Content = body });
        }
    }

    /// <summary>A body that ends with a connection reset after a few bytes.</summary>
    private sealed class Reset : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("connection reset by peer");
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static readonly Uri Url = new("http://granules.invalid/latest.h5");

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.NotFound, false)]
    [InlineData(HttpStatusCode.Forbidden, false)]
    public async Task A_status_says_whether_a_retry_may_help(HttpStatusCode status, bool transient)
    {
        using var client = new HttpClient(new Server(1, () => new HttpResponseMessage(status)));
        using var access = new RemoteAccess(http: client, maxRetries: 0);
        var e = await Assert.ThrowsAsync<Hdf5SourceException>(() => HttpByteSource.OpenAsync(Url, access));
        Assert.Equal(transient, e.IsTransient);
        Assert.Contains($"HTTP {(int)status}", e.Message);
    }

    [Fact]
    public async Task A_body_cut_short_mid_file_is_transient_and_the_file_reads_on_retry()
    {
        var reset = new HttpResponseMessage(HttpStatusCode.PartialContent) { Content = new StreamContent(new Reset()) };
        using var client = new HttpClient(new Server(3, () => reset));
        using var access = new RemoteAccess(http: client, maxRetries: 0);
        await using var h5 = await Hdf5File.OpenAsync(await HttpByteSource.OpenAsync(Url, access), ownsSource: true);
        await using var local = await Hdf5File.OpenAsync(Truth.Fixture("latest.h5"));
        int transient = 0;
        foreach (string path in Truth.DatasetPaths().Where(p => !p.StartsWith("/unsupported/", StringComparison.Ordinal)))
        {
            byte[] bytes;
            try { bytes = await (await h5.GetDatasetAsync(path)).ReadBytesAsync(); }
            catch (Hdf5SourceException e) when (e.IsTransient)
            {
                transient++;
                bytes = await (await h5.GetDatasetAsync(path)).ReadBytesAsync();
            }
            Assert.Equal(await (await local.GetDatasetAsync(path)).ReadBytesAsync(), bytes);
        }
        Assert.Equal(1, transient);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.PartialContent)] // a body that resets mid-way
    public async Task With_retries_a_transient_failure_is_absorbed_and_counted(HttpStatusCode status)
    {
        Func<HttpResponseMessage> failure = status == HttpStatusCode.PartialContent
            ? () => new HttpResponseMessage(HttpStatusCode.PartialContent) { Content = new StreamContent(new Reset()) }
            : () => new HttpResponseMessage(status);
        using var client = new HttpClient(new Server(3, failure));
        using var access = new RemoteAccess(http: client);
        await using var h5 = await Hdf5File.OpenAsync(await HttpByteSource.OpenAsync(Url, access), ownsSource: true);
        await using var local = await Hdf5File.OpenAsync(Truth.Fixture("latest.h5"));
        foreach (string path in Truth.DatasetPaths().Where(p => !p.StartsWith("/unsupported/", StringComparison.Ordinal)))
            Assert.Equal(await (await local.GetDatasetAsync(path)).ReadBytesAsync(), await (await h5.GetDatasetAsync(path)).ReadBytesAsync());
        Assert.Equal(1, h5.Statistics.Retries);
    }

    [Fact]
    public async Task A_refusal_is_not_retried()
    {
        int requests = 0;
        using var client = new HttpClient(new Server(1, () => { Interlocked.Increment(ref requests); return new HttpResponseMessage(HttpStatusCode.Forbidden); }));
        using var access = new RemoteAccess(http: client);
        var e = await Assert.ThrowsAsync<Hdf5SourceException>(() => HttpByteSource.OpenAsync(Url, access));
        Assert.False(e.IsTransient);
        Assert.Contains("zagg auth login", e.Message);
        Assert.Contains("granules.invalid", e.Message);
        Assert.Equal(1, requests);
    }
}
