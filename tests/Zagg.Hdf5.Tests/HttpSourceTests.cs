using Xunit;
using Zagg.Hdf5.IO;
using Zagg.TestSupport;

namespace Zagg.Hdf5.Tests;

/// <summary>Reads over HTTP with Range requests against a real nginx on loopback.</summary>
public class HttpSourceTests(NginxServer nginx) : IClassFixture<NginxServer>
{
    [NeedsNginxFact]
    public async Task Every_dataset_reads_the_same_over_http_as_from_the_file()
    {
        await using var local = await Hdf5File.OpenAsync(Truth.Fixture("latest.h5"));
        await using var remote = await Hdf5File.OpenAsync(await HttpByteSource.OpenAsync(new Uri(nginx.Url("/files/latest.h5"))), ownsSource: true);
        foreach (string path in Truth.DatasetPaths().Where(p => !p.StartsWith("/unsupported/")))
        {
            var a = await local.GetDatasetAsync(path);
            if (a.Datatype.IsVariableLengthString)
            {
                Assert.Equal(await a.ReadStringsAsync(), await (await remote.GetDatasetAsync(path)).ReadStringsAsync());
                continue;
            }
            Assert.Equal(await a.ReadBytesAsync(), await (await remote.GetDatasetAsync(path)).ReadBytesAsync());
        }
        Assert.True(remote.Statistics.Requests > 0);
    }

    [NeedsNginxFact]
    public async Task A_row_range_over_http_fetches_only_its_chunk()
    {
        await using var remote = await Hdf5File.OpenAsync(await HttpByteSource.OpenAsync(new Uri(nginx.Url("/files/earliest.h5"))), ownsSource: true);
        var d = await remote.GetDatasetAsync("/layouts/ea_gzip");
        var chunks = await d.ChunksAsync();
        long before = remote.Statistics.Bytes - remote.MetadataStatistics.Bytes;
        await d.ReadAsync<double>(2950, 2990);
        Assert.Equal(chunks.Single(c => c.Offset[0] == 2900).StoredSize, remote.Statistics.Bytes - remote.MetadataStatistics.Bytes - before);
    }

    [NeedsNginxFact]
    public async Task Opening_fetches_the_first_64_KiB_and_reads_inside_them_cost_no_request()
    {
        byte[] file = await File.ReadAllBytesAsync(Truth.Fixture("earliest.h5"));
        await using var source = await HttpByteSource.OpenAsync(new Uri(nginx.Url("/files/earliest.h5")));
        Assert.Equal(file.Length, source.Length);
        Assert.Equal(1, source.Statistics.Requests);
        int head = (int)Math.Min(RemoteAccess.HeadLength, file.Length);
        Assert.Equal(head, source.Statistics.Bytes);
        var first = new byte[head];
        await source.ReadAsync(0, first);
        Assert.Equal(file.AsSpan(0, head).ToArray(), first);
        var middle = new byte[100];
        await source.ReadAsync(head - 100, middle);
        Assert.Equal(file.AsSpan(head - 100, 100).ToArray(), middle);
        Assert.Equal(1, source.Statistics.Requests);
        if (file.Length > head)
        {
            // A read that runs past the head asks the server for all of it.
            var across = new byte[200];
            await source.ReadAsync(head - 100, across);
            Assert.Equal(file.AsSpan(head - 100, 200).ToArray(), across);
            Assert.Equal(2, source.Statistics.Requests);
        }
    }

    [NeedsNginxFact]
    public async Task A_bearer_token_opens_protected_objects_and_is_never_shown()
    {
        var e = await Assert.ThrowsAsync<Hdf5SourceException>(() => HttpByteSource.OpenAsync(new Uri(nginx.Url("/secret/latest.h5")), "wrong-token"));
        Assert.False(e.IsTransient);
        Assert.Contains("HTTP 401", e.Message);
        Assert.Contains("zagg auth login", e.Message);
        Assert.DoesNotContain("wrong-token", e.Message);
        await using var source = await HttpByteSource.OpenAsync(new Uri(nginx.Url("/secret/latest.h5")), NginxServer.Token);
        Assert.DoesNotContain(NginxServer.Token, source.Name);
        await using var h5 = await Hdf5File.OpenAsync(source);
        Assert.Equal(3, h5.FormatVersion);
    }

    [NeedsNginxFact]
    public async Task A_link_to_a_host_that_is_not_an_Earthdata_host_is_read_without_the_token()
    {
        // The signed-URL server answers 400 to any request carrying an Authorization header; it is not in ZAGG_TOKEN_HOSTS.
        var link = new Uri($"http://127.0.0.1:{nginx.SignedPort}/signed/latest.h5?sig=ok");
        Assert.False(TokenHosts.Allows(link));
        Assert.True(TokenHosts.Allows(new Uri(nginx.Url("/secret/latest.h5"))));
        int asked = 0;
        using var access = new RemoteAccess(bearerToken: _ => { asked++; return ValueTask.FromResult<string?>(NginxServer.Token); });
        await using var local = await Hdf5File.OpenAsync(Truth.Fixture("latest.h5"));
        await using var remote = await Hdf5File.OpenAsync(await HttpByteSource.OpenAsync(link, access), ownsSource: true);
        var d = await remote.GetDatasetAsync("/gt1l/land_ice_segments/latitude");
        Assert.Equal(await (await local.GetDatasetAsync("/gt1l/land_ice_segments/latitude")).ReadBytesAsync(), await d.ReadBytesAsync());
        Assert.Equal(0, asked); // not even asked for: a host that may not have it needs no login

        // Earthdata's own hosts over https only.
        Assert.True(TokenHosts.Allows(new Uri("https://data.nsidc.earthdatacloud.nasa.gov/nsidc-cumulus-prod-protected/ATLAS/ATL06/x.h5")));
        Assert.True(TokenHosts.Allows(new Uri("https://urs.earthdata.nasa.gov/oauth/authorize")));
        Assert.False(TokenHosts.Allows(new Uri("http://data.nsidc.earthdatacloud.nasa.gov/x.h5")));
        Assert.False(TokenHosts.Allows(new Uri("https://earthdatacloud.nasa.gov.evil.example/x.h5")));
        Assert.False(TokenHosts.Allows(new Uri("https://nsidc-cumulus-prod-protected.s3.us-west-2.amazonaws.com/x.h5")));
    }

