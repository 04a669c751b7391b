using System.Collections.Concurrent;
using Zagg.Contracts;
using Zagg.Pipeline.Config;

namespace Zagg.Runs;

/// <summary>Turns a message's config reference into a validated configuration (parsed once per process).</summary>
public static class ConfigReferences
{
    private static readonly ConcurrentDictionary<(string?, string?), PipelineConfig> Parsed = new();

    /// <summary>What a user typed for --config: a built-in's name, or a YAML file (read now; its text travels). <see cref="ConfigLoader.Find"/> decides which.</summary>
    /// <exception cref="ConfigException">Neither a built-in nor a readable file; the message names both.</exception>
    public static ConfigReference FromUser(string nameOrPath)
    {
        var found = ConfigLoader.Find(nameOrPath);
        return found.BuiltInName is { } name ? ConfigReference.BuiltIn(name) : ConfigReference.Text(found.Yaml, found.Source);
    }

    /// <summary>The validated configuration a message refers to (parsed once per process for each name or text).</summary>
    /// <exception cref="ConfigException">Not a built-in, no name nor YAML, or YAML that is not a valid config (the message names its source).</exception>
    public static PipelineConfig Load(ConfigReference reference) => Parsed.GetOrAdd((reference.Name, reference.Yaml), _ =>
        reference switch
        {
            { Yaml: { } yaml } => ConfigLoader.Parse(yaml, reference.Source ?? "(inline YAML)"),
            { Name: { } name } when ConfigLoader.BuiltIns.Contains(name) => ConfigLoader.Load(name),
            { Name: { } name } => throw new ConfigException($"{name}: not a built-in configuration ({string.Join(", ", ConfigLoader.BuiltIns)})"),
            _ => throw new ConfigException("the message's config reference has neither a name nor YAML text"),
        });
}
