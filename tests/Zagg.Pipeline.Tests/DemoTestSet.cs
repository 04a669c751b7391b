using System.Text.Json;
using Zagg.Pipeline.Config;

namespace Zagg.Pipeline.Tests;

/// <summary>The committed demo granules (TestSet/, tools/fixtures/atl06_testset.py), their expected values and the built-in atl06 config.</summary>
internal static class DemoTestSet
{
    public static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "TestSet");
    public static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json"))).RootElement;

    /// <summary>The granules' paths.</summary>
    public static string[] Granules => Expected.GetProperty("granules").EnumerateArray().Select(g => Path.Combine(Dir, g.GetString()!)).ToArray();

    /// <summary>The first parent cell of the authalic convention (NESTED id at order 6).</summary>
    public static long Parent => Expected.GetProperty("conventions").GetProperty("authalic")[0].GetProperty("parent").GetInt64();

    /// <summary>The built-in atl06 configuration, optionally edited as YAML text first.</summary>
    public static PipelineConfig Atl06(Func<string, string>? edit = null)
    {
        using var s = typeof(ConfigLoader).Assembly.GetManifestResourceStream("Zagg.Configs.atl06.yaml")!;
        string yaml = new StreamReader(s).ReadToEnd();
        return ConfigLoader.Parse(edit is null ? yaml : edit(yaml), "atl06.yaml");
    }
}
