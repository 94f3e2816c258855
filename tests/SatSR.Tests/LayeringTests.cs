using System.Text.RegularExpressions;

namespace SatSR.Tests;

/// <summary>
/// The library's folders are the stages of the data flow; a stage may use only the stages before it, and each
/// native library lives in exactly one stage. This reads the sources, so a wrong <c>using</c> fails the build's tests.
/// </summary>
public partial class LayeringTests
{
    private static readonly string[] Stages = ["Geometry", "Raster", "Tiling", "Pixels", "Quality", "Models", "Inference", "Pipeline", "Viewer"];

    /// <summary>src/SatSR of this checkout.</summary>
    internal static string SourceRootPath() => SourceRoot();

    private static string SourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SatSR.slnx"))) return Path.Combine(dir.FullName, "src", "SatSR");
        }
        throw new DirectoryNotFoundException("SatSR.slnx not found above the test binaries");
    }

    public static TheoryData<string> StageNames => new(Stages);

    [Theory]
    [MemberData(nameof(StageNames))]
    public void A_stage_uses_only_the_stages_before_it(string stage)
    {
        var allowed = Stages.Take(Array.IndexOf(Stages, stage) + 1).ToHashSet();
        var files = Directory.GetFiles(Path.Combine(SourceRoot(), stage), "*.cs", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            foreach (Match m in SatSRUsing().Matches(File.ReadAllText(file)))
            {
                var used = m.Groups[1].Value;
                Assert.True(allowed.Contains(used), $"{Path.GetFileName(file)} ({stage}) uses SatSR.{used}, a later stage");
            }
        }
    }

    [Theory]
    [InlineData("Microsoft.ML.OnnxRuntime", "Inference")]
    [InlineData("LibraryImport", "Raster")]
    public void A_native_library_is_used_in_one_stage_only(string marker, string owner)
    {
        var root = SourceRoot();
        var offenders = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains(marker))
            .Select(f => Path.GetRelativePath(root, f))
            .Where(f => !f.StartsWith(owner + Path.DirectorySeparatorChar))
            .ToList();
        Assert.Empty(offenders);
    }

    [GeneratedRegex(@"^\s*using\s+(?:static\s+)?SatSR\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex SatSRUsing();
}
