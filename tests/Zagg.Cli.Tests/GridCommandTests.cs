using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit;
using Zagg.Grid;

namespace Zagg.Cli.Tests;

public class GridCommandTests
{
    [Fact]
    public void Locate_writes_morton_and_nested_in_input_order()
    {
        var r = CliRunner.RunWithInput("lat,lon\n-75.5,10.25\n\n90 0\n-90\t180\n", "grid", "locate", "--order", "6");
        Assert.Equal(0, r.ExitCode);
        string[] lines = r.Out.TrimEnd('\n').Split('\n');
        Assert.Equal("morton,nested", lines[0]);
        Assert.Equal(4, lines.Length);
        (double, double)[] input = [(-75.5, 10.25), (90, 0), (-90, 180)];
        for (int i = 0; i < input.Length; i++)
        {
            long nested = GeoGrid.Locate(input[i].Item1, input[i].Item2, 6);
            Assert.Equal($"{Morton.FromNested(nested, 6)},{nested}", lines[i + 1]);
        }
    }

    [Fact]
    public void Locate_honours_the_latitude_convention()
    {
        var a = CliRunner.RunWithInput("-75.5,10.25\n", "grid", "locate", "--order", "18");
        var g = CliRunner.RunWithInput("-75.5,10.25\n", "grid", "locate", "--order", "18", "--latitude", "geodetic-spherical");
        Assert.Equal($"{GeoGrid.LocateMorton(-75.5, 10.25, 18)},{GeoGrid.Locate(-75.5, 10.25, 18)}\n", a.Out);
        long gs = GeoGrid.Locate(-75.5, 10.25, 18, LatitudeConvention.GeodeticSpherical);
        Assert.Equal($"{Morton.FromNested(gs, 18)},{gs}\n", g.Out);
        Assert.NotEqual(a.Out, g.Out);
    }

    [Fact]
    public void Locate_at_order_0_writes_0_as_the_morton_word()
    {
        var r = CliRunner.RunWithInput("-75.5,10.25\n", "grid", "locate", "--order", "0");
        Assert.Equal("0,8\n", r.Out);
    }

    [Fact]
    public void Bad_lines_are_reported_by_number_and_nothing_is_written()
    {
        var r = CliRunner.RunWithInput("-75.5,10.25\nabc\n91,2\n1,2,3\n0,nan\n", "grid", "locate", "--order", "6");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Contains("line 2: expected two numbers", r.Error);
        Assert.Contains("line 3: latitude 91 is outside [-90, 90]", r.Error);
        Assert.Contains("line 4: expected two numbers", r.Error);
        Assert.Contains("line 5: longitude is not finite", r.Error);
        Assert.Contains("nothing written", r.Error);
    }

