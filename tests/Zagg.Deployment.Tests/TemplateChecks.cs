using System.Globalization;
using YamlDotNet.RepresentationModel;
using static Zagg.Deployment.Tests.CfnTemplate;

namespace Zagg.Deployment.Tests;

/// <summary>
/// What deployment/aws/template.yaml must hold, each rule a function from a template to the problems it finds (empty:
/// none), so the tests can run every rule on the real template and on broken copies of it (the controls).
/// </summary>
public static class TemplateChecks
{
    /// <summary>The services that have a queue: {prefix}-zagg-{service} and {prefix}-zagg-{service}-dlq.</summary>
    public static readonly string[] Services = ["catalog", "template", "dispatcher", "worker", "consolidation"];

    /// <summary>The parameters the deployment brief names.</summary>
    public static readonly string[] RequiredParameters =
    [
        "DeploymentPrefix", "LambdaMemoryMB", "LambdaTimeoutSeconds", "ReservedConcurrency", "MaxConcurrency", "BatchSize",
        "MaxReceiveCount", "OutputBucketName", "OutputPrefix", "LogRetentionDays", "CodeS3Bucket", "CodeS3Key",
    ];

    public static IReadOnlyDictionary<string, Func<CfnTemplate, List<string>>> All { get; } = new Dictionary<string, Func<CfnTemplate, List<string>>>
    {
        [nameof(References)] = References,
        [nameof(Parameters)] = Parameters,
        [nameof(Queues)] = Queues,
        [nameof(Function)] = Function,
        [nameof(EventSourceMapping)] = EventSourceMapping,
        [nameof(Iam)] = Iam,
        [nameof(Logs)] = Logs,
        [nameof(NameLengths)] = NameLengths,
    };

    /// <summary>
    /// Names made from the prefix fit AWS's limits at the longest prefix DeploymentPrefix allows (30), a 12-digit
    /// account and the longest region name (14, ap-southeast-2): queues 80, buckets 63, functions 64, log groups 512.
    /// </summary>
    public static List<string> NameLengths(CfnTemplate t)
    {
        var problems = new List<string>();
        void Check(string type, string property, int limit)
        {
            foreach (var (id, props, _) in t.ResourcesOf(type))
                if (Child(props, property) is { } n && SubText(n) is { } name)
                {
                    int longest = name.Replace("${DeploymentPrefix}", new string('p', 30), StringComparison.Ordinal)
                        .Replace("${AWS::AccountId}", new string('1', 12), StringComparison.Ordinal)
                        .Replace("${AWS::Region}", "ap-southeast-2", StringComparison.Ordinal).Length;
                    if (longest > limit) problems.Add($"{id}: {property} can be {longest} characters, over AWS's {limit}");
                }
        }
        if (t.Parameters.Children.TryGetValue(new YamlScalarNode("DeploymentPrefix"), out var p) && Scalar(p, "AllowedPattern") != "^[a-z][a-z0-9-]{0,29}$")
            problems.Add("DeploymentPrefix's AllowedPattern is not ^[a-z][a-z0-9-]{0,29}$ (the lengths below assume 30)");
        Check("AWS::SQS::Queue", "QueueName", 80);
        Check("AWS::S3::Bucket", "BucketName", 63);
        Check("AWS::Lambda::Function", "FunctionName", 64);
        Check("AWS::Logs::LogGroup", "LogGroupName", 512);
        return problems;
    }

    /// <summary>Every Ref, GetAtt, Sub variable and condition names something the template declares (or a pseudo parameter).</summary>
    public static List<string> References(CfnTemplate t)
    {
        var problems = new List<string>();
        void Name(string name, string where)
        {
            if (!t.HasParameter(name) && !t.HasResource(name) && !PseudoParameters.Contains(name))
                problems.Add($"{where} names '{name}', neither a parameter, a resource nor a pseudo parameter");
        }
        void Resource(string name, string where)
        {
            if (!t.HasResource(name)) problems.Add($"{where} names '{name}', which is not a resource");
        }
        void Condition(string name, string where)
        {
            if (!t.HasCondition(name)) problems.Add($"{where} names the condition '{name}', which is not declared");
        }

        foreach (var node in Descendants(t.Root))
        {
            switch (Intrinsic(node))
            {
                case ("Ref", YamlScalarNode s):
                    Name(s.Value!, "Ref");
                    break;
                case ("GetAtt", _):
                    if (NameOf(node) is { } r) Resource(r, "GetAtt");
                    else problems.Add($"a GetAtt at line {node.Start.Line} is malformed");
                    break;
                case ("Sub", var arg):
                    var locals = new HashSet<string>(StringComparer.Ordinal);
                    if (arg is YamlSequenceNode { Children: [_, YamlMappingNode map] })
                        foreach (var k in map.Children.Keys) locals.Add(((YamlScalarNode)k).Value!);
                    foreach (string v in SubVariables(SubText(node) ?? ""))
                    {
                        if (locals.Contains(v)) continue;
                        int dot = v.IndexOf('.');
                        if (dot > 0 && !v.StartsWith("AWS::", StringComparison.Ordinal)) Resource(v[..dot], "Sub");
                        else Name(v, "Sub");
                    }
                    break;
                case ("If", YamlSequenceNode { Children: [YamlScalarNode c, _, _] }):
                    Condition(c.Value!, "If");
                    break;
                case ("If", _):
                    problems.Add($"an If at line {node.Start.Line} does not have three arguments");
                    break;
                case ("Condition", YamlScalarNode c):
                    Condition(c.Value!, "Condition");
                    break;
            }
        }
        foreach (var (key, value) in t.Resources.Children)
            if (Scalar(value, "Condition") is { } c) Condition(c, $"resource {((YamlScalarNode)key).Value}");
        return problems;
    }

