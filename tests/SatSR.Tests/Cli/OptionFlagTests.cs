using System.CommandLine;
using System.Reflection;
using SatSR.Cli;
using SatSR.Cli.Commands;
using Spectre.Console.Testing;

namespace SatSR.Tests.Cli;

/// <summary>The library names options in its own terms; the CLI has a flag for every one it can name.</summary>
public class OptionFlagTests
{
    public static TheoryData<string> OptionNames => new(
        typeof(OptionName).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => ((OptionName)f.GetValue(null)!).Name));

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void Every_option_the_library_names_is_spelt_as_a_flag_some_command_has(string name)
    {
        var option = (OptionName)typeof(OptionName).GetField(name)!.GetValue(null)!;
        Assert.Contains(CommonOptions.Flag(option), Flags(SatsrApp.Build(new TestConsole(), new TestConsole())));
    }

    /// <summary>The names and aliases of every option of every command, as System.CommandLine parses them.</summary>
    private static HashSet<string> Flags(Command command) =>
        [.. command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)), .. command.Subcommands.SelectMany(Flags)];
}