    [Fact]
    public void Locate_to_a_file_leaves_no_file_when_input_is_bad()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-cli").FullName;
        try
        {
            string path = Path.Combine(dir, "out.csv");
            var good = CliRunner.RunWithInput("10,20\n", "grid", "locate", "--order", "3", "--output", path);
            Assert.Equal(0, good.ExitCode);
            Assert.Equal($"{GeoGrid.LocateMorton(10, 20, 3)},{GeoGrid.Locate(10, 20, 3)}\n", File.ReadAllText(path));
            var bad = CliRunner.RunWithInput("10,20\nx,y\n", "grid", "locate", "--order", "3", "--output", Path.Combine(dir, "bad.csv"));
            Assert.Equal(1, bad.ExitCode);
            Assert.Equal(["out.csv"], Directory.GetFiles(dir).Select(Path.GetFileName));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData(new[] { "grid", "locate" }, "'--order' is required")]
    [InlineData(new[] { "grid", "locate", "--order", "30" }, "--order must be in 0–29")]
    [InlineData(new[] { "grid", "locate", "--order", "6", "--latitude", "geodetic" }, "--latitude must be 'authalic' or 'geodetic-spherical', not 'geodetic'")]
    [InlineData(new[] { "grid", "frobnicate" }, "frobnicate")]
    public void Usage_errors_exit_2_with_a_hint(string[] args, string message)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Error);
        Assert.Contains("--help", r.Error);
    }

    [Fact]
    public void Cell_describes_a_morton_word()
    {
        var r = CliRunner.Run("grid", "cell", "-6134114");
        Assert.Equal(0, r.ExitCode);
        long nested = Morton.ToNested(-6134114, out _);
        var centre = GeoGrid.Centre(nested, 6);
        Assert.Contains("order         6\n", r.Out);
        Assert.Contains($"nested        {nested} (base cell 11)", r.Out);
        Assert.Contains($"centre        {centre.Latitude.ToString("R", CultureInfo.InvariantCulture)}, {centre.Longitude.ToString("R", CultureInfo.InvariantCulture)}", r.Out);
        Assert.Contains("north corner", r.Out);
    }

    [Fact]
    public void Cell_geojson_is_a_closed_counter_clockwise_polygon()
    {
        var r = CliRunner.Run("grid", "cell", "--word=-6134114", "--geojson", "--step", "3");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("Feature", root.GetProperty("type").GetString());
        Assert.Equal(-6134114, root.GetProperty("properties").GetProperty("morton").GetInt64());
        var ring = root.GetProperty("geometry").GetProperty("coordinates")[0];
        Assert.Equal(13, ring.GetArrayLength());
        Assert.Equal(ring[0].ToString(), ring[12].ToString());
        // Shoelace in lon/lat: positive area is counter-clockwise.
        double area = 0;
        for (int i = 0; i < 12; i++)
            area += ring[i][0].GetDouble() * ring[i + 1][1].GetDouble() - ring[i + 1][0].GetDouble() * ring[i][1].GetDouble();
        Assert.True(area > 0);
    }

    [Fact]
    public void Cell_by_nested_id_and_its_errors()
    {
        Assert.Contains("morton        -6134114", CliRunner.Run("grid", "cell", "--nested", "45763", "--order", "6").Out);
        Assert.Contains("(none at this order)", CliRunner.Run("grid", "cell", "--nested", "5", "--order", "0").Out);
        Assert.Contains("digit 5 at level 5", CliRunner.Run("grid", "cell", "-6134154").Error);
        Assert.Contains("--nested needs --order", CliRunner.Run("grid", "cell", "--nested", "3").Error);
        Assert.Contains("not a cell of order 1", CliRunner.Run("grid", "cell", "--nested", "48", "--order", "1").Error);
        Assert.Equal(1, CliRunner.Run("grid", "cell").ExitCode);
    }

    [Fact]
    public void Cover_lists_the_cells_of_a_geojson_polygon()
    {
        string path = Path.Combine(Path.GetTempPath(), $"zagg-cover-{Guid.NewGuid():N}.geojson");
        File.WriteAllText(path, """{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[170,-20],[-170,-20],[-170,10],[170,10],[170,-20]]]}}""");
        try
        {
            var r = CliRunner.Run("grid", "cover", "--polygon", path, "--order", "4");
            Assert.Equal(0, r.ExitCode);
            var words = r.Out.TrimEnd('\n').Split('\n').Select(long.Parse).ToList();
            Assert.Contains(GeoGrid.LocateMorton(0, 180, 4), words);
            Assert.DoesNotContain(GeoGrid.LocateMorton(0, 0, 4), words);
            Assert.Contains($"{words.Count} cells of order 4", r.Error);
            var ranges = CliRunner.Run("grid", "cover", "--polygon", path, "--order", "14", "--format", "ranges");
            Assert.Equal(0, ranges.ExitCode);
            Assert.Contains("morton words exist for orders 1–18", CliRunner.Run("grid", "cover", "--polygon", path, "--order", "20", "--format", "morton").Error);
            File.WriteAllText(path, """{"type":"Point","coordinates":[0,0]}""");
            var bad = CliRunner.Run("grid", "cover", "--polygon", path, "--order", "4");
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains("is a Point", bad.Error);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Help_and_version_read_well()
    {
        var help = CliRunner.Run("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("grid", help.Out);
        var locate = CliRunner.Run("grid", "locate", "--help");
        Assert.Contains("--latitude", locate.Out);
        Assert.Contains("authalic|geodetic-spherical", locate.Out);
        var version = CliRunner.Run("--version");
        Assert.Matches(@"^zagg \d+\.\d+\.\d+ \(\.NET", version.Out);
    }

    [Fact]
    public void The_built_zagg_command_runs_as_a_process()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "zagg.dll");
        var psi = new ProcessStartInfo("dotnet", [dll, "grid", "locate", "--order", "12"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write("-75.5,10.25\n");
        p.StandardInput.Close();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000));
        Assert.Equal(0, p.ExitCode);
        Assert.Equal($"{GeoGrid.LocateMorton(-75.5, 10.25, 12)},{GeoGrid.Locate(-75.5, 10.25, 12)}\n", output);
    }
}
