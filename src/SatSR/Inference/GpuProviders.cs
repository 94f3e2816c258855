using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using SatSR.Models.Zoo;

namespace SatSR.Inference;

/// <summary>
/// The CUDA and TensorRT providers of SatSR's GPU build (SATSR_GPU=1, Microsoft.ML.OnnxRuntime.Gpu.Linux). That
/// build lists them whether or not the machine has CUDA: the CUDA libraries are only loaded when a session asks.
/// </summary>
internal static class GpuProviders
{
    /// <summary>Where TensorRT keeps the engines it builds (minutes for a deep network), beside the model zoo's cache.</summary>
    public static string EngineCache => Path.Combine(ModelZoo.DefaultCacheDirectory, "tensorrt");

    /// <summary>
    /// What the GPU package's providers link against (readelf -d of libonnxruntime_providers_cuda.so and _tensorrt.so,
    /// ONNX Runtime 1.31), in the order a missing one is best reported: the driver, the CUDA 13 runtime and cuDNN 9.
    /// </summary>
    private static readonly string[] CudaLibraries =
        ["libcuda.so.1", "libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcurand.so.10", "libcudnn.so.9"];
    private static readonly string[] TensorRtLibraries = ["libnvinfer.so.10", "libnvonnxparser.so.10"];

    /// <summary>Adds the CUDA provider; false, with the library that is missing, when the machine lacks one.</summary>
    public static bool TryAddCuda(SessionOptions options, out string problem)
    {
        // Probed here: ONNX Runtime's own failure is a generic line, with the library's name only in its log.
        if (!Loadable(CudaLibraries, out problem)) return false;
        options.AppendExecutionProvider_CUDA(0);
        return true;
    }

    /// <summary>TensorRT first (fp16 engines with <paramref name="fp16"/>), CUDA for what TensorRT does not take.</summary>
    public static bool TryAddTensorRt(SessionOptions options, bool fp16, out string problem)
    {
        if (!Loadable([.. CudaLibraries, .. TensorRtLibraries], out problem)) return false;
        Directory.CreateDirectory(EngineCache);
        using var trt = new OrtTensorRTProviderOptions();
        trt.UpdateOptions(new Dictionary<string, string>
        {
            ["device_id"] = "0",
            ["trt_engine_cache_enable"] = "1",
            ["trt_engine_cache_path"] = EngineCache,
            ["trt_fp16_enable"] = fp16 ? "1" : "0",
        });
        options.AppendExecutionProvider_Tensorrt(trt);
        return TryAddCuda(options, out problem);
    }

    /// <summary>True when the machine has the libraries the CUDA provider needs.</summary>
    public static bool CudaLoads() => Loadable(CudaLibraries, out _);

    private static bool Loadable(string[] libraries, out string problem)
    {
        foreach (var library in libraries)
        {
            if (!NativeLibrary.TryLoad(library, out var handle))
            {
                problem = library == "libcuda.so.1" ? "libcuda.so.1 is missing (no NVIDIA driver)" : $"{library} is missing";
                return false;
            }
            NativeLibrary.Free(handle);
        }
        problem = "";
        return true;
    }
}
