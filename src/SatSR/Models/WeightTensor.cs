namespace SatSR.Models;

/// <summary>
/// One weight tensor as float32 in row-major (C) order, whatever precision and layout the file stored it in.
/// <see cref="Shape"/> is empty for a scalar.
/// </summary>
public sealed record WeightTensor(float[] Data, long[] Shape)
{
    public int Rank => Shape.Length;

    /// <summary>The shape as PyTorch prints it, for messages: <c>[64, 3, 3, 3]</c>.</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}
