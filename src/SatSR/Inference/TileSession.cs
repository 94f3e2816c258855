using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SatSR.Models.Onnx;

namespace SatSR.Inference;

/// <summary>What an engine runs its tiles through: one ONNX Runtime session, or the sessions of a cut graph.</summary>
internal abstract class TileSession : IDisposable
{
    /// <summary>The graph's inputs (SatSR feeds one) with their dimensions, and its first output.</summary>
    public abstract IReadOnlyDictionary<string, NodeMetadata> Inputs { get; }

    public abstract string Output { get; }

    /// <summary>Runs <paramref name="input"/> into <paramref name="output"/>, or, without one, into a tensor of the caller's to dispose.</summary>
    public abstract OrtValue? Run(RunOptions run, OrtValue input, OrtValue? output);

    public abstract void Dispose();

    /// <summary>One session of the whole graph.</summary>
    public sealed class Whole(InferenceSession session) : TileSession
    {
        public override IReadOnlyDictionary<string, NodeMetadata> Inputs => session.InputMetadata;

        public override string Output => session.OutputMetadata.Keys.First();

        public override OrtValue? Run(RunOptions run, OrtValue input, OrtValue? output)
        {
            string[] inputs = [Inputs.Keys.Single()], outputs = [Output];
            if (output is not null)
            {
                session.Run(run, inputs, [input], outputs, [output]);
                return null;
            }
            return session.Run(run, inputs, [input], outputs)[0];
        }

        public override void Dispose() => session.Dispose();
    }

    /// <summary>
    /// A <see cref="CutGraph"/>: a session per segment, the lookups between them on the job's threads. The segments
    /// share one memory arena (the environment's; an arena per segment, each keeping its own peak, held several times
    /// the whole graph's memory in a prototype), and their idle threads sleep instead of spinning (a pool per session:
    /// dozens spinning on two cores made the tile slower than the whole graph).
    /// </summary>
    public sealed class Cut : TileSession
    {
        private readonly CutGraph _graph;
        private readonly InferenceSession?[] _sessions;
        private readonly SessionOptions _options;
        private readonly OrtAllocator? _arena;
        private readonly int _threads;

        public Cut(CutGraph graph, SessionOptions like, int threads)
        {
            _ = SharedArena.Value;
            _graph = graph;
            _threads = threads > 0 ? threads : Environment.ProcessorCount;
            // The sessions get what the whole graph's would have: the job's threads, or ONNX Runtime's default (its physical cores).
            _options = new SessionOptions { GraphOptimizationLevel = like.GraphOptimizationLevel, LogSeverityLevel = like.LogSeverityLevel };
            if (threads > 0) _options.IntraOpNumThreads = threads;
            _options.AddSessionConfigEntry("session.use_env_allocators", "1");
            _options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            _sessions = new InferenceSession?[graph.Steps.Count];
            try
            {
                for (var k = 0; k < graph.Steps.Count; k++)
                {
                    if (graph.Steps[k] is GraphSegment segment) _sessions[k] = new InferenceSession(segment.Model, _options);
                }
                using var cpu = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
                _arena = new OrtAllocator(_sessions.First(s => s is not null)!, cpu);
                // The graph's input as the segment that reads it first declares it (its shape kept, CutGraph).
                var first = _sessions.First(s => s is not null && s.InputMetadata.ContainsKey(graph.Input))!;
                Inputs = new Dictionary<string, NodeMetadata> { [graph.Input] = first.InputMetadata[graph.Input] };
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>
        /// The environment's CPU arena, registered once per process, that sessions with use_env_allocators share. It keeps
        /// what it grew to for the process's life (about one segment's working memory and the tensors between two
        /// segments), for the next int8 engine.
        /// </summary>
        private static readonly Lazy<bool> SharedArena = new(() =>
        {
            using var cpu = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
            using var defaults = new OrtArenaCfg(0, -1, -1, -1);
            OrtEnv.Instance().CreateAndRegisterAllocator(cpu, defaults);
            return true;
        });

        public override IReadOnlyDictionary<string, NodeMetadata> Inputs { get; }

        public override string Output => _graph.Output;

        public override OrtValue? Run(RunOptions run, OrtValue input, OrtValue? output)
        {
            var live = new Dictionary<string, OrtValue> { [_graph.Input] = input };
            var owned = new Dictionary<string, OrtValue>();
            try
            {
                for (var k = 0; k < _graph.Steps.Count; k++)
                {
                    switch (_graph.Steps[k])
                    {
                        case GraphSegment segment:
                            var values = segment.Inputs.Select(t => live[t]).ToArray();
                            if (output is not null && segment.Outputs is [var only] && only == _graph.Output)
                            {
                                _sessions[k]!.Run(run, [.. segment.Inputs], values, [only], [output]);
                                live[only] = output;
                                break;
                            }
                            var results = _sessions[k]!.Run(run, [.. segment.Inputs], values, [.. segment.Outputs]);
                            for (var i = 0; i < results.Count; i++) live[segment.Outputs[i]] = owned[segment.Outputs[i]] = results[i];
                            break;
                        case TableLookup lookup:
                            live[lookup.Output] = owned[lookup.Output] = Apply(lookup, live[lookup.Input]);
                            break;
                    }
                    foreach (var t in _graph.Steps[k].Release)
                    {
                        live.Remove(t);
                        if (owned.Remove(t, out var value)) value.Dispose();
                    }
                }
                if (output is not null)
                {
                    // A graph whose output a segment makes with others: copied into the caller's tensor.
                    if (!ReferenceEquals(live[_graph.Output], output)) live[_graph.Output].GetTensorDataAsSpan<float>().CopyTo(output.GetTensorMutableDataAsSpan<float>());
                    return null;
                }
                owned.Remove(_graph.Output, out var result);
                return result;
            }
            finally
            {
                foreach (var value in owned.Values) value.Dispose();
            }
        }

        private unsafe OrtValue Apply(TableLookup lookup, OrtValue x)
        {
            var shape = x.GetTensorTypeAndShape().Shape;
            var y = OrtValue.CreateAllocatedTensorValue(_arena!, TensorElementType.UInt8, shape);
            var planes = (int)(shape[0] * shape[1]);
            var plane = (int)(x.GetTensorTypeAndShape().ElementCount / planes);
            // Spans do not cross into the parallel body; the tensors stay put until disposed.
            fixed (byte* from = x.GetTensorDataAsSpan<byte>(), to = y.GetTensorMutableDataAsSpan<byte>())
            {
                nint source = (nint)from, target = (nint)to;
                Parallel.For(0, planes, new ParallelOptions { MaxDegreeOfParallelism = _threads }, p =>
                    lookup.Apply(p % lookup.Channels, new ReadOnlySpan<byte>((byte*)source + (long)p * plane, plane), new Span<byte>((byte*)target + (long)p * plane, plane)));
            }
            return y;
        }

        public override void Dispose()
        {
            _arena?.Dispose();
            foreach (var s in _sessions) s?.Dispose();
            _options.Dispose();
        }
    }
}
