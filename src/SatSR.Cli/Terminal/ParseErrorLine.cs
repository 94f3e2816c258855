using System.CommandLine;
using System.CommandLine.Parsing;

namespace SatSR.Cli.Terminal;

/// <summary>
/// A command line System.CommandLine could not parse, as the one line every other bad input gets (its own report is
/// several lines, .NET type names and the whole help). Shared with the trainer's program, which parses its own options.
/// </summary>
public static class ParseErrorLine
{
    /// <summary>The first parse error as "--option value: what was expected; satsr … --help lists the options", or null.</summary>
    public static string? For(ParseResult parse)
    {
        if (parse.Errors.Count == 0) return null;
        var error = parse.Errors[0];
        var option = error.SymbolResult switch
        {
            OptionResult o => o,
            ArgumentResult { Parent: OptionResult o } => o,
            _ => null,
        };
        var expected = option is null ? null : Expected(option.Option.ValueType);
        var text = expected is not null && option!.Tokens.Count > 0
            ? $"{option.Option.Name} {string.Join(" ", option.Tokens.Select(t => t.Value))}: expected {expected}"
            : string.Join(" ", error.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
        return $"{text}; {CommandPath(parse.CommandResult)} --help lists the options";
    }

    private static string? Expected(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsArray) t = t.GetElementType()!;
        if (t.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(t).Select(n => n.ToLowerInvariant()));
        if (t == typeof(int) || t == typeof(long)) return "a whole number";
        if (t == typeof(double) || t == typeof(float)) return "a number";
        return null;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c) names.Insert(0, c.Command is RootCommand root ? root.HelpName ?? root.Name : c.Command.Name);
        }
        return string.Join(" ", names);
    }
}
