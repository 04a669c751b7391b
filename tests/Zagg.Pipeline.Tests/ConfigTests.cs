using Xunit;
using Zagg.Pipeline.Config;
using Zagg.Grid;
using Zagg.Zarr;
using Zagg.Pipeline.Output;

namespace Zagg.Pipeline.Tests;

public class ConfigTests
{
    internal static string Atl06()
    {
        using var s = typeof(ConfigLoader).Assembly.GetManifestResourceStream("Zagg.Configs.atl06.yaml")!;
        return new StreamReader(s).ReadToEnd();
    }

    [Fact]
    public void The_built_in_atl06_config_loads_and_maps_onto_the_template()
    {
        Assert.Contains("atl06", ConfigLoader.BuiltIns);
        var c = ConfigLoader.Load("atl06");
        Assert.Equal("s3", c.DataSource.Driver);
        Assert.Equal(["gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"], c.DataSource.Groups);
        Assert.Equal("/{group}/land_ice_segments/h_li_sigma", c.DataSource.Variables["s_li"]);
        Assert.Equal(0, c.DataSource.QualityFilter!.Value);
        Assert.Equal(12, c.Grid.ChildOrder);
        Assert.Equal(LatitudeConvention.Authalic, c.Grid.Latitude);
        Assert.Equal(DggsLayout.Compact, c.Grid.Layout);
        Assert.Equal(["count", "h_min", "h_max", "h_mean", "h_sigma", "h_variance", "h_q25", "h_q50", "h_q75"], c.Variables.Select(v => v.Name));
        Assert.Equal("average", c.Variables.Single(v => v.Name == "h_mean").Function);
        Assert.IsType<BinaryExpr>(c.Variables.Single(v => v.Name == "h_mean").Parameters["weights"]);
        Assert.Equal(0.25, ((NumberExpr)c.Variables.Single(v => v.Name == "h_q25").Parameters["q"]).Value);

        var t = c.ToTemplate(parentOrder: 6, parentCells: 1312);
        Assert.Equal(4096, t.ChunkLength);
        Assert.Equal(1312, t.ParentCellCount);
        var count = t.Variables.Single(v => v.Name == "count");
        Assert.Equal(ZarrDataType.Int32, count.DataType);
        Assert.Equal(ZarrDataType.Int32.Fill(0), count.Fill);
        var mean = t.Variables.Single(v => v.Name == "h_mean");
        Assert.True(float.IsNaN(BitConverter.ToSingle(mean.Fill)));
    }

    [Fact]
    public void Latitude_and_layout_come_from_the_grid()
    {
        var c = ConfigLoader.Parse(Atl06().Replace("child_order: 12}", "child_order: 10, latitude: geodetic-spherical, layout: full}"), "t.yaml");
        Assert.Equal(LatitudeConvention.GeodeticSpherical, c.Grid.Latitude);
        Assert.Equal(DggsLayout.Full, c.ToTemplate(6, 0).Layout);
    }

