using System.Buffers.Binary;
using System.Text;

namespace SatSR.Models.Pth;

/// <summary>
/// Reads a pickle's opcodes without running any, and refuses it if it names a global (a callable) outside the
/// allow-list. Unpickling can call only what globals name, so checking every way a pickle names one (GLOBAL,
/// INST, STACK_GLOBAL, and the copyreg extension codes, refused outright) is enough to keep REDUCE, BUILD,
/// NEWOBJ and OBJ from reaching anything else.
/// </summary>
/// <remarks>
/// STACK_GLOBAL takes its module and name from the stack. Rather than model the whole stack, the scanner keeps the
/// strings pushed since the last opcode that changed the stack otherwise; memo puts, FRAME and PROTO leave it as
/// it is, and memo gets of strings count as pushes. If the two operands are not both such strings, the global
/// cannot be told and the pickle is refused. Text-form strings (STRING, UNICODE) with escapes are not decoded, so
/// they never resolve: the scanner must not read a name differently from the unpickler.
/// </remarks>
internal ref struct PickleScanner(ReadOnlySpan<byte> pickle, string file, IReadOnlySet<string> allowed)
{
    private readonly ReadOnlySpan<byte> _pickle = pickle;
    private readonly List<string> _strings = [];              // strings on top of the stack, top last
    private readonly Dictionary<int, string?> _memo = [];     // memo slot → its string, null for anything else
    private int _at;

    public void Check()
    {
        while (true)
        {
            var op = Bytes(1)[0];
            switch (op)
            {
                case (byte)'.': return;                                            // STOP
                case (byte)'c' or (byte)'i':                                       // GLOBAL, INST: "module\nname\n"
                    Allow(Utf8(Line()), Utf8(Line()));
                    _strings.Clear();
                    break;
                case 0x93:                                                         // STACK_GLOBAL
                    if (_strings.Count < 2)
                        throw Refuse("a STACK_GLOBAL whose module and name cannot be told before unpickling");
                    Allow(_strings[^2], _strings[^1]);
                    _strings.Clear();
                    break;
                case 0x82 or 0x83 or 0x84:                                         // EXT1, EXT2, EXT4
                    throw Refuse("a copyreg extension code (EXT1/EXT2/EXT4)");

                case 0x8c: Push(Utf8(Bytes(Bytes(1)[0]))); break;                  // SHORT_BINUNICODE
                case (byte)'X': Push(Utf8(Bytes(Length(4)))); break;               // BINUNICODE
                case 0x8d: Push(Utf8(Bytes(Length(8)))); break;                    // BINUNICODE8
                case (byte)'U': Push(Encoding.Latin1.GetString(Bytes(Bytes(1)[0]))); break;  // SHORT_BINSTRING
                case (byte)'T': Push(Encoding.Latin1.GetString(Bytes(Length(4)))); break;    // BINSTRING
                case (byte)'V': Push(Unescaped(Line())); break;                    // UNICODE
                case (byte)'S':                                                    // STRING: a quoted repr
                    var quoted = Line();
                    Push(quoted.Length >= 2 && quoted[0] == quoted[^1] && quoted[0] is (byte)'\'' or (byte)'"' ? Unescaped(quoted[1..^1]) : null);
                    break;

                case (byte)'h': Push(_memo.GetValueOrDefault(Bytes(1)[0])); break; // BINGET
                case (byte)'j': Push(_memo.GetValueOrDefault(MemoIndex4())); break; // LONG_BINGET
                case (byte)'g': Push(MemoIndex() is { } g ? _memo.GetValueOrDefault(g) : null); break; // GET
                case (byte)'q': _memo[Bytes(1)[0]] = Top(); break;                 // BINPUT
                case (byte)'r': _memo[MemoIndex4()] = Top(); break;                // LONG_BINPUT
                case (byte)'p': if (MemoIndex() is { } p) _memo[p] = Top(); break; // PUT
                case 0x94: _memo[_memo.Count] = Top(); break;                      // MEMOIZE
                case 0x95: Bytes(8); break;                                        // FRAME
                case 0x80: Bytes(1); break;                                        // PROTO

                default:
                    SkipArgument(op);
                    _strings.Clear();
                    break;
            }
        }
    }

    /// <summary>Opcodes that push no name: only their argument is skipped.</summary>
    private void SkipArgument(byte op)
    {
        switch (op)
        {
            case (byte)'K': Bytes(1); break;                                       // BININT1
            case (byte)'M': Bytes(2); break;                                       // BININT2
            case (byte)'J': Bytes(4); break;                                       // BININT
            case (byte)'G': Bytes(8); break;                                       // BINFLOAT
            case 0x8a: Bytes(Bytes(1)[0]); break;                                  // LONG1
            case 0x8b: Bytes(Length(4)); break;                                    // LONG4
            case (byte)'C': Bytes(Bytes(1)[0]); break;                             // SHORT_BINBYTES
            case (byte)'B': Bytes(Length(4)); break;                               // BINBYTES
            case 0x8e or 0x96: Bytes(Length(8)); break;                            // BINBYTES8, BYTEARRAY8
            case (byte)'I' or (byte)'L' or (byte)'F' or (byte)'P': Line(); break;  // INT, LONG, FLOAT, PERSID
            case (byte)'(' or (byte)'0' or (byte)'1' or (byte)'2' or (byte)'N' or (byte)'Q' or (byte)'R' or (byte)'a'
                or (byte)'b' or (byte)'d' or (byte)'}' or (byte)'e' or (byte)'l' or (byte)']' or (byte)'o' or (byte)'s'
                or (byte)'t' or (byte)')' or (byte)'u' or 0x81 or 0x85 or 0x86 or 0x87 or 0x88 or 0x89 or 0x8f or 0x90
                or 0x91 or 0x92 or 0x97 or 0x98:
                break;                                                             // no argument
            default:
                throw new ModelException($"{file}: the pickle has an unknown opcode 0x{op:x2} at byte {_at - 1}");
        }
    }

    private void Allow(string module, string name)
    {
        var global = $"{module}.{name}";
        if (!allowed.Contains(global)) throw Refuse($"the forbidden global '{global}'");
    }

    private readonly ModelException Refuse(string what) =>
        new($"{file}: refused: the pickle calls {what} (SatSR loads only tensor checkpoints)");

    private void Push(string? s)
    {
        if (s is null) _strings.Clear();
        else _strings.Add(s);
    }

    private readonly string? Top() => _strings.Count > 0 ? _strings[^1] : null;

    private ReadOnlySpan<byte> Bytes(long count)
    {
        if (count < 0 || count > _pickle.Length - _at) throw new ModelException($"{file}: the pickle is truncated at byte {_at}");
        var span = _pickle.Slice(_at, (int)count);
        _at += (int)count;
        return span;
    }

    private long Length(int size) => size == 4
        ? BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4))
        : BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));

    private ReadOnlySpan<byte> Line()
    {
        var end = _pickle[_at..].IndexOf((byte)'\n');
        if (end < 0) throw new ModelException($"{file}: the pickle is truncated at byte {_at}");
        var line = Bytes(end);
        _at++;
        return line;
    }

    // Memo slots are numbered as Razorvine numbers them (signed 32-bit, text parsed by int.Parse), so that the
    // scanner and the unpickler can never disagree about which slot a get reads.
    private int MemoIndex4() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

    private int? MemoIndex() => int.TryParse(Encoding.Latin1.GetString(Line()), out var i) ? i : null;

    private static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    // Escapes are where two decoders could disagree; a name with one does not resolve (see remarks).
    private static string? Unescaped(ReadOnlySpan<byte> text) => text.Contains((byte)'\\') ? null : Encoding.Latin1.GetString(text);
}
