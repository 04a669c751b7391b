using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;
using Zagg.Grid;
using Zagg.Pipeline.Output;
using Zagg.TestSupport;
using Zagg.Zarr;
using Zagg.Zarr.Stores;

namespace Zagg.Cli.Tests;

/// <summary>
/// <c>zagg render s3://…</c> against a real s3rver on loopback: the same store written to S3 and to disk renders to
/// the same picture, pixel by pixel. The client is configured as a user's would be, through AWS_ENDPOINT_URL_S3 and
/// the key variables.
/// </summary>
public sealed class RenderS3Tests(S3rverServer s3) : IClassFixture<S3rverServer>
{
    /// <summary>Four parent cells of order 4 around the South Pole, child order 7, a checkerboard of h_mean values.</summary>
    private static async Task WriteAsync(IZarrStore target)
    {
        long[] parents = [GeoGrid.Locate(-75, 10, 4), GeoGrid.Locate(-80, 100, 4), GeoGrid.Locate(-72, -60, 4), GeoGrid.Locate(-85, -150, 4)];
        var store = await DggsStore.CreateAsync(target, new DggsTemplate
        {
            ParentOrder = 4, ChildOrder = 7, ParentCellCount = parents.Length,
            Variables = [new("count", ZarrDataType.Int32), new("h_mean", ZarrDataType.Float32)],
        });
        for (int i = 0; i < parents.Length; i++)
        {
            var count = new byte[64 * 4];
            var mean = new byte[64 * 4];
            for (int k = 0; k < 64; k++)
            {
                BitConverter.TryWriteBytes(count.AsSpan(k * 4), k + 1);
                BitConverter.TryWriteBytes(mean.AsSpan(k * 4), ((k ^ i) & 1) == 0 ? 100f : 2000f + 10 * k);
            }
            await store.WriteCellAsync(parents[i], i, new Dictionary<string, byte[]> { ["count"] = count, ["h_mean"] = mean });
        }
        await store.ConsolidateAsync();
    }

    [NeedsS3rverFact]
    public async Task An_s3_store_renders_as_the_same_store_on_disk()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-render-s3").FullName;
        string prefix = "render-" + Guid.NewGuid().ToString("N") + "/s.zarr";
        try
        {
            string disk = Path.Combine(dir, "s.zarr");
            await WriteAsync(new LocalStore(disk));
            await WriteAsync(S3Store.Open($"s3://{S3rverServer.Bucket}/{prefix}", s3.Client()));

            string fromDisk = Path.Combine(dir, "disk.png"), fromS3 = Path.Combine(dir, "s3.png");
            var d = CliRunner.Run("render", disk, "--resolution", "5km", "--out", fromDisk);
            Assert.True(d.ExitCode == 0, d.Error);
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", s3.Endpoint);
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
            CliResult r;
            try { r = CliRunner.Run("render", $"s3://{S3rverServer.Bucket}/{prefix}", "--resolution", "5km", "--out", fromS3); }
            finally
            {
                Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", null);
                Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", null);
                Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", null);
            }
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.Contains("h_mean at order 7", r.Out);

            using var a = Image.Load<Rgba32>(fromDisk);
            using var b = Image.Load<Rgba32>(fromS3);
            Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
            int drawn = 0, colours = 0;
            var seen = new HashSet<Rgba32>();
            for (int y = 0; y < a.Height; y++)
                for (int x = 0; x < a.Width; x++)
                {
                    Rgba32 p = a[x, y], q = b[x, y];
                    Assert.True(p == q, $"pixel ({x}, {y}) differs: disk {p}, s3 {q}");
                    if (p.A == 255) drawn++;
                    if (seen.Add(p)) colours++;
                }
            // Not two blank pictures: the cells are drawn, in the checkerboard's many colours.
            Assert.True(drawn > 1000, $"only {drawn} opaque pixels");
            Assert.True(colours > 10, $"only {colours} colours");
        }
        finally { Directory.Delete(dir, true); }
    }
}