    [Theory]
    [InlineData("data_source:", "dta_source:", "dta_source (line 3): unknown key; did you mean 'data_source'?")]
    [InlineData("aggregation:", "agregation:", "unknown key; did you mean 'aggregation'?")]
    [InlineData("output:\n  grid: {type: healpix, indexing_scheme: nested, child_order: 12}", "output:\n  grid: {type: healpix, indexing_scheme: nested}", "output.grid.child_order (line")]
    [InlineData("child_order: 12}", "child_order: 40}", "'40' is not an order in 1–29")]
    [InlineData("child_order: 12}", "child_order: 12, latitude: geodetic}", "'geodetic' is not authalic or geodetic-spherical")]
    [InlineData("child_order: 12}", "child_order: 12, layout: sparse}", "'sparse' is not compact or full")]
    [InlineData("h_min: {function: min, source: h_li, dtype: float32}", "h_min: {function: min, source: h_li, dtype: float23}", "aggregation.variables.h_min.dtype (line")]
    [InlineData("h_min: {function: min, source: h_li, dtype: float32}", "h_min: {function: minimum, source: h_li, dtype: float32}", "unknown function 'minimum'")]
    [InlineData("h_min: {function: min, source: h_li, dtype: float32}", "h_min: {function: min, expression: \"np.min(h_li)\", source: h_li, dtype: float32}", "has both function and expression")]
    [InlineData("h_min: {function: min, source: h_li, dtype: float32}", "h_min: {dtype: float32}", "needs either function or expression")]
    [InlineData("h_min: {function: min, source: h_li, dtype: float32}", "h_min: {function: min, source: x_li, dtype: float32}", "'x_li' is not in data_source.variables (h_li, s_li)")]
    [InlineData("weights: \"1.0 / s_li**2\"", "weights: \"1.0 / t_li**2\"", "h_mean.params.weights (line")]
    [InlineData("\"1.0 / np.sqrt(np.sum(1.0 / s_li**2))\"", "\"1.0 / np.sqrt(np.sum(1.0 / s_li**2)\"", "cannot parse")]
    [InlineData("\"1.0 / np.sqrt(np.sum(1.0 / s_li**2))\"", "\"1.0 / s_li**2\"", "yields one value per point")]
    [InlineData("params: {q: 0.25}", "params: {q: 1.25}", "q must be a number in [0, 1], not '1.25'")]
    [InlineData("params: {q: 0.25}", "params: {q: .nan}", "h_q25.params.q (line 27): q must be a number in [0, 1], not '.nan'")]
    [InlineData("params: {q: 0.25}", "params: {q: \"h_li\"}", "h_q25.params.q (line 27): q must be a number in [0, 1], not 'h_li'")]
    [InlineData("params: {q: 0.25}", "params: {q: a}", "q must be a number in [0, 1], not 'a'")]
    [InlineData("params: {q: 0.25}", "params: {quantile: 0.25}", "h_q25.params.quantile (line")]
    [InlineData("count: {function: len, source: h_li, dtype: int32, fill_value: 0}", "count: {function: len, source: h_li, dtype: int8, fill_value: 300}", "300 does not fit int8")]
    [InlineData("driver: s3", "driver: ftp", "'ftp' is not s3 or https")]
    [InlineData("groups: [gt1l, gt1r, gt2l, gt2r, gt3l, gt3r]", "groups: [gt1l, gt1r, gt1l]", "data_source.groups (line 6): lists gt1l twice: each group is read once per granule, and its points would count twice")]
    [InlineData("groups: [gt1l, gt1r, gt2l, gt2r, gt3l, gt3r]", "groups: []", "data_source.coordinates.latitude (line 8): '/{group}/land_ice_segments/latitude' names {group}, but data_source.groups lists no group")]
    [InlineData("s_li: \"/{group}/land_ice_segments/h_li_sigma\"", "s_li: \"/gt1l/land_ice_segments/h_li_sigma\"", "data_source.variables.s_li (line 12): '/gt1l/land_ice_segments/h_li_sigma' does not name {group}: each of data_source.groups (gt1l, gt1r, gt2l, gt2r, gt3l, gt3r) would read this one dataset")]
    [InlineData("dataset: \"/{group}/land_ice_segments/atl06_quality_summary\"", "dataset: \"/q\"", "data_source.quality_filter.dataset (line 14): '/q' does not name {group}")]
    [InlineData("catalog: catalog.json", "catalog: catalog.json\nbounds:\n  temporal: {start_date: 2024-01-06}", "bounds.temporal (line 34): needs both start_date and end_date")]
    [InlineData("catalog: catalog.json", "catalog: catalog.json\nbounds:\n  temporal: {start_date: 2024-01-06, end_date: 2024-04-07}\n  spacial: {bbox: [0, 0, 1, 1]}", "bounds.spacial (line 35): unknown key; did you mean 'spatial'?")]
    [InlineData("catalog: catalog.json", "catalog: catalog.json\nbounds:\n  temporal: {start_date: 2024-04-07, end_date: 2024-01-06}", "is before start_date")]
    [InlineData("    morton: {dtype: int64, fill_value: 0}", "    morton: {dtype: int32, fill_value: 0}", "morton is stored as int64")]
    [InlineData("    morton: {dtype: int64, fill_value: 0}", "    morton: {dtype: int64, fill_value: -1}", "aggregation.coordinates.morton.fill_value (line 19): morton is stored with fill_value 0")]
    [InlineData("    cell_ids: {dtype: uint64, fill_value: 0}", "    cell_ids: {dtype: uint64, fill_value: 7}", "cell_ids is stored with fill_value 0")]
    [InlineData("reader: h5coro", "reader: h5py", "data_source.reader (line 4): 'h5py' is not a known reader (h5coro, zagg")]
    [InlineData("catalog: catalog.json", "catalog: catalog.json\nbounds:\n  spatial: {bbox: [0, 0, 1]}", "bounds.spatial.bbox (line 34): should be [lon_min, lat_min, lon_max, lat_max]")]
    [InlineData("catalog: catalog.json", "catalog: catalog.json\nbounds:\n  spatial: {bbox: [0, -91, 1, 1]}", "bounds.spatial.bbox (line 34): lat_min -91 is outside [-90, 90]")]
    [InlineData("catalog: catalog.json", "catalog: catalog.json\nbounds:\n  spatial: {bbox: [0, 10, 1, -10]}", "lat_min 10 is north of lat_max -10")]
    [InlineData("catalog: catalog.json", "catalog: catalog.json\nbounds:\n  spatial: {bbox: [370, 0, 1, 1]}", "bounds.spatial.bbox (line 34): lon_min 370 is outside [-180, 360]")]
    [InlineData("catalog: catalog.json", "catalog: catalog.json\nbounds:\n  spatial: {bbox: [10, -80, 10, -60]}", "bounds.spatial.bbox (line 34): lon_min and lon_max are both 10: the box has no area")]
    [InlineData("catalog: catalog.json", "catalog: catalog.json\nbounds:\n  spatial: {bbox: [0, -70, 10, -70]}", "bounds.spatial.bbox (line 34): lat_min and lat_max are both -70: the box has no area")]
    [InlineData("catalog: catalog.json", "catalog: catalog.json\nbounds:\n  spatial: {bbox: [0, .nan, 10, -70]}", "bounds.spatial.bbox (line 34): lat_min NaN is not a finite number")]
    [InlineData("catalog: catalog.json", "catalog: catalog.json\nbounds:\n  spatial: {polygon: area.geojson, bbox: [0, 0, 1, 1]}", "bounds.spatial (line 34): has both polygon and bbox")]
    [InlineData("    h_min: {", "    cell_ids: {", "aggregation.variables.cell_ids (line 22): is the name of a coordinate array the store writes (cell_ids, morton)")]
    [InlineData("    h_min: {", "    \"a/b\": {", "aggregation.variables.a/b (line 22): is not a usable array name")]
    [InlineData("    h_min: {function: min, source: h_li, dtype: float32", "    h_min: {function: min, source: h_li, dtype: bool", "aggregation.variables.h_min.dtype (line 22): bool cannot hold a statistic's value")]
    [InlineData("function: min,", "function: minimum,", "aggregation.variables.h_min.function (line 22): unknown function 'minimum'; did you mean 'min'?")]
    [InlineData("params: {q: 0.25}", "params: {q: [0.1, 0.9]}", "h_q25.params.q (line 27): q must be one number in [0, 1]")]
    [InlineData("h_variance: {function: var, source: h_li,", "h_variance: {function: var, source: h_li, params: {ddof: 1},", "aggregation.variables.h_variance.params (line 26): var takes no params")]
    [InlineData("    h_min: {", "    zarr.json: {", "aggregation.variables.zarr.json (line 22): is the name of the group's own metadata document (zarr.json)")]
    [InlineData("    h_min: {function: min, source: h_li, dtype: float32", "    h_min: {function: min, source: h_li, dtype: Bool", "'Bool' is not a data type (int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64)")]
    public void Mistakes_are_named_by_key_path_and_line(string find, string replace, string message)
    {
        string yaml = Atl06() + "catalog: catalog.json\n";
        Assert.Contains(find, yaml);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml.Replace(find, replace), "my.yaml"));
        Assert.StartsWith("my.yaml: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    // Truth: what PyYAML (YAML 1.1, the Python system's loader) or the YAML 1.2 core schema reads each spelling as.
    [Theory]
    [InlineData(".inf", double.PositiveInfinity)]
    [InlineData(".Inf", double.PositiveInfinity)]
    [InlineData(".INF", double.PositiveInfinity)]
    [InlineData("+.inf", double.PositiveInfinity)]
    [InlineData("-.inf", double.NegativeInfinity)]
    [InlineData("-.Inf", double.NegativeInfinity)]
    [InlineData(".nan", double.NaN)]
    [InlineData(".NaN", double.NaN)]
    [InlineData(".NAN", double.NaN)]
    [InlineData("NaN", double.NaN)]
    [InlineData("-9999", -9999.0)]
    [InlineData("-9999.0", -9999.0)]
    [InlineData("3.4028235e+38", 3.4028235e38)]
    [InlineData("3.4028235E38", 3.4028235e38)]
    [InlineData("-.5", -0.5)]
    [InlineData("1.", 1.0)]
    [InlineData("+12.5e-1", 1.25)]
    [InlineData("1_000.5", 1000.5)]
    [InlineData("190:20:30.15", 685230.15)]
    [InlineData("0x1F", 31.0)]
    [InlineData("0o17", 15.0)]
    [InlineData("0b101", 5.0)]
    public void Fill_values_take_every_yaml_number_spelling(string spelling, double expected)
    {
        string yaml = Atl06().Replace("h_min: {function: min, source: h_li, dtype: float32}", $"h_min: {{function: min, source: h_li, dtype: float64, fill_value: {spelling}}}");
        var v = ConfigLoader.Parse(yaml, "my.yaml").Variables.Single(x => x.Name == "h_min");
        Assert.Equal(expected, BitConverter.ToDouble(v.FillValue));
        yaml = Atl06().Replace("h_min: {function: min, source: h_li, dtype: float32}", $"h_min: {{function: min, source: h_li, dtype: float32, fill_value: {spelling}}}");
        v = ConfigLoader.Parse(yaml, "my.yaml").Variables.Single(x => x.Name == "h_min");
        Assert.Equal((float)expected, BitConverter.ToSingle(v.FillValue));
    }

    [Theory]
    [InlineData("float32", "1e39", "1e39 does not fit float32")]
    [InlineData("float32", "-3.5e38", "-3.5e38 does not fit float32")]
    [InlineData("float32", "1e400", "1e400 does not fit float32")]
    [InlineData("float64", "1e400", "1e400 does not fit float64")]
    [InlineData("float64", "-1e400", "-1e400 does not fit float64")]
    [InlineData("int8", "300", "300 does not fit int8")]
    [InlineData("int8", "2.5", "2.5 does not fit int8")]
    [InlineData("int32", ".inf", ".inf does not fit int32")]
    [InlineData("int32", ".nan", ".nan does not fit int32")]
    [InlineData("uint8", "-1", "-1 does not fit uint8")]
    [InlineData("int64", "9223372036854775808", "9223372036854775808 does not fit int64")]
    [InlineData("float32", "inf", "'inf' is not a number")]
    [InlineData("float32", "1,5", "'1,5' is not a number")]
    [InlineData("float32", "Infinity", "'Infinity' is not a number")]
    public void Fill_values_that_do_not_fit_are_refused_alike(string dtype, string spelling, string message)
    {
        string yaml = Atl06().Replace("h_min: {function: min, source: h_li, dtype: float32}", $"h_min: {{function: min, source: h_li, dtype: {dtype}, fill_value: {(spelling.Contains(',') ? $"'{spelling}'" : spelling)}}}");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "my.yaml"));
        Assert.Contains("aggregation.variables.h_min.fill_value (line", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("int64", "9223372036854775807", 9223372036854775807L)]
    [InlineData("int64", "-9223372036854775808", long.MinValue)]
    [InlineData("uint64", "18446744073709551615", -1L)]
    [InlineData("int32", "1e3", 1000L)]
    public void Integer_fill_values_are_exact(string dtype, string spelling, long expected)
    {
        string yaml = Atl06().Replace("h_min: {function: min, source: h_li, dtype: float32}", $"h_min: {{function: min, source: h_li, dtype: {dtype}, fill_value: {spelling}}}");
        var v = ConfigLoader.Parse(yaml, "my.yaml").Variables.Single(x => x.Name == "h_min");
        var bytes = new byte[8];
        if (v.FillValue!.Length == 4) BitConverter.GetBytes((int)expected).CopyTo(bytes, 0); else BitConverter.GetBytes(expected).CopyTo(bytes, 0);
        Assert.Equal(bytes.AsSpan(0, v.FillValue.Length).ToArray(), v.FillValue);
    }

    [Theory]
    [InlineData("", "expected a mapping")]
    [InlineData("data_source: [1, 2]", "data_source (line 1): should be a mapping")]
    [InlineData("a: b: c", "not valid YAML at line 1")]
    [InlineData("output: {grid: {child_order: 12}}", "data_source (line 1): is required")]
    public void Broken_files_are_refused(string yaml, string message)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "bad.yaml"));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Other_data_sources_follow_from_the_config_alone()
    {
        const string yaml = """
            data_source:
              groups: [profile_1, profile_2]
              coordinates: {latitude: "/{group}/geo/lat", longitude: "/{group}/geo/lon"}
              variables: {t: "/{group}/obs/temperature"}
            aggregation:
              variables:
                t_mean: {function: np.mean, source: t, dtype: float64}
                t_range: {expression: "numpy.max(t) - numpy.min(t)", dtype: float32, fill_value: -1}
            output:
              grid: {child_order: 8}
            """;
        var c = ConfigLoader.Parse(yaml, "other.yaml");
        Assert.Null(c.DataSource.QualityFilter);
        Assert.Equal("mean", c.Variables[0].Function);
        Assert.Equal(-1f, BitConverter.ToSingle(c.Variables[1].FillValue!));
        Assert.Empty(c.Coordinates);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load("/nonexistent/config.yaml"));
        Assert.Contains("/nonexistent/config.yaml: no such file, and not a built-in configuration (atl06)", e.Message);
    }

    [Fact]
    public void A_folder_given_as_the_config_is_named_a_folder()
    {
        string dir = Directory.CreateTempSubdirectory("zagg-config").FullName;
        try
        {
            var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(dir));
            Assert.Equal($"{dir}: a folder, not a YAML configuration file", e.Message);
        }
        finally { Directory.Delete(dir); }
    }
}

