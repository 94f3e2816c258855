using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using SatSR.Geometry;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;

namespace SatSR.Tests;

/// <summary>
/// The library has no command line: its messages name options as its API does (the properties of its options records),
/// and its exceptions carry the option and value at fault, for the CLI, the QGIS plugin or a server to word as they like.
/// </summary>
public partial class LibraryTermsTests
{
    [Fact]
    public void No_string_literal_in_the_library_names_a_cli_flag()
    {
        var root = LayeringTests.SourceRoot();
        var flags = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => StringLiterals(File.ReadAllText(f)).Where(l => Flag().IsMatch(l)).Select(l => $"{Path.GetRelativePath(root, f)}: \"{l}\""))
            .ToList();
        Assert.Empty(flags);
    }

    [Fact]
    public void The_scan_sees_every_kind_of_literal_and_no_comment()
    {
        const string source = """"
            // "--a" in a line comment
            /* "--b" in a block comment */
            var c = "--c \" still c";
            var d = $"{Join(", ", x)} --d {{braces}}";
            var e = @"--e "" still e";
            var f = $$"""--f {{g("--g")}}""";
            var h = '"'; var i = "--i";
            """";
        Assert.Equal(["--c \\\" still c", ", ", " --d {{braces}}", "--e \"\" still e", "--f ", "--g", "--i"], StringLiterals(source));
    }

    [Fact]
    public void A_refused_tile_size_carries_its_option_and_value()
    {
        var e = Assert.Throws<InvalidOptionsException>(() => (TestModels.GeneralX4OnCpu("in.tif", "out.tif") with { TileSize = -1 }).Validate());
        Assert.Equal((nameof(UpscaleOptions.TileSize), -1), (e.Option?.Name, e.Value));
        Assert.Equal("TileSize must be positive (got -1)", e.Message);
    }

    [Fact]
    public void Two_options_that_exclude_each_other_are_both_named_and_spelt_as_the_caller_asks()
    {
        var e = Assert.Throws<InvalidOptionsException>(() => (TestModels.GeneralX4OnCpu("in.tif", "out.tif") with { Scale = 2, OutScale = 2.5 }).Validate());
        Assert.Equal([nameof(UpscaleOptions.Scale), nameof(UpscaleOptions.OutScale)], e.Options.Select(o => o.Name));
        Assert.Equal("Scale and OutScale cannot be combined; give one of them", e.Message);
        Assert.Equal("<Scale> and <OutScale> cannot be combined; give one of them", e.Describe(o => $"<{o.Name}>"));
    }

    [Fact]
    public void A_refused_evaluation_region_carries_the_region()
    {
        var region = new Window(-1, 0, 8, 8);
        var e = Assert.Throws<InvalidOptionsException>(() => new EvaluationOptions { ReferencePath = "hr.tif", Model = TestModels.GeneralX4, Region = region }.Validate());
        Assert.Equal((nameof(EvaluationOptions.Region), (object)region), (e.Option?.Name, e.Value));
    }

    [Fact]
    public void Every_option_name_is_a_property_of_an_options_record_or_a_parameter()
    {
        var library = typeof(SatSRException).Assembly.GetExportedTypes();
        var properties = library.Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal)).SelectMany(t => t.GetProperties()).Select(p => p.Name);
        var parameters = library.SelectMany(t => t.GetMethods()).SelectMany(m => m.GetParameters()).Select(p => p.Name ?? "");
        var known = properties.Concat(parameters).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var names = typeof(OptionName).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => ((OptionName)f.GetValue(null)!).Name).ToList();
        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.Contains(n, known));
    }

    /// <summary>
    /// The text of every string literal in C# source, comments skipped: regular, verbatim, raw and interpolated
    /// (the text between its holes; the literals inside a hole are literals too).
    /// </summary>
    private static List<string> StringLiterals(string source)
    {
        var literals = new List<string>();
        var i = 0;
        Code(source, ref i, literals, closing: null);
        return literals;
    }

    /// <summary>Code up to <paramref name="closing"/> (the end of a hole) or the end of the source.</summary>
    private static void Code(string s, ref int i, List<string> literals, string? closing)
    {
        var depth = 0;
        while (i < s.Length)
        {
            if (closing is not null && depth == 0 && string.CompareOrdinal(s, i, closing, 0, closing.Length) == 0)
            {
                i += closing.Length;
                return;
            }
            var c = s[i];
            if (c == '/' && At(s, i + 1, '/')) i = s.IndexOf('\n', i) is var end and >= 0 ? end : s.Length;
            else if (c == '/' && At(s, i + 1, '*')) i = s.IndexOf("*/", i + 2, StringComparison.Ordinal) + 2;
            else if (c == '\'') i = s.IndexOf('\'', i + (At(s, i + 1, '\\') ? 3 : 2)) + 1;
            else if (c is '"' or '$' or '@') Literal(s, ref i, literals);
            else
            {
                if (c == '{') depth++;
                if (c == '}') depth--;
                i++;
            }
        }
    }

    /// <summary>Reads the literal starting at <paramref name="i"/>, or steps over a $ or @ that starts none (@class).</summary>
    private static void Literal(string s, ref int i, List<string> literals)
    {
        var start = i;
        var dollars = 0;
        var verbatim = false;
        for (; i < s.Length && s[i] is '$' or '@'; i++)
        {
            if (s[i] == '$') dollars++;
            else verbatim = true;
        }
        var quotes = 0;
        while (i + quotes < s.Length && s[i + quotes] == '"') quotes++;
        if (quotes == 0)
        {
            i = start + 1;
            return;
        }
        // Three quotes or more open a raw literal; two are an empty regular (or verbatim) one.
        var raw = quotes >= 3;
        var closing = raw ? new string('"', quotes) : "\"";
        i += raw ? quotes : 1;
        var holeOpen = new string('{', Math.Max(1, dollars));
        var text = new StringBuilder();
        while (i < s.Length)
        {
            if (!raw && !verbatim && s[i] == '\\')
            {
                text.Append(s, i, 2);
                i += 2;
            }
            else if (!raw && verbatim && string.CompareOrdinal(s, i, "\"\"", 0, 2) == 0)
            {
                text.Append("\"\"");
                i += 2;
            }
            else if (string.CompareOrdinal(s, i, closing, 0, closing.Length) == 0)
            {
                i += closing.Length;
                break;
            }
            else if (dollars > 0 && !raw && string.CompareOrdinal(s, i, "{{", 0, 2) == 0)
            {
                text.Append("{{");
                i += 2;
            }
            else if (dollars > 0 && string.CompareOrdinal(s, i, holeOpen, 0, holeOpen.Length) == 0)
            {
                if (text.Length > 0) literals.Add(text.ToString());
                text.Clear();
                i += holeOpen.Length;
                Code(s, ref i, literals, closing: new string('}', holeOpen.Length));
            }
            else text.Append(s[i++]);
        }
        if (text.Length > 0) literals.Add(text.ToString());
    }

    private static bool At(string s, int i, char c) => i < s.Length && s[i] == c;

    [GeneratedRegex("--[a-z]")]
    private static partial Regex Flag();
}
