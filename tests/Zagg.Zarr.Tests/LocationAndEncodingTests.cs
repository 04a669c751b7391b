using Xunit;
using Zagg.Cloud;
using Zagg.Zarr.Stores;

namespace Zagg.Zarr.Tests;

/// <summary>Locations are parsed one way for every reader and writer; numbers become dtype bytes one way.</summary>
public class LocationAndEncodingTests
{
    [Theory]
    [InlineData("out.zarr", StorageKind.File, "out.zarr", "", "")]
    [InlineData("/data/out.zarr", StorageKind.File, "/data/out.zarr", "", "")]
    [InlineData("file:///data/out.zarr", StorageKind.File, "/data/out.zarr", "", "")]
    [InlineData("file://localhost/data/out.zarr", StorageKind.File, "/data/out.zarr", "", "")]
    [InlineData("file:/data/out.zarr", StorageKind.File, "/data/out.zarr", "", "")]
    [InlineData("file:///data/my%20run.zarr", StorageKind.File, "/data/my run.zarr", "", "")]
    [InlineData("s3://bucket/runs/out.zarr/", StorageKind.S3, "", "bucket", "runs/out.zarr")]
    [InlineData("s3://bucket", StorageKind.S3, "", "bucket", "")]
    [InlineData("https://host/a/b.h5", StorageKind.Http, "", "", "")]
    public void Locations_parse_to_one_kind(string text, StorageKind kind, string path, string bucket, string key)
    {
        var l = StorageLocation.Parse(text);
        Assert.Equal(kind, l.Kind);
        Assert.Equal(path, l.Path);
        Assert.Equal(bucket, l.Bucket);
        Assert.Equal(key, l.Key);
        if (kind == StorageKind.Http) Assert.Equal(new Uri(text), l.Uri);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("s3:///x", "names no bucket")]
    [InlineData("ftp://host/x", "the scheme is not one of")]
    // Another host's file:// URL is a network share (read as a path with backslashes, written in the current folder).
    [InlineData("file://server/data/out.zarr", "names the host 'server'")]
    [InlineData("file://out.zarr", "names the host 'out.zarr'")]
    [InlineData("file:out.zarr", "is not a valid file:// URL")]
    [InlineData("gs://user:secret@bucket/x?token=secret", "the scheme is not one of")]
    public void Bad_locations_say_why_without_secrets(string text, string message)
    {
        Assert.False(StorageLocation.TryParse(text, out _, out string? error));
        Assert.Contains(message, error);
        Assert.DoesNotContain("secret", error);
    }

    [Fact]
    public void Http_display_drops_query_and_user_info()
        => Assert.Equal("https://host/a/b.h5", StorageLocation.Parse("https://me:pw@host/a/b.h5?X-Amz-Signature=abc").Display);

    [Theory]
    [InlineData("s3://b/run/out.zarr.report.json", "s3://b/run", "out.zarr.report.json")]
    [InlineData("s3://b/catalog.json", "s3://b", "catalog.json")]
    [InlineData("runs/out.zarr.report.json", "runs", "out.zarr.report.json")]
    [InlineData("out.json", ".", "out.json")]
    [InlineData("/out.json", "/", "out.json")]
    public void A_location_splits_into_its_folder_and_name(string text, string folder, string name)
    {
        var (f, n) = StorageLocation.Parse(text).Split();
        Assert.Equal(folder, f.Display);
        Assert.Equal(name, n);
    }

    [Fact]
    public void Stores_open_through_the_one_parser()
    {
        Assert.IsType<LocalStore>(ZarrStores.Open("file:///tmp/x.zarr"));
        Assert.Equal("s3://bucket/p", ZarrStores.Open("s3://bucket/p").Name);
        Assert.Contains("store URLs are paths", Assert.Throws<ZarrException>(() => ZarrStores.Open("http://host/x.zarr")).Message);
    }

    [Theory]
    [InlineData(ZarrDataType.Int32, 2.9, new byte[] { 2, 0, 0, 0 })]
    [InlineData(ZarrDataType.Int32, -2.9, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF })]
    [InlineData(ZarrDataType.UInt8, 255.5, new byte[] { 255 })]
    [InlineData(ZarrDataType.Bool, 0.5, new byte[] { 1 })]
    [InlineData(ZarrDataType.UInt64, 18446744073709549568.0, new byte[] { 0, 0xF8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })]
    public void Numbers_truncate_toward_zero_into_integers(ZarrDataType type, double value, byte[] expected)
    {
        var bytes = new byte[type.Size()];
        type.Encode(value, bytes, "v");
        Assert.Equal(expected, bytes);
        Assert.Equal(expected, type.Fill(value));
    }

    [Theory]
    [InlineData(ZarrDataType.Int8, 128.0, "v: 128 does not fit int8")]
    [InlineData(ZarrDataType.UInt16, -1.0, "v: -1 does not fit uint16")]
    [InlineData(ZarrDataType.UInt64, 18446744073709551616.0, "does not fit uint64")]
    [InlineData(ZarrDataType.Int64, 9223372036854775808.0, "does not fit int64")]
    [InlineData(ZarrDataType.Int32, double.NaN, "has no int32 value")]
    public void Numbers_that_do_not_fit_are_refused_not_wrapped(ZarrDataType type, double value, string message)
    {
        var bytes = new byte[type.Size()];
        Assert.Contains(message, Assert.Throws<ZarrException>(() => type.Encode(value, bytes, "v")).Message);
    }
}
