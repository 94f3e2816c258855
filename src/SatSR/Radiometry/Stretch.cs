namespace SatSR.Radiometry;

/// <summary>How values of data other than 8-bit (and without a declared bit depth) map to the network's 0..1.</summary>
public enum Stretch
{
    /// <summary>From 0 to the top of the bit depth the valid values need (content-independent; see BandRanges.DepthRange).</summary>
    BitDepth,

    /// <summary>The image's own 0.1 and 99.9 percentiles: more contrast for the network, but each scene its own mapping.</summary>
    Percentile,
}
