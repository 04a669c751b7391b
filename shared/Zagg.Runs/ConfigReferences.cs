using System.Collections.Concurrent;
using Zagg.Contracts;
using Zagg.Pipeline.Config;

namespace Zagg.Runs;

/// <summary>Turns a message's config reference into a validated configuration (parsed once per process).</summary>
public static class ConfigReferences
{
    private static readonly ConcurrentDictionary<(string?, string?), PipelineConfig> Parsed = new();

    /// <summary>A message's reference to what the user named: a built-in by name, a file by its text (<see cref="ConfigLoader.Find"/> decides which).</summary>
    public static ConfigReference FromUser(string nameOrPath)
    {
        var found = ConfigLoader.Find(nameOrPath);
        return found.BuiltInName is { } name ? ConfigReference.BuiltIn(name) : ConfigReference.Text(found.Yaml, found.Source);
    }

    public static PipelineConfig Load(ConfigReference reference) => Parsed.GetOrAdd((reference.Name, reference.Yaml), _ =>
        reference switch
        {
            { Yaml: { } yaml } => ConfigLoader.Parse(yaml, reference.Source ?? "(inline YAML)"),
            { Name: { } name } when ConfigLoader.BuiltIns.Contains(name) => ConfigLoader.Load(name),
            { Name: { } name } => throw new ConfigException($"{name}: not a built-in configuration ({string.Join(", ", ConfigLoader.BuiltIns)})"),
            _ => throw new ConfigException("the message's config reference has neither a name nor YAML text"),
        });
}
