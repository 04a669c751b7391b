using System.Globalization;
using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Zagg.Grid;
using Zagg.Grid.Geometry;
using Zagg.Zarr;
using Zagg.Pipeline.Output;

namespace Zagg.Pipeline.Config;

/// <summary>Loads and validates pipeline configurations: built-in names ("atl06") or YAML files.</summary>
public static class ConfigLoader
{
    /// <summary>The names a variable's function may take (NumPy's, with "np."/"numpy." prefixes accepted): <see cref="StatisticCatalog.Names"/>.</summary>
    public static IReadOnlyList<string> Functions => StatisticCatalog.Names;

    /// <summary>
    /// The accepted data_source.reader names. Both select Zagg's own byte-range HDF5 reader
    /// (<see cref="Zagg.Hdf5.Hdf5File"/>): "h5coro" is the name configurations written for the
    /// Python system carry (h5coro is the reader it used), "zagg" this reader's own name.
    /// </summary>
    public static readonly string[] Readers = ["h5coro", "zagg"];

    /// <summary>The names of the built-in configurations.</summary>
    public static IReadOnlyList<string> BuiltIns => typeof(ConfigLoader).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("Zagg.Configs.", StringComparison.Ordinal)).Select(n => n["Zagg.Configs.".Length..^".yaml".Length]).Order().ToList();

    /// <summary>
    /// What a user's "--config" names — the one place this is decided: a built-in name (see
    /// <see cref="BuiltIns"/>) is the embedded configuration and wins over a file of that name;
    /// anything else is a path to a YAML file, read here.
    /// </summary>
    /// <exception cref="ConfigException">Neither a built-in name nor a readable file; the message lists the built-ins.</exception>
    public static ConfigText Find(string nameOrPath)
    {
        var resource = typeof(ConfigLoader).Assembly.GetManifestResourceStream($"Zagg.Configs.{nameOrPath}.yaml");
        if (resource is not null)
        {
            using var reader = new StreamReader(resource);
            return new ConfigText(nameOrPath, reader.ReadToEnd(), $"{nameOrPath} (built in)");
        }
        try { return new ConfigText(null, File.ReadAllText(nameOrPath), nameOrPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // What the user can act on: a folder, a file that cannot be read, or nothing there by that name.
            if (Directory.Exists(nameOrPath)) throw new ConfigException($"{nameOrPath}: a folder, not a YAML configuration file");
            if (File.Exists(nameOrPath)) throw new ConfigException($"{nameOrPath}: cannot be read ({e.Message})");
            throw new ConfigException($"{nameOrPath}: no such file, and not a built-in configuration ({string.Join(", ", BuiltIns)})");
        }
    }

    /// <summary>A built-in name loads the embedded configuration; anything else is a path (see <see cref="Find"/>).</summary>
    /// <exception cref="ConfigException">Not found, not valid YAML, or not a valid configuration; the message names the file, key and line.</exception>
    public static PipelineConfig Load(string nameOrPath)
    {
        var text = Find(nameOrPath);
        return Parse(text.Yaml, text.Source);
    }

    /// <summary>Parses and validates a configuration's YAML; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="ConfigException">Not valid YAML or not a valid configuration; the message names the source, the key path and the line.</exception>
    public static PipelineConfig Parse(string yaml, string source)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e) { throw new ConfigException($"{source}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}"); }
        // YamlDotNet 16's scanner ends some malformed plain scalars (a '{' or '[' left open across lines) in an
        // InvalidOperationException instead of a YamlException: it is still the input's fault (ParserFuzzTests).
        catch (InvalidOperationException) { throw new ConfigException($"{source}: not valid YAML (an unclosed flow collection or a malformed plain scalar)"); }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException($"{source}: expected a mapping with data_source, aggregation and output");
        return new Reader(source).Config(root);
    }

    private sealed class Reader(string source)
    {
        private ConfigException Error(string path, YamlNode? node, string message)
            => new($"{source}: {path}{(node is null ? "" : $" (line {node.Start.Line})")}: {message}");

        public PipelineConfig Config(YamlMappingNode root)
        {
            Keys(root, "", ["data_source", "aggregation", "output", "catalog", "bounds"]);
            var ds = DataSource(Required<YamlMappingNode>(root, "data_source", ""));
            var agg = Required<YamlMappingNode>(root, "aggregation", "");
            Keys(agg, "aggregation", ["coordinates", "variables"]);
            var output = Required<YamlMappingNode>(root, "output", "");
            Keys(output, "output", ["grid", "store"]);
            var grid = Grid(Required<YamlMappingNode>(output, "grid", "output"));
            var coordinates = Optional<YamlMappingNode>(agg, "coordinates", "aggregation") is { } cn ? Coordinates(cn) : [];
            var variables = Variables(Required<YamlMappingNode>(agg, "variables", "aggregation"), ds);
            return new PipelineConfig
            {
                Source = source,
                DataSource = ds,
                Coordinates = coordinates,
                Variables = variables,
                Grid = grid,
                Store = Location(output, "store", "output"),
                Catalog = Location(root, "catalog", ""),
                Bounds = Optional<YamlMappingNode>(root, "bounds", "") is { } b ? Bounds(b) : null,
            };
        }

        private DataSourceConfig DataSource(YamlMappingNode n)
        {
            const string p = "data_source";
            Keys(n, p, ["reader", "driver", "groups", "coordinates", "variables", "quality_filter"]);
            var readerNode = Optional<YamlScalarNode>(n, "reader", p);
            string reader = readerNode?.Value ?? Readers[0];
            if (!Readers.Contains(reader)) throw Error($"{p}.reader", readerNode, $"'{reader}' is not a known reader ({string.Join(", ", Readers)}: both name Zagg's own byte-range HDF5 reader){Suggest(reader, Readers)}");
            string driver = Optional<YamlScalarNode>(n, "driver", p)?.Value ?? "s3";
            if (driver is not ("s3" or "https")) throw Error($"{p}.driver", n["driver"], $"'{driver}' is not s3 or https");
            var groups = Optional<YamlSequenceNode>(n, "groups", p)?.Children.Select((g, i) => g is YamlScalarNode s && !string.IsNullOrEmpty(s.Value) ? s.Value : throw Error($"{p}.groups[{i}]", g, "should be a group name")).ToList() ?? [];
            if (groups.GroupBy(g => g, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw Error($"{p}.groups", n["groups"], $"lists {twice.Key} twice: each group is read once per granule, and its points would count twice");
            var coords = Required<YamlMappingNode>(n, "coordinates", p);
            Keys(coords, $"{p}.coordinates", ["latitude", "longitude"]);
            var variables = new Dictionary<string, string>();
            foreach (var (k, v) in Required<YamlMappingNode>(n, "variables", p).Children)
            {
                string name = ((YamlScalarNode)k).Value!;
                variables[name] = v is YamlScalarNode s && !string.IsNullOrEmpty(s.Value) ? s.Value : throw Error($"{p}.variables.{name}", v, "should be a dataset path such as \"/{group}/land_ice_segments/h_li\"");
            }
            if (variables.Count == 0) throw Error($"{p}.variables", n, "names no variables");
            QualityFilterConfig? qf = null;
            if (Optional<YamlMappingNode>(n, "quality_filter", p) is { } q)
            {
                Keys(q, $"{p}.quality_filter", ["dataset", "value"]);
                qf = new QualityFilterConfig(Text(Required<YamlScalarNode>(q, "dataset", $"{p}.quality_filter")), Number(Required<YamlScalarNode>(q, "value", $"{p}.quality_filter"), $"{p}.quality_filter.value"));
            }
            var source = new DataSourceConfig(reader, driver, groups,
                Text(Required<YamlScalarNode>(coords, "latitude", $"{p}.coordinates")), Text(Required<YamlScalarNode>(coords, "longitude", $"{p}.coordinates")), variables, qf);
            // Each group reads its own datasets: a path without {group} beside listed groups would read one dataset once per
            // group (its points counted as many times); a path with {group} and no groups would name no dataset.
            var paths = new List<(string Key, YamlNode? Node, string Path)>
            {
                ($"{p}.coordinates.latitude", coords["latitude"], source.Latitude),
                ($"{p}.coordinates.longitude", coords["longitude"], source.Longitude),
            };
            foreach (var (name, path) in variables) paths.Add(($"{p}.variables.{name}", n["variables"][name], path));
            if (qf is not null) paths.Add(($"{p}.quality_filter.dataset", n["quality_filter"]["dataset"], qf.Dataset));
            foreach (var (key, node, path) in paths)
            {
                bool perGroup = path.Contains("{group}", StringComparison.Ordinal);
                if (groups.Count == 0 && perGroup)
                    throw Error(key, node, $"'{path}' names {{group}}, but {p}.groups lists no group (ATL06's: [gt1l, gt1r, gt2l, gt2r, gt3l, gt3r])");
                if (groups.Count > 0 && !perGroup)
                    throw Error(key, node, $"'{path}' does not name {{group}}: each of {p}.groups ({string.Join(", ", groups)}) would read this one dataset, its points counted once per group");
            }
            return source;
        }

        /// <summary>
        /// The coordinate arrays as the configuration describes them, checked against what the store
        /// writes where the layout has them (<see cref="DggsStore"/>): cell_ids uint64 with fill 0
        /// (compact layout), morton int64 with fill 0 (child order ≤ <see cref="Morton.MaxOrder"/>).
        /// A description that differs is refused rather than silently ignored.
        /// </summary>
        private List<CoordinateConfig> Coordinates(YamlMappingNode n)
        {
            var result = new List<CoordinateConfig>();
            foreach (var (k, v) in n.Children)
            {
                string name = ((YamlScalarNode)k).Value!;
                string path = $"aggregation.coordinates.{name}";
                if (name is not (DggsStore.CellIds or DggsStore.MortonName)) throw Error(path, k, $"unknown coordinate; the coordinates are {DggsStore.CellIds} and {DggsStore.MortonName}");
                if (v is not YamlMappingNode m) throw Error(path, v, "should be a mapping with dtype and fill_value");
                Keys(m, path, ["dtype", "fill_value"]);
                var type = DataType(m, path);
                if (name == DggsStore.CellIds && type != ZarrDataType.UInt64 || name == DggsStore.MortonName && type != ZarrDataType.Int64)
                    throw Error($"{path}.dtype", m["dtype"], $"{name} is stored as {(name == DggsStore.CellIds ? "uint64" : "int64")}");
                var fill = Fill(m, path, type) ?? type.Fill(0);
                if (fill.AsSpan().IndexOfAnyExcept((byte)0) >= 0)
                    throw Error($"{path}.fill_value", m["fill_value"], $"{name} is stored with fill_value 0");
                result.Add(new CoordinateConfig(name, type, fill));
            }
            return result;
        }

        private List<VariableConfig> Variables(YamlMappingNode n, DataSourceConfig ds)
        {
            var result = new List<VariableConfig>();
            string known = string.Join(", ", ds.Variables.Keys);
            foreach (var (k, v) in n.Children)
            {
                string name = ((YamlScalarNode)k).Value!;
                string path = $"aggregation.variables.{name}";
                if (DggsStore.VariableNameProblem(name) is { } problem) throw Error(path, k, problem);
                if (v is not YamlMappingNode m) throw Error(path, v, "should be a mapping with function (and source) or expression, and dtype");
                Keys(m, path, ["function", "source", "params", "expression", "dtype", "fill_value"]);
                var fn = Optional<YamlScalarNode>(m, "function", path)?.Value;
                var exprText = Optional<YamlScalarNode>(m, "expression", path)?.Value;
                if ((fn is null) == (exprText is null))
                    throw Error(path, m, fn is null ? "needs either function or expression" : "has both function and expression; give one");
                var type = DataType(m, path, statistic: true);
                var fill = Fill(m, path, type);
                if (exprText is not null)
                {
                    foreach (string key in new[] { "source", "params" })
                        if (m.Children.ContainsKey(key)) throw Error($"{path}.{key}", m[key], "applies to function, not expression");
                    var expr = ParseExpression(exprText, $"{path}.expression", m["expression"], ds);
                    if (!expr.IsScalar) throw Error($"{path}.expression", m["expression"], "yields one value per point; reduce it to one number per cell, e.g. np.mean(...)");
                    result.Add(new VariableConfig(name, null, null, new Dictionary<string, Expr>(), expr, type, fill));
                    continue;
                }
                string function = StatisticCatalog.Bare(fn!);
                if (!StatisticCatalog.TryFind(function, out var statistic))
                    throw Error($"{path}.function", m["function"], $"unknown function '{fn}'{Suggest(function, StatisticCatalog.Names)} (known: {string.Join(", ", StatisticCatalog.Names)})");
                string sourceColumn = Optional<YamlScalarNode>(m, "source", path)?.Value ?? throw Error($"{path}.source", m, $"function {function} needs a source column ({known})");
                if (!ds.Variables.ContainsKey(sourceColumn)) throw Error($"{path}.source", m["source"], $"'{sourceColumn}' is not in data_source.variables ({known}){Suggest(sourceColumn, ds.Variables.Keys)}");
                var parameters = new Dictionary<string, Expr>();
                if (Optional<YamlMappingNode>(m, "params", path) is { } pm)
                {
                    if (statistic.Parameters.Length == 0 && pm.Children.Count > 0) throw Error($"{path}.params", pm, $"{statistic.Name} takes no params");
                    Keys(pm, $"{path}.params", statistic.Parameters);
                    foreach (var (pk, pv) in pm.Children)
                    {
                        string pname = ((YamlScalarNode)pk).Value!;
                        bool fraction = statistic.Fractions.Contains(pname);
                        string text = pv is YamlScalarNode ps ? ps.Value ?? ""
                            : throw Error($"{path}.params.{pname}", pv, fraction ? $"{pname} must be one number in [0, 1]" : "should be a number, a column or an expression");
                        if (fraction)
                        {
                            // A number, never a column or an expression: whatever was written, say what it must be.
                            Expr? number;
                            try { number = ParseExpression(text, $"{path}.params.{pname}", pv, ds); }
                            catch (ConfigException) { number = null; }
                            if (number is UnaryExpr { Op: '-', Operand: NumberExpr { Value: 0 } }) number = new NumberExpr(0); // -0.0
                            if (number is not NumberExpr { Value: >= 0 and <= 1 })
                                throw Error($"{path}.params.{pname}", pv, $"{pname} must be a number in [0, 1], not '{text}'");
                            parameters[pname] = number;
                            continue;
                        }
                        parameters[pname] = ParseExpression(text, $"{path}.params.{pname}", pv, ds);
                    }
                }
                foreach (string required in statistic.Required)
                    if (!parameters.ContainsKey(required)) throw Error($"{path}.params.{required}", m, $"{statistic.Name} needs params.{required}{(statistic.Fractions.Contains(required) ? " in [0, 1]" : "")}");
                result.Add(new VariableConfig(name, statistic.Name, sourceColumn, parameters, null, type, fill));
            }
            if (result.Count == 0) throw Error("aggregation.variables", n, "names no variables");
            return result;
        }

        private GridConfig Grid(YamlMappingNode n)
        {
            const string p = "output.grid";
            Keys(n, p, ["type", "indexing_scheme", "child_order", "latitude", "layout", "orders"]);
            string type = Optional<YamlScalarNode>(n, "type", p)?.Value ?? "healpix";
            if (type != "healpix") throw Error($"{p}.type", n["type"], $"'{type}' is not a supported grid (healpix is)");
            string scheme = Optional<YamlScalarNode>(n, "indexing_scheme", p)?.Value ?? "nested";
            if (scheme != "nested") throw Error($"{p}.indexing_scheme", n["indexing_scheme"], $"'{scheme}' is not supported (nested is)");
            var co = Optional<YamlScalarNode>(n, "child_order", p) ?? throw Error($"{p}.child_order", n, "is required (e.g. 12 for ~1.5 km cells)");
            if (!int.TryParse(co.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int childOrder) || childOrder < 1 || childOrder > HealpixNested.MaxOrder)
                throw Error($"{p}.child_order", co, $"'{co.Value}' is not an order in 1–{HealpixNested.MaxOrder}");
            string latitude = Optional<YamlScalarNode>(n, "latitude", p)?.Value ?? LatitudeConventionNames.Authalic;
            if (!LatitudeConventionNames.TryParse(latitude, out var lat)) throw Error($"{p}.latitude", n["latitude"], $"'{latitude}' is not authalic or geodetic-spherical");
            string layout = Optional<YamlScalarNode>(n, "layout", p)?.Value ?? "compact";
            if (layout is not ("compact" or "full")) throw Error($"{p}.layout", n["layout"], $"'{layout}' is not compact or full");
            return new GridConfig(childOrder, lat, layout == "full" ? DggsLayout.Full : DggsLayout.Compact) { Orders = Orders(n, p, childOrder) };
        }

        /// <summary>output.grid.orders: ascending, distinct, 0 ≤ order ≤ child_order; the child order is added when not listed; default the child order alone.</summary>
        private int[] Orders(YamlMappingNode n, string p, int childOrder)
        {
            if (!n.Children.TryGetValue(new YamlScalarNode("orders"), out var node)) return [childOrder];
            if (node is not YamlSequenceNode seq || seq.Children.Count == 0)
                throw Error($"{p}.orders", node, "must be a list of HEALPix orders, e.g. [6, 8, 10, 12]");
            var orders = new List<int>();
            foreach (var item in seq.Children)
            {
                if (item is not YamlScalarNode sc || !int.TryParse(sc.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int o))
                    throw Error($"{p}.orders", item, $"'{(item as YamlScalarNode)?.Value ?? item.ToString()}' is not an order");
                if (o < 0 || o > childOrder)
                    throw Error($"{p}.orders", item, $"order {o} is not in 0–{childOrder} (the child order)");
                if (orders.Count > 0 && o <= orders[^1])
                    throw Error($"{p}.orders", item, $"orders must be ascending and distinct ({orders[^1]} then {o})");
                orders.Add(o);
            }
            if (orders[^1] != childOrder) orders.Add(childOrder);
            return [.. orders];
        }

        private BoundsConfig Bounds(YamlMappingNode n)
        {
            Keys(n, "bounds", ["temporal", "spatial"]);
            DateOnly? start = null, end = null;
            if (Optional<YamlMappingNode>(n, "temporal", "bounds") is { } t)
            {
                Keys(t, "bounds.temporal", ["start_date", "end_date"]);
                var s = Optional<YamlScalarNode>(t, "start_date", "bounds.temporal");
                var e = Optional<YamlScalarNode>(t, "end_date", "bounds.temporal");
                if (s is null || e is null) throw Error("bounds.temporal", t, "needs both start_date and end_date");
                start = Date(s, "bounds.temporal.start_date");
                end = Date(e, "bounds.temporal.end_date");
                if (end < start) throw Error("bounds.temporal", t, $"end_date {end:yyyy-MM-dd} is before start_date {start:yyyy-MM-dd}");
            }
            string? polygon = null;
            double[]? bbox = null;
            if (Optional<YamlMappingNode>(n, "spatial", "bounds") is { } sp)
            {
                Keys(sp, "bounds.spatial", ["polygon", "bbox"]);
                polygon = Optional<YamlScalarNode>(sp, "polygon", "bounds.spatial")?.Value;
                if (polygon is { Length: 0 }) throw Error("bounds.spatial.polygon", sp["polygon"], "should name a GeoJSON file");
                if (Optional<YamlSequenceNode>(sp, "bbox", "bounds.spatial") is { } b)
                {
                    if (polygon is not null) throw Error("bounds.spatial", sp, "has both polygon and bbox; give one");
                    bbox = b.Children.Select((x, i) => Number(x as YamlScalarNode ?? throw Error($"bounds.spatial.bbox[{i}]", x, "should be a number"), $"bounds.spatial.bbox[{i}]")).ToArray();
                    if (bbox.Length != 4) throw Error("bounds.spatial.bbox", b, "should be [lon_min, lat_min, lon_max, lat_max]");
                    if (GeoBox.ProblemOf(bbox[0], bbox[1], bbox[2], bbox[3]) is { } problem) throw Error("bounds.spatial.bbox", b, problem);
                }
            }
            return new BoundsConfig(start, end, polygon, bbox);
        }

        private Expr ParseExpression(string text, string path, YamlNode node, DataSourceConfig ds)
        {
            Expr e;
            try { e = Expr.Parse(text, path); }
            catch (ExpressionException x) { throw Error(path, node, x.Message[(path.Length + 2)..]); }
            foreach (string c in e.Columns())
                if (!ds.Variables.ContainsKey(c))
                    throw Error(path, node, $"'{c}' is not in data_source.variables ({string.Join(", ", ds.Variables.Keys)}){Suggest(c, ds.Variables.Keys)}");
            return e;
        }

        /// <param name="statistic">A variable's dtype: every type but bool, which cannot hold a statistic's value.</param>
        private ZarrDataType DataType(YamlMappingNode m, string path, bool statistic = false)
        {
            var d = Optional<YamlScalarNode>(m, "dtype", path) ?? throw Error($"{path}.dtype", m, "is required (e.g. float32, int32)");
            var names = Enum.GetValues<ZarrDataType>().Where(t => !statistic || t != ZarrDataType.Bool).Select(t => t.Name()).ToList();
            if (!ZarrDataTypes.TryParse(d.Value, out var type))
                throw Error($"{path}.dtype", d, $"'{d.Value}' is not a data type ({string.Join(", ", names)}){Suggest(d.Value ?? "", names)}");
            if (statistic && type == ZarrDataType.Bool) throw Error($"{path}.dtype", d, "bool cannot hold a statistic's value; choose an integer or float dtype");
            return type;
        }

        private byte[]? Fill(YamlMappingNode m, string path, ZarrDataType type)
        {
            var f = Optional<YamlScalarNode>(m, "fill_value", path);
            if (f is null) return null;
            string v = f.Value ?? "";
            if (type.IsFloat() && v is "NaN" or "nan") return type.Fill(double.NaN); // spellings configurations already carry
            if (!YamlNumber.TryParse(v, out double d, out Int128? whole)) throw Error($"{path}.fill_value", f, $"'{v}' is not a number");
            // 1e400 fits no dtype, float64 included.
            if (YamlNumber.IsOverflow(v, d)) throw Error($"{path}.fill_value", f, $"{v} does not fit {type.Name()}");
            return YamlNumber.Encode(type, d, whole) ?? throw Error($"{path}.fill_value", f, $"{v} does not fit {type.Name()}");
        }

        private DateOnly Date(YamlScalarNode n, string path)
            => DateOnly.TryParseExact(n.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : throw Error(path, n, $"'{n.Value}' is not a date YYYY-MM-DD");

        private double Number(YamlScalarNode n, string path)
            => !YamlNumber.TryParse(n.Value ?? "", out double d, out _) ? throw Error(path, n, $"'{n.Value}' is not a number")
                : YamlNumber.IsOverflow(n.Value ?? "", d) ? throw Error(path, n, $"{n.Value} is beyond the range of a float64 number")
                : d;

        private static string Text(YamlScalarNode n) => n.Value ?? "";

        private void Keys(YamlMappingNode n, string path, string[] allowed)
        {
            foreach (var (k, _) in n.Children)
            {
                string key = (k as YamlScalarNode)?.Value ?? "";
                if (!allowed.Contains(key))
                    throw Error(path.Length == 0 ? key : $"{path}.{key}", k, $"unknown key{Suggest(key, allowed)} (allowed here: {(allowed.Length == 0 ? "none" : string.Join(", ", allowed))})");
            }
        }

        private T Required<T>(YamlMappingNode n, string key, string path) where T : YamlNode
            => Optional<T>(n, key, path) ?? throw Error(path.Length == 0 ? key : $"{path}.{key}", n, "is required");

        private T? Optional<T>(YamlMappingNode n, string key, string path) where T : YamlNode
        {
            if (!n.Children.TryGetValue(new YamlScalarNode(key), out var v)) return null;
            if (v is YamlScalarNode { Value: null or "" or "~" or "null" } && typeof(T) != typeof(YamlScalarNode)) return null;
            return v as T ?? throw Error(path.Length == 0 ? key : $"{path}.{key}", v,
                typeof(T) == typeof(YamlMappingNode) ? "should be a mapping" : typeof(T) == typeof(YamlSequenceNode) ? "should be a list" : "should be a single value");
        }

        /// <summary>A path or URL: absent when not given or null (<c>~</c>); an empty or blank one is an error.</summary>
        private string? Location(YamlMappingNode n, string key, string path)
        {
            var v = Optional<YamlScalarNode>(n, key, path);
            if (v is null || (v.Style == YamlDotNet.Core.ScalarStyle.Plain && v.Value is null or "" or "~" or "null")) return null;
            if (string.IsNullOrWhiteSpace(v.Value)) throw Error(path.Length == 0 ? key : $"{path}.{key}", v, "is empty; give a path or URL");
            return v.Value;
        }

        private static string Suggest(string got, IEnumerable<string> options)
        {
            var best = options.Select(o => (o, d: Distance(got, o))).Where(x => x.d <= Math.Max(2, got.Length / 3)).OrderBy(x => x.d).FirstOrDefault().o
                // Else a name the word begins with, or that begins with it ('minimum' → 'min', 'med' → 'median').
                ?? options.FirstOrDefault(o => Math.Min(o.Length, got.Length) >= 3
                    && (got.StartsWith(o, StringComparison.Ordinal) || o.StartsWith(got, StringComparison.Ordinal)));
            return best is null ? "" : $"; did you mean '{best}'?";
        }

        private static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (int j = 0; j <= b.Length; j++) d[0, j] = j;
            for (int i = 1; i <= a.Length; i++)
                for (int j = 1; j <= b.Length; j++)
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            return d[a.Length, b.Length];
        }
    }
}

/// <summary>
/// Numbers as YAML spells them: every float of the YAML 1.2 core schema (<c>1.5</c>, <c>-.5e3</c>, <c>.inf</c>,
/// <c>-.Inf</c>, <c>+.INF</c>, <c>.nan</c>, <c>.NaN</c>, <c>.NAN</c>) and of YAML 1.1 (underscores <c>1_000.5</c>,
/// exponents, sexagesimal <c>1:30.5</c>), and integers of both (decimal with underscores, <c>0x</c> hex, <c>0o</c>
/// octal, <c>0b</c> binary) — what the Python system's YAML loader reads as numbers.
/// </summary>
internal static partial class YamlNumber
{
    /// <summary>Whether <paramref name="text"/> spells an infinity (.inf, -.Inf, +.INF), not a number too large for float64.</summary>
    public static bool IsInfinity(string text) => Special().Match(text.Trim()) is { Success: true } m && m.Groups[2].Value.Length == 0;

    /// <summary>
    /// Whether <paramref name="value"/>, parsed from <paramref name="text"/>, is an infinity the text does not spell: a finite
    /// number beyond float64 (<c>1e400</c>), which parses as an infinity.
    /// </summary>
    public static bool IsOverflow(string text, double value) => double.IsInfinity(value) && !IsInfinity(text);

    /// <summary>Parses <paramref name="text"/>; an integer spelling also gives its exact value in <paramref name="whole"/>.</summary>
    public static bool TryParse(string text, out double value, out Int128? whole)
    {
        whole = null;
        value = 0;
        string t = text.Trim();
        if (Special().Match(t) is { Success: true } special)
        {
            value = special.Groups[2].Value.Length > 0 ? double.NaN : special.Groups[1].Value == "-" ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        if (Integer().Match(t) is { Success: true } integer)
        {
            bool negative = integer.Groups[1].Value == "-";
            string digits = integer.Groups[2].Value.Replace("_", "", StringComparison.Ordinal);
            (int radix, string body) = digits.Length > 1 && digits[0] == '0' && digits[1] is 'x' or 'o' or 'b'
                ? (digits[1] switch { 'x' => 16, 'o' => 8, _ => 2 }, digits[2..])
                : (10, digits);
            if (body.Length == 0) return false;
            Int128 v = 0;
            foreach (char c in body)
            {
                int digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
                if (v > (Int128.MaxValue - digit) / radix) { v = Int128.MaxValue; break; } // beyond every dtype: refused by Encode
                v = v * radix + digit;
            }
            whole = negative ? -v : v;
            value = (double)whole.Value;
            return true;
        }
        if (Sexagesimal().Match(t) is { Success: true } sexagesimal)
        {
            double sum = 0;
            foreach (string part in sexagesimal.Groups[2].Value.Replace("_", "", StringComparison.Ordinal).Split(':'))
                sum = sum * 60 + double.Parse(part, NumberStyles.Float, CultureInfo.InvariantCulture);
            value = sexagesimal.Groups[1].Value == "-" ? -sum : sum;
            return true;
        }
        if (Float().IsMatch(t))
            return double.TryParse(t.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        return false;
    }

    /// <summary>
    /// The little-endian bytes of a number as an element of <paramref name="type"/>, or null when it does not fit:
    /// an integer type given a fraction, an infinity, NaN or a value outside its range; float32 given a finite
    /// value beyond its range (which would become an infinity).
    /// </summary>
    public static byte[]? Encode(ZarrDataType type, double value, Int128? whole)
    {
        if (type.IsFloat())
            return type == ZarrDataType.Float32 && double.IsFinite(value) && float.IsInfinity((float)value) ? null : type.Fill(value);
        if (type == ZarrDataType.Bool) return type.Fill(value);
        if (whole is null)
        {
            if (!double.IsFinite(value) || value != Math.Truncate(value) || Math.Abs(value) >= 1e30) return null;
            whole = (Int128)value;
        }
        int bits = type.Size() * 8;
        bool signed = type is ZarrDataType.Int8 or ZarrDataType.Int16 or ZarrDataType.Int32 or ZarrDataType.Int64;
        Int128 min = signed ? -(Int128.One << (bits - 1)) : 0, max = signed ? (Int128.One << (bits - 1)) - 1 : (Int128.One << bits) - 1;
        if (whole < min || whole > max) return null;
        var bytes = new byte[type.Size()];
        UInt128 raw = (UInt128)whole.Value;
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(raw >> (8 * i));
        return bytes;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:([-+]?)\.(?:inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial System.Text.RegularExpressions.Regex Special();

    [System.Text.RegularExpressions.GeneratedRegex(@"^([-+]?)(0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[0-9][0-9_]*)$")]
    private static partial System.Text.RegularExpressions.Regex Integer();

    [System.Text.RegularExpressions.GeneratedRegex(@"^([-+]?)([0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$")]
    private static partial System.Text.RegularExpressions.Regex Sexagesimal();

    // YAML 1.2 core: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?; YAML 1.1 adds underscores.
    [System.Text.RegularExpressions.GeneratedRegex(@"^[-+]?(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")]
    private static partial System.Text.RegularExpressions.Regex Float();
}
