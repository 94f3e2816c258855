using System.Text;
using System.Text.RegularExpressions;

namespace SatSR.Tests;

/// <summary>
/// The library's folders are the stages of the data flow; a stage may use only the stages before it, and each
/// native library lives in exactly one stage. This reads the sources, so a wrong <c>using</c> fails the build's tests.
/// </summary>
public partial class LayeringTests
{
    private static readonly string[] Stages = ["Geometry", "Raster", "Tiling", "Pixels", "Radiometry", "Quality", "Models", "Inference", "Pipeline", "Viewer"];

    internal static string SourceRoot()
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

    /// <summary>
    /// Inside a stage, each first-level folder and the stage's own files are rooms; a room may use another only if that
    /// one does not use it back, through any others, so the rooms read bottom up. Deeper folders count as their room:
    /// their namespaces nest in the room's, and none is a room of its own today. A <c>using</c> check cannot see this
    /// (code in SatSR.Pipeline.Stages sees SatSR.Pipeline's types with none), so this finds the names of the types each
    /// room declares in the other rooms' code.
    /// </summary>
    [Theory]
    [MemberData(nameof(StageNames))]
    public void The_rooms_of_a_stage_use_each_other_without_a_cycle(string stage)
    {
        var folder = Path.Combine(SourceRoot(), stage);
        var files = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f))
            .Select(f => (Room: f.Contains(Path.DirectorySeparatorChar) ? $"{stage}/{f[..f.IndexOf(Path.DirectorySeparatorChar)]}" : stage,
                File: f, Code: Code(File.ReadAllText(Path.Combine(folder, f)))))
            .ToList();
        var declared = files
            .SelectMany(f => TopLevelType().Matches(f.Code).Select(m => (Type: m.Groups["name"].Value, f.Room)))
            .Distinct()
            .GroupBy(d => d.Type)
            .ToList();
        var twice = declared.Where(g => g.Count() > 1).Select(g => $"{g.Key} in {string.Join(" and ", g.Select(d => d.Room))}").ToList();
        Assert.True(twice.Count == 0, $"{stage}: a type name is declared in two rooms, so a use of it cannot be placed; rename one: {string.Join("; ", twice)}");
        var owner = declared.ToDictionary(g => g.Key, g => g.Single().Room);

        // Each room's edges to the rooms it uses, with the first file and type that show each.
        var uses = files.Select(f => f.Room).Distinct().ToDictionary(r => r, _ => new SortedDictionary<string, string>(StringComparer.Ordinal));
        foreach (var (room, file, code) in files.OrderBy(f => f.File, StringComparer.Ordinal))
        {
            foreach (Match word in Identifier().Matches(code))
            {
                if (owner.TryGetValue(word.Value, out var other) && other != room) uses[room].TryAdd(other, $"{file} uses {word.Value}");
            }
        }

        var cycle = Cycle(uses);
        Assert.True(cycle is null, cycle is null ? "" :
            $"{stage}: its rooms use each other in a cycle, {string.Join(" → ", cycle)} " +
            $"({string.Join("; ", cycle.Zip(cycle.Skip(1), (from, to) => uses[from][to]))}); move the type used down, or pass it in");
    }

    /// <summary>A cycle in the room graph as its rooms, the first repeated at the end; null when there is none.</summary>
    private static List<string>? Cycle(Dictionary<string, SortedDictionary<string, string>> uses)
    {
        var done = new HashSet<string>();
        var path = new List<string>();
        List<string>? Visit(string room)
        {
            var at = path.IndexOf(room);
            if (at >= 0) return [.. path[at..], room];
            if (!done.Add(room)) return null;
            path.Add(room);
            foreach (var next in uses[room].Keys)
            {
                if (Visit(next) is { } cycle) return cycle;
            }
            path.RemoveAt(path.Count - 1);
            return null;
        }
        return uses.Keys.Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(c => c is not null);
    }

    /// <summary>C# source with comments and the text of string and char literals blanked; interpolation holes are code and stay.</summary>
    private static string Code(string source)
    {
        var code = new StringBuilder(source.Length);
        var i = 0;
        CopyCode(source, ref i, code, hole: false);
        return code.ToString();
    }

    /// <summary>Copies code from <paramref name="i"/>; in a <paramref name="hole"/>, up to and past the brace that closes it.</summary>
    private static void CopyCode(string s, ref int i, StringBuilder code, bool hole)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            var next = i + 1 < s.Length ? s[i + 1] : '\0';
            if (c == '/' && next == '/')
            {
                while (i < s.Length && s[i] != '\n') i++;
            }
            else if (c == '/' && next == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? s.Length : end + 2;
                code.Append(' ');
            }
            else if (c == '\'')
            {
                // 'x', '\'' or '\u0041': past the opening quote and the first character (an escape's two), then to the close.
                i += next == '\\' ? 3 : 2;
                while (i < s.Length && s[i] != '\'') i++;
                i++;
                code.Append(' ');
            }
            else if (c == '"' || (c is '$' or '@' && s.AsSpan(i).TrimStart("$@").StartsWith("\"")))
            {
                SkipString(s, ref i, code);
                code.Append(' ');
            }
            else
            {
                i++;
                if (hole && c == '{') depth++;
                if (hole && c == '}' && depth-- == 0) return;
                code.Append(c);
            }
        }
    }

    /// <summary>Moves past the string literal at <paramref name="i"/> (regular, verbatim, raw, interpolated), copying its holes' code.</summary>
    private static void SkipString(string s, ref int i, StringBuilder code)
    {
        var dollars = 0;
        var verbatim = false;
        for (; s[i] != '"'; i++)
        {
            if (s[i] == '$') dollars++;
            else verbatim = true;
        }
        var start = i;
        while (i < s.Length && s[i] == '"') i++;
        // A verbatim string opens with one quote (two more are an escaped quote); three or more open a raw string.
        var quotes = verbatim ? 1 : i - start;
        i = start + quotes;
        if (quotes == 2) return;
        var close = new string('"', quotes);
        while (i < s.Length)
        {
            if (s[i] == '"' && verbatim && i + 1 < s.Length && s[i + 1] == '"') i += 2;
            else if (string.CompareOrdinal(s, i, close, 0, quotes) == 0) { i += quotes; return; }
            else if (s[i] == '\\' && !verbatim && quotes == 1) i += 2;
            else if (s[i] == '{' && dollars > 0)
            {
                var run = 0;
                while (i < s.Length && s[i] == '{') { run++; i++; }
                // In $"…" braces pair up as escaped braces and an odd one opens a hole; in $$"""…""" a run of at least $$'s count does.
                if (quotes == 1 ? run % 2 == 1 : run >= dollars) CopyCode(s, ref i, code, hole: true);
            }
            else i++;
        }
    }

    [GeneratedRegex(@"^\s*using\s+(?:static\s+)?SatSR\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex SatSRUsing();

    /// <summary>A type declared at a line's start: top level, as file-scoped namespaces leave it. A nested type is used through its outer type's name.</summary>
    [GeneratedRegex(@"^(?:(?:public|internal|file|static|sealed|abstract|readonly|partial|unsafe|ref)\s+)*(?:record\s+struct|record\s+class|class|record|struct|enum|interface|delegate\s+[^(;=]+?)\s+(?<name>[A-Za-z_]\w*)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();

    [GeneratedRegex(@"\b[A-Za-z_]\w*\b")]
    private static partial Regex Identifier();
}
