using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Zagg.Grid;
using Zagg.Grid.Geometry;

namespace Zagg.Cli.Commands;

/// <summary><c>zagg grid …</c>: the HEALPix/morton grid from the command line.</summary>
internal static class GridCommands
{
    public static Command Build(CliConsole console)
    {
        var grid = new Command("grid", "HEALPix NESTED cells and morton words: locate points, describe cells, cover polygons.");
        grid.Subcommands.Add(Locate(console));
        grid.Subcommands.Add(Cell(console));
        grid.Subcommands.Add(Cover(console));
        return grid;
    }

    private static Option<LatitudeConvention> LatitudeOption() => new("--latitude")
    {
        Description = "How geodetic latitude meets the sphere: authalic (equal-area on WGS84, default) or geodetic-spherical (legacy).",
        HelpName = "authalic|geodetic-spherical",
        DefaultValueFactory = _ => LatitudeConvention.Authalic,
        CustomParser = r =>
        {
            string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (LatitudeConventionNames.TryParse(text, out var c)) return c;
            r.AddError($"--latitude must be 'authalic' or 'geodetic-spherical', not '{text}'");
            return default;
        },
    };

    private static Option<int> OrderOption(int min, int max, string description)
        => new Option<int>("--order", "-k") { Description = description, Required = true }.InRange(min, max);

    private static Option<string?> OutputOption() => new("--output", "-o")
    {
        Description = "Write to this file (whole or not at all) instead of standard output.",
        HelpName = "FILE",
    };

    // ---------------- locate ----------------

    private static Command Locate(CliConsole console)
    {
        var order = OrderOption(0, HealpixNested.MaxOrder, "HEALPix order 0–29 (morton words exist for 1–18; 0 is written elsewhere).");
        var latitude = LatitudeOption();
        var output = OutputOption();
        var cmd = new Command("locate",
            "Reads 'lat,lon' lines (degrees; comma, blank or tab separated) on standard input, writes 'morton,nested' lines in the same order. "
            + "A first line of names is a header. All input is checked before anything is written: bad lines are reported by number and nothing is output.")
        {
            order, latitude, output,
        };
        cmd.SetAction(parse =>
        {
            int k = parse.GetValue(order);
            var convention = parse.GetValue(latitude);
            var (lat, lon, header) = ReadPositions(console.In);
            var nested = new long[lat.Count];
            GeoGrid.Locate(CollectionsMarshalSpan(lat), CollectionsMarshalSpan(lon), k, convention, nested);
            bool hasMorton = k >= Morton.MinOrder && k <= Morton.MaxOrder;
            WriteOutput(console, parse.GetValue(output), w =>
            {
                if (header) w.Write("morton,nested\n");
                var line = new StringBuilder(48);
                for (int i = 0; i < nested.Length; i++)
                {
                    long m = hasMorton ? Morton.FromNestedUnchecked(nested[i], k) : 0;
                    line.Clear().Append(m.ToString(CultureInfo.InvariantCulture)).Append(',')
                        .Append(nested[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
                    w.Write(line);
                }
            });
            return 0;
        });
        return cmd;
    }

    private static ReadOnlySpan<double> CollectionsMarshalSpan(List<double> list)
        => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);

    /// <summary>Parses every line; collects the first errors and throws them together.</summary>
    private static (List<double> Lat, List<double> Lon, bool Header) ReadPositions(TextReader input)
    {
        var lat = new List<double>();
        var lon = new List<double>();
        var errors = new List<string>();
        int errorCount = 0;
        bool header = false;
        int lineNo = 0;
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            lineNo++;
            var text = line.AsSpan().Trim();
            if (text.IsEmpty) continue;
            string? error = TryParsePosition(text, out double la, out double lo);
            if (error is null)
            {
                lat.Add(la);
                lon.Add(lo);
                continue;
            }
            if (lineNo == 1 && lat.Count == 0 && LooksLikeHeader(text)) { header = true; continue; }
            if (++errorCount <= 10) errors.Add($"line {lineNo}: {error}: '{Shorten(line)}'");
        }
        if (errorCount > 0)
        {
            string more = errorCount > errors.Count ? $"\n  … and {errorCount - errors.Count} more bad lines" : "";
            throw new CliException($"{errorCount} bad input line(s), nothing written:\n  " + string.Join("\n  ", errors) + more);
        }
        return (lat, lon, header);
    }

