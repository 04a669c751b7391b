using Xunit;
using Zagg.Hdf5;
using Zagg.Hdf5.IO;
using Zagg.TestSupport;

namespace Zagg.Auth.Tests;

/// <summary>
/// A committed granule held by s3rver, read with temporary keys from the fake s3credentials endpoint (asked with the
/// token the fake Earthdata Login gave for a username and password): the same bytes as the local file, and no
/// secret in any name or message.
/// </summary>
public sealed class NsidcS3ReadTests(S3rverServer s3) : IClassFixture<S3rverServer>, IAsyncLifetime
{
    private readonly FakeEarthdata _edl = new();

    public async Task InitializeAsync()
    {
        await _edl.InitializeAsync();
        _edl.AddUser("alice", "correct horse");
    }

    public Task DisposeAsync() => _edl.DisposeAsync();

    private static string Granule => Directory.GetFiles(Path.Combine(LoopbackProcess.RepositoryRoot()!, "demo", "atl06"), "*.h5").Order(StringComparer.Ordinal).First();

    [NeedsS3rverFact]
    public async Task An_s3_granule_reads_with_keys_from_s3credentials_as_the_local_file_does()
    {
        await s3.UploadAsync("nsidc/granule.h5", Granule);
        var env = new Dictionary<string, string> { ["EARTHDATA_USERNAME"] = "alice", ["EARTHDATA_PASSWORD"] = "correct horse" };
        string cache = Path.Combine(Directory.CreateTempSubdirectory("zagg-auth").FullName, "token.json");
        using var login = new EarthdataLogin(new EarthdataEndpoints(_edl.LoginUrl, _edl.S3CredentialsUrl), new TokenCache(cache), environment: v => env.GetValueOrDefault(v), netrcPath: "/nonexistent");
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", s3.Endpoint);
        try
        {
            using var access = new RemoteAccess(login.BearerTokenAsync, login.Endpoints.IsEarthdataHost, new NsidcS3Credentials(login));
            await using var local = await Hdf5File.OpenAsync(Granule);
            await using var remote = await Hdf5File.OpenAsync(await ByteSources.OpenAsync($"s3://{S3rverServer.Bucket}/nsidc/granule.h5", access), ownsSource: true);
            int datasets = 0;
            foreach (string group in new[] { "gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r" })
            {
                if (await local.TryGetAsync($"/{group}/land_ice_segments") is not Hdf5Group g) continue;
                foreach (var child in await g.ChildrenAsync())
                {
                    if (child is not Hdf5Dataset d || d.Datatype.IsVariableLengthString) continue;
                    Assert.Equal(await d.ReadBytesAsync(), await (await remote.GetDatasetAsync(d.Path)).ReadBytesAsync());
                    datasets++;
                }
            }
            Assert.True(datasets > 5);
            Assert.Equal(1, _edl.KeyRequests);
            Assert.Equal(1, _edl.TokenCreations);
            string session = _edl.SessionTokens.Single();
            Assert.DoesNotContain(session, remote.Name);
            Assert.DoesNotContain(session, remote.Statistics.ToString());
        }
        finally { Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", null); }
    }

    [NeedsS3rverFact]
    public async Task A_wrong_password_stops_the_first_read_in_one_line()
    {
        var env = new Dictionary<string, string> { ["EARTHDATA_USERNAME"] = "alice", ["EARTHDATA_PASSWORD"] = "wrong" };
        string cache = Path.Combine(Directory.CreateTempSubdirectory("zagg-auth").FullName, "token.json");
        using var login = new EarthdataLogin(new EarthdataEndpoints(_edl.LoginUrl, _edl.S3CredentialsUrl), new TokenCache(cache), environment: v => env.GetValueOrDefault(v), netrcPath: "/nonexistent");
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", s3.Endpoint);
        try
        {
            using var access = new RemoteAccess(login.BearerTokenAsync, login.Endpoints.IsEarthdataHost, new NsidcS3Credentials(login));
            var e = await Assert.ThrowsAsync<Hdf5SourceException>(() => ByteSources.OpenAsync($"s3://{S3rverServer.Bucket}/nsidc/granule.h5", access));
            Assert.False(e.IsTransient);
            Assert.Contains(_edl.LoginUrl.Authority, e.Message);
            Assert.Contains("zagg auth login", e.Message);
            Assert.DoesNotContain("wrong", e.Message.Replace("wrong password", ""));
        }
        finally { Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", null); }
    }
}