    /// <summary>The brief's parameters exist; memory defaults to 512 MB; the queues' visibility timeout is at least six times the function's timeout.</summary>
    public static List<string> Parameters(CfnTemplate t)
    {
        var problems = new List<string>();
        foreach (string p in RequiredParameters)
            if (!t.HasParameter(p)) problems.Add($"parameter {p} is missing");
        if (t.DefaultOf("LambdaMemoryMB") != "512") problems.Add("LambdaMemoryMB does not default to 512");
        if (int.TryParse(t.DefaultOf("LambdaTimeoutSeconds"), CultureInfo.InvariantCulture, out int timeout)
            && int.TryParse(t.DefaultOf("QueueVisibilityTimeoutSeconds"), CultureInfo.InvariantCulture, out int visibility))
        {
            if (visibility < 6 * timeout) problems.Add($"the queues' visibility timeout ({visibility} s) is under six times the function's timeout ({timeout} s)");
        }
        else problems.Add("LambdaTimeoutSeconds or QueueVisibilityTimeoutSeconds has no numeric default");
        return problems;
    }

    /// <summary>One queue per service, named from the prefix, each with its own dead-letter queue through a RedrivePolicy.</summary>
    public static List<string> Queues(CfnTemplate t)
    {
        var problems = new List<string>();
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, props, _) in t.ResourcesOf("AWS::SQS::Queue"))
        {
            if (Child(props, "QueueName") is { } n && SubText(n) is { } name) byName[name] = id;
            else problems.Add($"queue {id} has no QueueName from the deployment prefix");
        }
        var deadLetterTargets = new HashSet<string>(StringComparer.Ordinal);
        foreach (string service in Services)
        {
            string name = "${DeploymentPrefix}-zagg-" + service;
            if (!byName.TryGetValue(name, out string? queue)) { problems.Add($"no queue named {name}"); continue; }
            if (!byName.TryGetValue(name + "-dlq", out string? dlq)) { problems.Add($"no dead-letter queue named {name}-dlq"); continue; }
            var redrive = Child(Child(t.Resources, queue), "Properties") is { } p ? Child(p, "RedrivePolicy") : null;
            if (redrive is null) { problems.Add($"queue {queue} has no RedrivePolicy"); continue; }
            if (Child(redrive, "deadLetterTargetArn") is not { } target || NameOf(target) != dlq || Intrinsic(target)?.Name != "GetAtt")
                problems.Add($"queue {queue} does not redrive to its own dead-letter queue {dlq}");
            else if (!deadLetterTargets.Add(dlq)) problems.Add($"{dlq} is the dead-letter queue of two queues");
            if (Child(redrive, "maxReceiveCount") is null) problems.Add($"queue {queue}'s RedrivePolicy has no maxReceiveCount");
        }
        return problems;
    }

    /// <summary>The worker function: provided.al2023 on arm64, handler bootstrap, memory and timeout from parameters, its role set.</summary>
    public static List<string> Function(CfnTemplate t)
    {
        var problems = new List<string>();
        var functions = t.ResourcesOf("AWS::Lambda::Function").ToList();
        if (functions.Count == 0) problems.Add("no AWS::Lambda::Function");
        foreach (var (id, props, _) in functions)
        {
            if (Scalar(props, "Runtime") != "provided.al2023") problems.Add($"{id}: Runtime is not provided.al2023");
            if (Child(props, "Architectures") is not YamlSequenceNode { Children: [YamlScalarNode { Value: "arm64" }] })
                problems.Add($"{id}: Architectures is not [arm64]");
            if (Scalar(props, "Handler") != "bootstrap") problems.Add($"{id}: Handler is not bootstrap");
            if (Child(props, "MemorySize") is not { } m || NameOf(m) != "LambdaMemoryMB") problems.Add($"{id}: MemorySize is not the LambdaMemoryMB parameter");
            if (Child(props, "Timeout") is not { } to || NameOf(to) != "LambdaTimeoutSeconds") problems.Add($"{id}: Timeout is not the LambdaTimeoutSeconds parameter");
            if (Child(props, "ReservedConcurrentExecutions") is null) problems.Add($"{id}: no ReservedConcurrentExecutions");
            var variables = Child(Child(props, "Environment"), "Variables");
            if (Scalar(variables, "ZAGG_LAMBDA_ROLE") is not ("worker" or "catalog" or "template" or "dispatcher" or "consolidation"))
                problems.Add($"{id}: ZAGG_LAMBDA_ROLE is not a service");
            // What the Lambda's LambdaSettings requires: the queues' prefix (results go to PREFIX-zagg-consolidation), and the redrive's receive count.
            if (Child(variables, "ZAGG_SQS_PREFIX") is not { } prefix || NameOf(prefix) != "DeploymentPrefix")
                problems.Add($"{id}: ZAGG_SQS_PREFIX is not the DeploymentPrefix parameter");
            if (Child(variables, "ZAGG_LAMBDA_MAX_RECEIVES") is not { } receives || NameOf(receives) != "MaxReceiveCount")
                problems.Add($"{id}: ZAGG_LAMBDA_MAX_RECEIVES is not the MaxReceiveCount parameter");
            if (variables is YamlMappingNode vars)
                foreach (var (k, v) in vars.Children)
                {
                    string key = ((YamlScalarNode)k).Value!;
                    // A credential is passed by reference (a dynamic reference resolved by CloudFormation), never as text.
                    if ((key.Contains("TOKEN", StringComparison.Ordinal) || key.Contains("SECRET", StringComparison.Ordinal) || key.Contains("PASSWORD", StringComparison.Ordinal))
                        && !Descendants(v).Any(d => SubText(d) is { } s && s.StartsWith("{{resolve:secretsmanager:", StringComparison.Ordinal)))
                        problems.Add($"{id}: the credential {key} is not a Secrets Manager reference");
                }
            if (Child(props, "Role") is not { } role || t.TypeOf(NameOf(role) ?? "") != "AWS::IAM::Role") problems.Add($"{id}: Role is not a role of this template");
        }
        return problems;
    }

    /// <summary>The worker queue feeds the function through a mapping that reports batch item failures and caps its concurrency.</summary>
    public static List<string> EventSourceMapping(CfnTemplate t)
    {
        var problems = new List<string>();
        var mappings = t.ResourcesOf("AWS::Lambda::EventSourceMapping").ToList();
        if (mappings.Count == 0) problems.Add("no AWS::Lambda::EventSourceMapping");
        foreach (var (id, props, _) in mappings)
        {
            if (Child(props, "FunctionResponseTypes") is not YamlSequenceNode types
                || !types.Children.OfType<YamlScalarNode>().Any(s => s.Value == "ReportBatchItemFailures"))
                problems.Add($"{id}: FunctionResponseTypes does not list ReportBatchItemFailures");
            if (Child(Child(props, "ScalingConfig"), "MaximumConcurrency") is not { } mc || NameOf(mc) != "MaxConcurrency")
                problems.Add($"{id}: ScalingConfig.MaximumConcurrency is not the MaxConcurrency parameter");
            if (Child(props, "BatchSize") is not { } b || NameOf(b) != "BatchSize") problems.Add($"{id}: BatchSize is not the BatchSize parameter");
            if (Child(props, "EventSourceArn") is not { } source || Intrinsic(source)?.Name != "GetAtt" || NameOf(source) is not { } q
                || SubText(Child(Child(t.Resources, q), "Properties") is { } qp ? Child(qp, "QueueName") ?? new YamlScalarNode() : new YamlScalarNode()) != "${DeploymentPrefix}-zagg-worker")
                problems.Add($"{id}: EventSourceArn is not the worker queue's ARN");
            if (Child(props, "FunctionName") is not { } f || t.TypeOf(NameOf(f) ?? "") != "AWS::Lambda::Function")
                problems.Add($"{id}: FunctionName is not a function of this template");
        }
        return problems;
    }

    private static readonly HashSet<string> S3ObjectActions = new(StringComparer.OrdinalIgnoreCase) { "s3:GetObject", "s3:PutObject", "s3:DeleteObject" };

    /// <summary>
    /// Least privilege in every policy: no wildcard action, no <c>*</c> resource; S3 object actions only under
    /// <c>bucket/${OutputPrefix}/*</c>; s3:ListBucket only with an s3:prefix condition; SQS actions only on this template's queues.
    /// </summary>
    public static List<string> Iam(CfnTemplate t)
    {
        var problems = new List<string>();
        foreach (var (id, statement) in Statements(t))
        {
            string sid = Scalar(statement, "Sid") ?? "(no Sid)";
            var actions = Strings(Child(statement, "Action"));
            var resources = Child(statement, "Resource") switch
            {
                YamlSequenceNode s when Intrinsic(s) is null => s.Children.ToList(),
                { } one => [one],
                null => [],
            };
            if (resources.Count == 0) problems.Add($"{id} {sid}: no Resource");
            foreach (string a in actions)
                if (a == "*" || a.EndsWith(":*", StringComparison.Ordinal)) problems.Add($"{id} {sid}: wildcard action {a}");
            foreach (var r in resources)
                if (r is YamlScalarNode { Value: "*" } && r.Tag.IsEmpty) problems.Add($"{id} {sid}: Resource *");
            if (actions.Any(S3ObjectActions.Contains))
                foreach (var r in resources)
                    if (SubText(r) is not { } arn || !arn.EndsWith("/${OutputPrefix}/*", StringComparison.Ordinal) || !arn.StartsWith("arn:${AWS::Partition}:s3:::", StringComparison.Ordinal))
                        problems.Add($"{id} {sid}: S3 object access beyond the output prefix");
            if (actions.Contains("s3:ListBucket")
                && Child(Child(Child(statement, "Condition"), "StringLike"), "s3:prefix") is not { } prefix)
                problems.Add($"{id} {sid}: s3:ListBucket without an s3:prefix condition");
            if (actions.Any(a => a.StartsWith("sqs:", StringComparison.Ordinal)))
                foreach (var r in resources)
                    if (!(Intrinsic(r)?.Name == "GetAtt" && t.TypeOf(NameOf(r) ?? "") == "AWS::SQS::Queue") && SubText(r) != FollowQueues)
                        problems.Add($"{id} {sid}: SQS access beyond this template's queues and the runs' follow queues");
        }
        return problems;
    }

    /// <summary>The follow queues a zagg run creates for itself (P-zagg-run-RUN, docs/messages.md), the one SQS ARN pattern allowed.</summary>
    public const string FollowQueues = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${DeploymentPrefix}-zagg-run-*";

    private static IEnumerable<(string Id, YamlNode Statement)> Statements(CfnTemplate t)
    {
        foreach (var (id, props, _) in t.ResourcesOf("AWS::IAM::Role"))
            if (Child(props, "Policies") is YamlSequenceNode policies)
                foreach (var p in policies.Children)
                    foreach (var s in StatementsOf(Child(p, "PolicyDocument")))
                        yield return (id, s);
        foreach (var (id, props, _) in t.ResourcesOf("AWS::IAM::ManagedPolicy"))
            foreach (var s in StatementsOf(Child(props, "PolicyDocument")))
                yield return (id, s);
    }

    private static IEnumerable<YamlNode> StatementsOf(YamlNode? document) =>
        Child(document, "Statement") is YamlSequenceNode s ? s.Children : [];

    private static List<string> Strings(YamlNode? node) => node switch
    {
        YamlScalarNode s => [s.Value!],
        YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().Select(s => s.Value!).ToList(),
        _ => [],
    };

    /// <summary>Every log group has a retention; the function logs to one of this template's log groups.</summary>
    public static List<string> Logs(CfnTemplate t)
    {
        var problems = new List<string>();
        var groups = t.ResourcesOf("AWS::Logs::LogGroup").ToList();
        if (groups.Count == 0) problems.Add("no AWS::Logs::LogGroup");
        foreach (var (id, props, _) in groups)
            if (Child(props, "RetentionInDays") is not { } r || NameOf(r) != "LogRetentionDays") problems.Add($"{id}: RetentionInDays is not the LogRetentionDays parameter");
        foreach (var (id, props, _) in t.ResourcesOf("AWS::Lambda::Function"))
            if (Child(Child(props, "LoggingConfig"), "LogGroup") is not { } g || t.TypeOf(NameOf(g) ?? "") != "AWS::Logs::LogGroup")
                problems.Add($"{id}: LoggingConfig.LogGroup is not a log group of this template");
        return problems;
    }
}