    private static string? TryParsePosition(ReadOnlySpan<char> text, out double lat, out double lon)
    {
        lat = lon = double.NaN;
        Span<Range> parts = stackalloc Range[3];
        int n = text.SplitAny(parts, ", \t", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (n != 2) return "expected two numbers 'lat,lon'";
        if (!double.TryParse(text[parts[0]], NumberStyles.Float, CultureInfo.InvariantCulture, out lat))
            return "latitude is not a number";
        if (!double.TryParse(text[parts[1]], NumberStyles.Float, CultureInfo.InvariantCulture, out lon))
            return "longitude is not a number";
        if (!(Math.Abs(lat) <= 90)) return $"latitude {lat.ToString(CultureInfo.InvariantCulture)} is outside [-90, 90]";
        if (!double.IsFinite(lon)) return "longitude is not finite";
        return null;
    }

    private static bool LooksLikeHeader(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
            if (char.IsDigit(c)) return false;
        return true;
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";

    private static void WriteOutput(CliConsole console, string? path, Action<TextWriter> write)
    {
        if (path is null)
        {
            write(console.Out);
            console.Out.Flush();
            return;
        }
        using var file = new OutputFile(path);
        write(file.Writer);
        file.Commit();
    }

    // ---------------- cell ----------------

    private static Command Cell(CliConsole console)
    {
        var word = new Argument<string?>("WORD")
        {
            Description = "A morton word, e.g. -6134114 (write it after '--' or as --word=-6134114 if your shell or this parser takes it for an option).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var wordOption = new Option<string?>("--word") { Description = "The morton word, as an option (handy for negative words).", HelpName = "WORD" };
        var nested = new Option<long?>("--nested") { Description = "Describe a NESTED id instead of a morton word (needs --order).", HelpName = "ID" };
        var order = new Option<int?>("--order", "-k") { Description = "Order of the --nested id, 0–29." }.InRange(0, HealpixNested.MaxOrder);
        var latitude = LatitudeOption();
        var geojson = new Option<bool>("--geojson") { Description = "Write a GeoJSON Feature (the cell's polygon, with its ids as properties)." };
        var step = new Option<int>("--step")
        {
            Description = "Boundary points per edge (1 gives the 4 corners).",
            DefaultValueFactory = _ => 1,
        }.InRange(1, 1000);
        var cmd = new Command("cell", "Order, NESTED id, centre and boundary of a cell given by its morton word (or --nested ID --order K).")
        {
            word, wordOption, nested, order, latitude, geojson, step,
        };
        cmd.SetAction(parse =>
        {
            var convention = parse.GetValue(latitude);
            string? w = parse.GetValue(word) ?? parse.GetValue(wordOption);
            long? id = parse.GetValue(nested);
            long cellId;
            int k;
            long? mortonWord = null;
            if (w is not null && id is not null) throw new CliException("give either a morton word or --nested, not both");
            if (w is not null)
            {
                try { mortonWord = Morton.Parse(w); }
                catch (FormatException e) { throw new CliException(e.Message); }
                cellId = Morton.ToNested(mortonWord.Value, out k);
            }
            else if (id is not null)
            {
                k = parse.GetValue(order) ?? throw new CliException("--nested needs --order");
                if (id < 0 || id >= HealpixNested.CellCount(k))
                    throw new CliException($"--nested {id} is not a cell of order {k}: ids run 0–{HealpixNested.CellCount(k) - 1}");
                cellId = id.Value;
                if (k >= Morton.MinOrder && k <= Morton.MaxOrder) mortonWord = Morton.FromNested(cellId, k);
            }
            else throw new CliException("give a morton word (e.g. 'zagg grid cell -- -6134114') or --nested ID --order K");

            int s = parse.GetValue(step);
            var centre = GeoGrid.Centre(cellId, k, convention);
            var boundary = GeoGrid.Boundary(cellId, k, s, convention);
            if (parse.GetValue(geojson))
                WriteCellGeoJson(console.Out, mortonWord, cellId, k, convention, centre, boundary);
            else
                WriteCellText(console.Out, mortonWord, cellId, k, convention, centre, boundary, s);
            return 0;
        });
        return cmd;
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static void WriteCellText(TextWriter o, long? word, long cell, int order, LatitudeConvention convention, GeoPoint centre, GeoPoint[] boundary, int step)
    {
        o.WriteLine($"morton        {(word is null ? "(none at this order)" : word.Value.ToString(CultureInfo.InvariantCulture))}");
        o.WriteLine($"order         {order}");
        o.WriteLine($"nested        {cell} (base cell {cell >> (2 * order)})");
        o.WriteLine($"latitude      {convention.ToName()}");
        o.WriteLine($"centre        {F(centre.Latitude)}, {F(centre.Longitude)}   (lat, lon degrees)");
        string[] names = ["north", "west", "south", "east"];
        if (step == 1)
            for (int c = 0; c < 4; c++) o.WriteLine($"{names[c] + " corner",-14}{F(boundary[c].Latitude)}, {F(boundary[c].Longitude)}");
        else
        {
            o.WriteLine($"boundary      {boundary.Length} points from the north corner, counter-clockwise:");
            foreach (var p in boundary) o.WriteLine($"              {F(p.Latitude)}, {F(p.Longitude)}");
        }
    }

    private static void WriteCellGeoJson(TextWriter o, long? word, long cell, int order, LatitudeConvention convention, GeoPoint centre, GeoPoint[] boundary)
    {
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteString("type", "Feature");
            j.WriteStartObject("properties");
            if (word is null) j.WriteNull("morton"); else j.WriteNumber("morton", word.Value);
            j.WriteNumber("order", order);
            j.WriteNumber("nested", cell);
            j.WriteString("latitude_convention", convention.ToName());
            j.WriteStartArray("centre");
            j.WriteNumberValue(centre.Longitude);
            j.WriteNumberValue(centre.Latitude);
            j.WriteEndArray();
            j.WriteEndObject();
            j.WriteStartObject("geometry");
            j.WriteString("type", "Polygon");
            j.WriteStartArray("coordinates");
            j.WriteStartArray();
            // Counter-clockwise as RFC 7946 asks; longitudes continued across ±180 so the ring stays whole.
            double previous = boundary[0].Longitude;
            for (int i = 0; i <= boundary.Length; i++)
            {
                var p = boundary[i % boundary.Length];
                double lon = p.Longitude;
                if (Math.Abs(p.Latitude) < 90)
                {
                    while (lon - previous > 180) lon -= 360;
                    while (lon - previous < -180) lon += 360;
                    previous = lon;
                }
                j.WriteStartArray();
                j.WriteNumberValue(lon);
                j.WriteNumberValue(p.Latitude);
                j.WriteEndArray();
            }
            j.WriteEndArray();
            j.WriteEndArray();
            j.WriteEndObject();
            j.WriteEndObject();
        }
        o.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    // ---------------- cover ----------------

    private static Command Cover(CliConsole console)
    {
        var polygon = new Option<string>("--polygon")
        {
            Description = "GeoJSON file with a Polygon, MultiPolygon, Feature or FeatureCollection (edges are great-circle arcs).",
            HelpName = "FILE",
            Required = true,
        };
        var order = OrderOption(0, HealpixNested.MaxOrder, "Order of the covering cells, 0–29.");
        var latitude = LatitudeOption();
        var format = new Option<string>("--format")
        {
            Description = "morton (default for orders 1–18), nested, or ranges (first,count runs of NESTED ids).",
            HelpName = "morton|nested|ranges",
        }.OneOf(["morton", "nested", "ranges"]);
        var output = OutputOption();
        var cmd = new Command("cover", "The cells of an order that cover a polygon: every cell its interior or boundary touches, one per line.")
        {
            polygon, order, latitude, format, output,
        };
        cmd.SetAction(parse =>
        {
            int k = parse.GetValue(order);
            GeoPolygon area;
            try { area = GeoJson.ReadPolygonFile(parse.GetValue(polygon)!); }
            catch (GeoJsonException e) { throw new CliException(e.Message); }
            string f = parse.GetValue(format) ?? (k >= Morton.MinOrder && k <= Morton.MaxOrder ? "morton" : "nested");
            if (f == "morton" && (k < Morton.MinOrder || k > Morton.MaxOrder))
                throw new CliException($"morton words exist for orders {Morton.MinOrder}–{Morton.MaxOrder}; use --format nested or ranges at order {k}");
            var started = System.Diagnostics.Stopwatch.StartNew();
            CellRanges cells;
            try { cells = PolygonCoverage.Cover(area, k, parse.GetValue(latitude)); }
            catch (ArgumentException e) { throw new CliException($"{parse.GetValue(polygon)}: {e.Message}"); }
            if (f != "ranges" && cells.Count > 50_000_000)
                throw new CliException($"{cells.Count} cells is too many to list one per line; use --format ranges or a coarser --order");
            WriteOutput(console, parse.GetValue(output), w =>
            {
                if (f == "ranges")
                    foreach (var (start, count) in cells.Runs) w.Write($"{start},{count}\n");
                else
                    foreach (long c in cells.Cells())
                        w.Write((f == "morton" ? Morton.FromNestedUnchecked(c, k) : c).ToString(CultureInfo.InvariantCulture) + "\n");
            });
            console.Error.WriteLine($"{cells.Count} cells of order {k} in {cells.Runs.Count} runs ({started.Elapsed.TotalSeconds:F2} s)");
            return 0;
        });
        return cmd;
    }
}