public class TemplateFromConfigTests
{
    private static string Atl06() => ConfigTests.Atl06();

    [Theory]
    [InlineData("compact")]
    [InlineData("full")]
    public async Task The_atl06_config_templates_the_seed_store(string layout)
    {
        string dir = Directory.CreateTempSubdirectory("zagg-template").FullName;
        try
        {
            string yaml;
            using (var s = typeof(ConfigLoader).Assembly.GetManifestResourceStream("Zagg.Configs.atl06.yaml")!)
                yaml = new StreamReader(s).ReadToEnd().Replace("child_order: 12}", $"child_order: 12, layout: {layout}}}");
            var config = ConfigLoader.Parse(yaml, "atl06.yaml");
            var store = await DggsStore.CreateAsync(new Zagg.Zarr.Stores.LocalStore(dir), config.ToTemplate(parentOrder: 6, parentCells: 5));
            var expected = new List<string> { "morton", "count", "h_min", "h_max", "h_mean", "h_sigma", "h_variance", "h_q25", "h_q50", "h_q75" };
            if (layout == "compact") expected.Add("cell_ids");
            Assert.Equal(expected.Order(), store.Arrays.Keys.Order());
            long length = layout == "compact" ? 4096L * 5 : 12L << 24;
            foreach (var a in store.Arrays.Values)
            {
                Assert.StartsWith("12/", a.Path);
                Assert.Equal([length], a.Metadata.Shape);
                Assert.Equal([4096], a.Metadata.ChunkShape);
            }
            Assert.Equal(ZarrDataType.Int32, store.Arrays["count"].Metadata.DataType);
            Assert.Equal(ZarrDataType.Float32, store.Arrays["h_q75"].Metadata.DataType);
            Assert.True(File.Exists(Path.Combine(dir, "12", "zarr.json")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("h5coro")]
    [InlineData("zagg")]
    public void Known_readers_are_accepted(string reader)
        => Assert.Equal(reader, ConfigLoader.Parse(Atl06().Replace("reader: h5coro", $"reader: {reader}"), "t.yaml").DataSource.Reader);

    [Fact]
    public void A_quantile_of_minus_zero_is_the_quantile_of_zero()
        => Assert.Equal(new NumberExpr(0), ConfigLoader.Parse(Atl06().Replace("params: {q: 0.25}", "params: {q: -0.0}"), "t.yaml").Variables.Single(v => v.Name == "h_q25").Parameters["q"]);

    [Fact]
    public void Bounds_are_carried_as_validated()
    {
        var c = ConfigLoader.Parse(Atl06() + "bounds:\n  temporal: {start_date: 2024-01-06, end_date: 2024-04-07}\n  spatial: {bbox: [170, -80, -170, -60]}\n", "t.yaml");
        Assert.Equal(new DateOnly(2024, 1, 6), c.Bounds!.StartDate);
        Assert.Equal(new DateOnly(2024, 4, 7), c.Bounds.EndDate);
        Assert.Equal([170, -80, -170, -60], c.Bounds.BoundingBox!); // across the antimeridian: lon_min > lon_max is allowed
    }

    [Fact]
    public void Coordinates_describe_what_the_store_writes()
    {
        var c = ConfigLoader.Parse(Atl06(), "t.yaml");
        Assert.Equal(["cell_ids", "morton"], c.Coordinates.Select(x => x.Name));
        Assert.All(c.Coordinates, x => Assert.Equal(new byte[8], x.FillValue));
    }

    [Fact]
    public void A_name_or_a_path_is_decided_once()
    {
        var builtIn = ConfigLoader.Find("atl06");
        Assert.Equal("atl06", builtIn.BuiltInName);
        Assert.Equal("atl06 (built in)", builtIn.Source);
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, Atl06());
            var fromFile = ConfigLoader.Find(file);
            Assert.Null(fromFile.BuiltInName);
            Assert.Equal(file, fromFile.Source);
            Assert.Equal(Atl06(), fromFile.Yaml);
        }
        finally { File.Delete(file); }
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Find("atl07"));
        Assert.Contains("atl07: no such file, and not a built-in configuration (atl06)", e.Message);
    }

