using System.Globalization;
using System.Runtime.CompilerServices;

namespace SatSR;

/// <summary>
/// Root of every failure the library reports. <see cref="Exception.Message"/> is in the library's terms; a front end
/// that spells options its own way (the CLI's flags) prints <see cref="Describe"/> instead, as one line.
/// </summary>
public class SatSRException : Exception
{
    // The message as written, its holes unformatted: the options it names can be spelt again.
    private readonly FormattableString? _text;

    public SatSRException(string message, Exception? inner = null) : base(message, inner) { }

    /// <param name="message">holes of type <see cref="OptionName"/> name the options concerned</param>
    // Preferred over the string overload, which would format every hole at once: an interpolated message keeps its options.
    // Numbers are formatted invariantly, as the CLI prints them: a message reads the same on every machine.
    [OverloadResolutionPriority(1)]
    public SatSRException(FormattableString message, Exception? inner = null) : base(FormattableString.Invariant(message), inner)
    {
        _text = message;
        Options = [.. message.GetArguments().OfType<OptionName>().Distinct()];
    }

    /// <summary>The options the message names, in order: the one at fault first, then any it is weighed against or advised.</summary>
    public IReadOnlyList<OptionName> Options { get; } = [];

    /// <summary>The message with each option in <see cref="Options"/> written as <paramref name="spell"/> spells it.</summary>
    public string Describe(Func<OptionName, string> spell) => _text is null
        ? Message
        : string.Format(CultureInfo.InvariantCulture, _text.Format, [.. _text.GetArguments().Select(a => a is OptionName o ? spell(o) : a)]);
}

/// <summary>The caller asked for something impossible (bad option values, unsupported input shape…).</summary>
public sealed class InvalidOptionsException : SatSRException
{
    public InvalidOptionsException(string message) : base(message) { }

    /// <param name="value">the value of <see cref="Option"/> that is refused</param>
    // As SatSRException's: an interpolated message keeps its options.
    [OverloadResolutionPriority(1)]
    public InvalidOptionsException(FormattableString message, object? value = null) : base(message) => Value = value;

    /// <summary>The option at fault; null when the problem is not an option's (a path, the input's shape).</summary>
    public OptionName? Option => Options.Count > 0 ? Options[0] : null;

    /// <summary>The refused value of <see cref="Option"/>, where one value is at fault.</summary>
    public object? Value { get; }
}
