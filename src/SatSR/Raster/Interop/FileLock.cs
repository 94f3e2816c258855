using System.Runtime.InteropServices;

namespace SatSR.Raster.Interop;

/// <summary>
/// An exclusive advisory lock (flock) on a file of its own, held until disposed, when the file is removed. The kernel
/// drops it when the process dies, however it dies, so a killed run never blocks the next. Over NFS, Linux maps flock
/// to byte-range locks the server holds, so copies on two machines exclude each other too (Lustre: its flock mount option).
/// </summary>
internal sealed partial class FileLock : IDisposable
{
    private readonly string _path;
    private int _fd;

    private FileLock(string path, int fd) => (_path, _fd) = (path, fd);

    /// <summary>The lock on <paramref name="path"/>, made if missing; null when another process (or handle) holds it.</summary>
    public static FileLock? TryTake(string path)
    {
        // Retried when the file was removed (its holder ending) between our open and our lock: a lock on a removed
        // file would guard nothing, as the next run makes a new one.
        for (var attempt = 0; ; attempt++)
        {
            var fd = Open(path, OReadWrite | OCreate | OCloseOnExec, 0b110_100_100);   // rw-r--r--
            if (fd < 0) throw new IOException($"cannot open {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            if (Flock(fd, LockExclusive | LockNonBlocking) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                _ = Close(fd);
                if (errno == EWouldBlock) return null;
                throw new IOException($"cannot lock {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
            if (SameFile(fd, path)) return new FileLock(path, fd);
            _ = Close(fd);
            if (attempt == 100) throw new IOException($"cannot lock {path}: it is removed and made again without end");
        }
    }

    /// <summary>Removes the file while still holding it (so no one locks it in between), then lets go.</summary>
    public void Dispose()
    {
        if (_fd < 0) return;
        _ = Unlink(_path);
        _ = Close(_fd);
        _fd = -1;
    }

    private static bool SameFile(int fd, string path)
    {
        // struct stat begins with st_dev and st_ino (two 64-bit words) on Linux's 64-bit ABIs; the buffer is larger than any.
        Span<ulong> held = stackalloc ulong[32], named = stackalloc ulong[32];
        return FStat(fd, ref held[0]) == 0 && Stat(path, ref named[0]) == 0 && held[0] == named[0] && held[1] == named[1];
    }

    private const int OReadWrite = 2, OCreate = 0x40, OCloseOnExec = 0x80000;
    private const int LockExclusive = 2, LockNonBlocking = 4, EWouldBlock = 11;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static partial int FStat(int fd, ref ulong buffer);

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Stat(string path, ref ulong buffer);

    [LibraryImport("libc", EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Unlink(string path);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