    [Fact]
    public void The_child_order_must_not_be_coarser_than_the_parent_order()
    {
        var c = ConfigLoader.Parse(Atl06().Replace("child_order: 12}", "child_order: 5}"), "t.yaml");
        c.RequireParentOrder(5);
        var e = Assert.Throws<ConfigException>(() => c.RequireParentOrder(6));
        Assert.Equal("t.yaml: output.grid.child_order 5 is coarser than the catalog's parent order 6", e.Message);
        Assert.Throws<ConfigException>(() => c.ToTemplate(6, 1));
    }

    [Theory]
    [InlineData("output:\n  store: \"\"", "output.store (line")]
    [InlineData("output:\n  store: ' '", "output.store (line")]
    [InlineData("catalog: \"\"", "catalog (line")]
    public void An_empty_store_or_catalog_is_named(string replace, string where)
    {
        // Each crashed on an empty path, or made a folder named ' '.
        string yaml = replace.StartsWith("output", StringComparison.Ordinal)
            ? Atl06().Replace("output:\n", replace + "\n")
            : Atl06() + replace + "\n";
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "t.yaml"));
        Assert.StartsWith("t.yaml: " + where, e.Message);
        Assert.EndsWith("is empty; give a path or URL", e.Message);
    }

    [Fact]
    public void A_null_store_or_catalog_is_absent()
    {
        var c = ConfigLoader.Parse(Atl06() + "catalog: ~\n", "t.yaml");
        Assert.Null(c.Catalog);
        Assert.Null(c.Store);
    }

    [Fact]
    public void The_child_order_is_at_most_13_orders_below_the_parent_order()
    {
        // A parent cell's chunk holds 4^(child − parent) values: 4^13 at most (the plan's arrays are indexed by int).
        var c = ConfigLoader.Parse(Atl06().Replace("child_order: 12}", "child_order: 20}"), "t.yaml");
        c.RequireParentOrder(7);
        var e = Assert.Throws<ConfigException>(() => c.RequireParentOrder(6));
        Assert.Equal("t.yaml: output.grid.child_order 20 is 14 orders below the catalog's parent order 6; a parent cell's chunk holds 4^(child − parent) values, so at most 13 orders apart", e.Message);
    }
}
