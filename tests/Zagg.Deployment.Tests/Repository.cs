namespace Zagg.Deployment.Tests;

/// <summary>Files of the repository the tests read (found from the test's own folder, up to the one with Zagg.sln).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string TemplatePath => Path.Combine(Root, "deployment", "aws", "template.yaml");
    public static string DeployScript => Path.Combine(Root, "deployment", "aws", "deploy.sh");

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Zagg.sln"))) return d.FullName;
        throw new InvalidOperationException("the repository root (Zagg.sln) is not above " + AppContext.BaseDirectory);
    }
}
