using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Zagg.Deployment.Tests;

/// <summary>
/// A CloudFormation template read as a YAML node tree. The short-form intrinsic functions (<c>!Ref</c>, <c>!GetAtt</c>,
/// <c>!Sub</c>, <c>!If</c>, …) are YAML local tags, which YamlDotNet's representation model keeps on the node
/// (<see cref="YamlNode.Tag"/>) instead of resolving: <see cref="Intrinsic"/> maps both the tag and the long form
/// (<c>Ref:</c>, <c>Fn::GetAtt:</c>) to one function name and argument node. Sources: the CloudFormation User Guide,
/// "Template anatomy" and "Intrinsic function reference".
/// </summary>
public sealed partial class CfnTemplate
{
    /// <summary>The pseudo parameters a template may name without declaring them.</summary>
    public static readonly IReadOnlySet<string> PseudoParameters = new HashSet<string>(StringComparer.Ordinal)
    {
        "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId",
        "AWS::StackName", "AWS::URLSuffix",
    };

    public YamlMappingNode Root { get; }
    public YamlMappingNode Parameters { get; }
    public YamlMappingNode Resources { get; }
    public YamlMappingNode Conditions { get; }

    private CfnTemplate(YamlMappingNode root)
    {
        Root = root;
        Parameters = Section("Parameters");
        Resources = Section("Resources");
        Conditions = Section("Conditions");
    }

    /// <summary>Parses a template's text.</summary>
    public static CfnTemplate Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return new CfnTemplate((YamlMappingNode)stream.Documents[0].RootNode);
    }

    private YamlMappingNode Section(string name) =>
        Root.Children.TryGetValue(new YamlScalarNode(name), out var node) && node is YamlMappingNode m ? m : new YamlMappingNode();

    /// <summary>The resources of a type, by logical id.</summary>
    public IEnumerable<(string Id, YamlMappingNode Properties, YamlMappingNode Resource)> ResourcesOf(string type)
    {
        foreach (var (key, value) in Resources.Children)
            if (value is YamlMappingNode r && Scalar(r, "Type") == type)
                yield return (((YamlScalarNode)key).Value!, Child(r, "Properties") as YamlMappingNode ?? new YamlMappingNode(), r);
    }

    public bool HasParameter(string name) => Parameters.Children.ContainsKey(new YamlScalarNode(name));
    public bool HasResource(string name) => Resources.Children.ContainsKey(new YamlScalarNode(name));
    public bool HasCondition(string name) => Conditions.Children.ContainsKey(new YamlScalarNode(name));

    /// <summary>A resource's type, or null when there is no such resource.</summary>
    public string? TypeOf(string resource) =>
        Child(Resources, resource) is YamlMappingNode r ? Scalar(r, "Type") : null;

    /// <summary>A parameter's Default, or null.</summary>
    public string? DefaultOf(string parameter) =>
        Child(Parameters, parameter) is YamlMappingNode p ? Scalar(p, "Default") : null;

    public static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    /// <summary>A plain scalar child's value (null when absent or when it is a function).</summary>
    public static string? Scalar(YamlNode? node, string key) =>
        Child(node, key) is YamlScalarNode s && s.Tag.IsEmpty ? s.Value : null;

    /// <summary>
    /// The intrinsic function a node is: (<c>Ref</c>|<c>GetAtt</c>|<c>Sub</c>|<c>If</c>|…, its argument), or null for
    /// plain data. <c>!Ref X</c> and <c>{Ref: X}</c>, <c>!GetAtt X.Y</c> and <c>{Fn::GetAtt: [X, Y]}</c> read the same.
    /// </summary>
    public static (string Name, YamlNode Argument)? Intrinsic(YamlNode node)
    {
        if (!node.Tag.IsEmpty && node.Tag.Value.StartsWith('!'))
            return (node.Tag.Value[1..], node);
        if (node is YamlMappingNode m && m.Children.Count == 1)
        {
            var (key, value) = m.Children.First();
            string k = ((YamlScalarNode)key).Value!;
            if (k == "Ref" || k == "Condition" && value is YamlScalarNode) return (k, value);
            if (k.StartsWith("Fn::", StringComparison.Ordinal)) return (k[4..], value);
        }
        return null;
    }

    /// <summary>Every node under <paramref name="node"/>, itself first.</summary>
    public static IEnumerable<YamlNode> Descendants(YamlNode node)
    {
        yield return node;
        IEnumerable<YamlNode> children = node switch
        {
            YamlMappingNode m => m.Children.Values,
            YamlSequenceNode s => s.Children,
            _ => [],
        };
        foreach (var c in children)
            foreach (var d in Descendants(c))
                yield return d;
    }

    /// <summary>The <c>${Name}</c> / <c>${Name.Attribute}</c> variables of a Fn::Sub string (<c>${!Literal}</c> excluded).</summary>
    public static IEnumerable<string> SubVariables(string text)
    {
        foreach (Match m in SubVariable().Matches(text))
            yield return m.Groups[1].Value;
    }

    [GeneratedRegex(@"\$\{(?!!)([^}]+)\}")]
    private static partial Regex SubVariable();

    /// <summary>The logical id a Ref or GetAtt names (for GetAtt the resource part), or null for another node.</summary>
    public static string? NameOf(YamlNode node) => Intrinsic(node) switch
    {
        ("Ref", YamlScalarNode s) => s.Value,
        ("GetAtt", YamlScalarNode s) => s.Value!.Split('.')[0],
        ("GetAtt", YamlSequenceNode seq) when seq.Children.Count == 2 => (seq.Children[0] as YamlScalarNode)?.Value,
        _ => null,
    };

    /// <summary>The text of a Sub (its template string), or null when the node is not a Sub.</summary>
    public static string? SubText(YamlNode node) => Intrinsic(node) switch
    {
        ("Sub", YamlScalarNode s) => s.Value,
        ("Sub", YamlSequenceNode seq) when seq.Children.Count == 2 => (seq.Children[0] as YamlScalarNode)?.Value,
        _ => null,
    };
}