    [NeedsNginxFact]
    public async Task Missing_objects_and_dead_servers_are_named()
    {
        var e = await Assert.ThrowsAsync<Hdf5SourceException>(() => HttpByteSource.OpenAsync(new Uri(nginx.Url("/files/nothere.h5?X-Amz-Signature=secret"))));
        Assert.False(e.IsTransient);
        Assert.Contains("HTTP 404", e.Message);
        Assert.Contains("/files/nothere.h5", e.Message);
        Assert.DoesNotContain("secret", e.Message);
        var dead = await Assert.ThrowsAsync<Hdf5SourceException>(() => HttpByteSource.OpenAsync(new Uri("http://127.0.0.1:9/x.h5")));
        Assert.True(dead.IsTransient); // nothing answered: a later attempt may
        Assert.Contains("cannot be reached", dead.Message);
    }

    [NeedsNginxFact]
    public async Task The_redirect_chain_to_a_signed_host_reads_every_dataset_and_never_hands_it_the_token()
    {
        // /earthdata/ checks the token and answers 302 to the "signed URL" server, which refuses any Authorization header.
        using var access = new RemoteAccess(bearerToken: _ => ValueTask.FromResult<string?>(NginxServer.Token));
        await using var local = await Hdf5File.OpenAsync(Truth.Fixture("latest.h5"));
        await using var remote = await Hdf5File.OpenAsync(await HttpByteSource.OpenAsync(new Uri(nginx.Url("/earthdata/latest.h5")), access), ownsSource: true);
        foreach (string path in Truth.DatasetPaths().Where(p => !p.StartsWith("/unsupported/")))
        {
            var a = await local.GetDatasetAsync(path);
            if (a.Datatype.IsVariableLengthString) continue;
            Assert.Equal(await a.ReadBytesAsync(), await (await remote.GetDatasetAsync(path)).ReadBytesAsync());
        }
        Assert.Equal(0, remote.Statistics.Retries);
        Assert.DoesNotContain("sig=", remote.Name);
    }

    [NeedsNginxFact]
    public async Task The_redirect_chain_without_a_token_is_refused_in_one_line()
    {
        using var access = new RemoteAccess();
        var e = await Assert.ThrowsAsync<Hdf5SourceException>(() => HttpByteSource.OpenAsync(new Uri(nginx.Url("/earthdata/latest.h5")), access));
        Assert.False(e.IsTransient);
        Assert.Contains("HTTP 401", e.Message);
        Assert.Contains($"127.0.0.1:{nginx.Port}", e.Message);
    }

    [NeedsNginxFact]
    public async Task A_token_allowed_everywhere_is_refused_by_the_signed_host()
    {
        // The test of the test: were the token sent to the signed host, nginx would refuse it.
        using var access = new RemoteAccess(bearerToken: _ => ValueTask.FromResult<string?>(NginxServer.Token), mayReceiveToken: _ => true);
        var e = await Assert.ThrowsAsync<Hdf5SourceException>(() => HttpByteSource.OpenAsync(new Uri(nginx.Url("/earthdata/latest.h5")), access));
        Assert.Contains("HTTP 400", e.Message);
    }
}

/// <summary>Reads through a proxy that adds latency, 503s, resets and short bodies: the bytes stay exact, the retries are counted.</summary>
public class FaultProxyTests(NginxServer nginx) : IClassFixture<NginxServer>
{
    [NeedsNginxFact]
    public async Task Through_503s_resets_and_short_bodies_every_dataset_reads_exactly_and_retries_are_counted()
    {
        await using var proxy = new FaultProxy(new Uri(nginx.Url("/files/")))
        {
            Latency = TimeSpan.FromMilliseconds(2),
            Faults = n => (n % 7) switch { 3 => FaultProxy.Fault.ServiceUnavailable, 5 => FaultProxy.Fault.Reset, 6 => FaultProxy.Fault.ShortBody, _ => FaultProxy.Fault.None },
        };
        await proxy.StartAsync();
        using var access = new RemoteAccess(maxRetries: 6);
        await using var local = await Hdf5File.OpenAsync(Truth.Fixture("latest.h5"));
        await using var remote = await Hdf5File.OpenAsync(await HttpByteSource.OpenAsync(new Uri(proxy.Url, "latest.h5"), access), ownsSource: true);
        foreach (string path in Truth.DatasetPaths().Where(p => !p.StartsWith("/unsupported/")))
        {
            var a = await local.GetDatasetAsync(path);
            if (a.Datatype.IsVariableLengthString) continue;
            Assert.Equal(await a.ReadBytesAsync(), await (await remote.GetDatasetAsync(path)).ReadBytesAsync());
        }
        Assert.True(remote.Statistics.Retries >= 3, remote.Statistics.ToString());
        // SocketsHttpHandler may itself resend a request whose reused connection closed before any answer.
        Assert.True(proxy.Requests >= remote.Statistics.Requests + remote.Statistics.Retries, $"proxy saw {proxy.Requests}, the source {remote.Statistics}");
    }
}
