using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SatSR.Tests.Models;

/// <summary>Runs a model graph once on the CPU: "input" NCHW → "output".</summary>
internal static class OnnxRunner
{
    public static DenseTensor<float> Run(byte[] model, DenseTensor<float> input)
    {
        using var session = new InferenceSession(model);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        var output = results.Single(r => r.Name == "output").AsTensor<float>();
        return new DenseTensor<float>(output.ToArray(), output.Dimensions);
    }
}
