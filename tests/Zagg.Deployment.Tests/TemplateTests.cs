using Xunit;

namespace Zagg.Deployment.Tests;

/// <summary>deployment/aws/template.yaml against <see cref="TemplateChecks"/>, and each check against a broken copy (its control).</summary>
public sealed class TemplateTests
{
    private static readonly string Text = File.ReadAllText(Repository.TemplatePath);

    public static TheoryData<string> Checks => new(TemplateChecks.All.Keys);

    [Theory]
    [MemberData(nameof(Checks))]
    public void TheTemplatePasses(string check)
    {
        var problems = TemplateChecks.All[check](CfnTemplate.Parse(Text));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void TheTemplateHasEveryKindOfResource()
    {
        var t = CfnTemplate.Parse(Text);
        Assert.Equal(10, t.ResourcesOf("AWS::SQS::Queue").Count());
        Assert.Single(t.ResourcesOf("AWS::Lambda::Function"));
        Assert.Single(t.ResourcesOf("AWS::Lambda::EventSourceMapping"));
        Assert.Single(t.ResourcesOf("AWS::S3::Bucket"));
        Assert.Single(t.ResourcesOf("AWS::Logs::LogGroup"));
        Assert.Single(t.ResourcesOf("AWS::IAM::Role"));
    }

    /// <summary>
    /// Each row breaks the template in one way (one text replacement, which must apply) and names the check that must
    /// catch it: so a check that passes everything fails here.
    /// </summary>
    public static TheoryData<string, string, string> Breakages => new()
    {
        { "References", "FunctionName: !Ref WorkerFunction", "FunctionName: !Ref WorkerFunctions" },
        { "References", "Resource: !GetAtt WorkerLogGroup.Arn", "Resource: !GetAtt WorkerLogGroups.Arn" },
        { "References", "\"s3://${Bucket}/${OutputPrefix}/\"\n      - Bucket", "\"s3://${Bucket}/${OutputPrefx}/\"\n      - Bucket" },
        { "Function", "ZAGG_SQS_PREFIX: !Ref DeploymentPrefix", "ZAGG_SQS_PREFIX: !Ref OutputPrefix" },
        { "Iam", "Resource: !Sub \"arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${DeploymentPrefix}-zagg-run-*\"", "Resource: !Sub \"arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:*\"" },
        { "References", "!If [HasReservedConcurrency,", "!If [HasReserved," },
        { "Parameters", "    Default: 512\n", "    Default: 2048\n" },
        { "Parameters", "    Default: 1800\n", "    Default: 900\n" },
        { "Queues", "deadLetterTargetArn: !GetAtt WorkerDeadLetterQueue.Arn", "deadLetterTargetArn: !GetAtt CatalogDeadLetterQueue.Arn" },
        { "Queues", "QueueName: !Sub \"${DeploymentPrefix}-zagg-dispatcher-dlq\"", "QueueName: !Sub \"${DeploymentPrefix}-zagg-dispatcher-dead\"" },
        { "Function", "Architectures: [arm64]", "Architectures: [x86_64]" },
        { "Function", "Runtime: provided.al2023", "Runtime: provided.al2" },
        { "Function", "- !Sub \"{{resolve:secretsmanager:${EarthdataTokenSecretArn}:SecretString:token}}\"", "- !Ref EarthdataTokenSecretArn" },
        { "EventSourceMapping", "FunctionResponseTypes: [ReportBatchItemFailures]", "FunctionResponseTypes: []" },
        { "EventSourceMapping", "EventSourceArn: !GetAtt WorkerQueue.Arn", "EventSourceArn: !GetAtt CatalogQueue.Arn" },
        { "EventSourceMapping", "MaximumConcurrency: !Ref MaxConcurrency", "MaximumConcurrency: 1000" },
        { "Iam", "\"arn:${AWS::Partition}:s3:::${Bucket}/${OutputPrefix}/*\"\n                  - Bucket", "\"arn:${AWS::Partition}:s3:::${Bucket}/*\"\n                  - Bucket" },
        { "Iam", "                Resource: !GetAtt ConsolidationQueue.Arn", "                Resource: \"*\"" },
        { "Iam", "                  - sqs:ChangeMessageVisibility\n                  - sqs:GetQueueAttributes\n                  - sqs:GetQueueUrl\n                Resource: !GetAtt WorkerQueue.Arn", "                  - sqs:*\n                Resource: !GetAtt WorkerQueue.Arn" },
        { "Iam", "                Condition:\n                  StringLike:\n                    s3:prefix: !Sub \"${OutputPrefix}/*\"\n              - Sid: WriteOwnLogs", "              - Sid: WriteOwnLogs" },
        { "NameLengths", "BucketName: !Sub \"${DeploymentPrefix}-zagg-${AWS::AccountId}-${AWS::Region}\"", "BucketName: !Sub \"${DeploymentPrefix}-zagg-output-${AWS::AccountId}-${AWS::Region}\"" },
        { "Logs", "      RetentionInDays: !Ref LogRetentionDays\n", "" },
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void ACheckCatchesItsBreakage(string check, string from, string to)
    {
        Assert.Contains(from, Text, StringComparison.Ordinal);
        string broken = ReplaceFirst(Text, from, to);
        var problems = TemplateChecks.All[check](CfnTemplate.Parse(broken));
        Assert.NotEmpty(problems);
    }

    private static string ReplaceFirst(string text, string from, string to)
    {
        int i = text.IndexOf(from, StringComparison.Ordinal);
        return string.Concat(text.AsSpan(0, i), to, text.AsSpan(i + from.Length));
    }

    [Fact]
    public void ShortAndLongFormsReadTheSame()
    {
        var t = CfnTemplate.Parse("""
            Parameters:
              P: {Type: String}
            Resources:
              Q:
                Type: AWS::SQS::Queue
                Properties:
                  A: {Ref: P}
                  B: {"Fn::GetAtt": [Q, Arn]}
                  C: {"Fn::Sub": "${P}-${Q.Arn}-${!Literal}"}
                  D: {Ref: Missing}
            """);
        var problems = TemplateChecks.References(t);
        Assert.Equal(["Ref names 'Missing', neither a parameter, a resource nor a pseudo parameter"], problems);
    }
}
