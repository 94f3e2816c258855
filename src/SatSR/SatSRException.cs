namespace SatSR;

/// <summary>Root of every failure the library reports. The CLI prints <see cref="Exception.Message"/> as one line.</summary>
public class SatSRException : Exception
{
    public SatSRException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The caller asked for something impossible (bad option values, unsupported input shape…).</summary>
public sealed class InvalidOptionsException(string message) : SatSRException(message);
