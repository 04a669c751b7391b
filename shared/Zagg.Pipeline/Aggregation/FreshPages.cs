using System.Runtime.InteropServices;

namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// Maps a new array's pages in one system call before it is first written (Linux's <c>madvise(MADV_POPULATE_WRITE)</c>,
/// kernel 5.14 on), instead of one page fault per 4 KiB page as it is filled. On a Firecracker guest (this machine; AWS
/// Lambda) a first-touch fault costs ~11–16 µs; 64 MiB populated then written takes ~150 ms against ~290 ms written
/// alone (bench/e2e/README, "Fresh pages in one call"; `ZAGG_POPULATE=0` turns it off). The advice does not change the array's contents; pages already
/// mapped are left as they are. Elsewhere (another OS, an older kernel) it does nothing.
/// </summary>
internal static class FreshPages
{
    private const int MadvPopulateWrite = 23; // linux/mman.h
    private const int PageSize = 4096;

    /// <summary>Arrays smaller than this are left to fault page by page (the call would cost about what it saves).</summary>
    public const int MinBytes = 32 * 1024;

    // Off after the first refusal (a kernel without the advice: EINVAL), or where there is no madvise.
    private static volatile bool s_enabled = OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("ZAGG_POPULATE") != "0";

    /// <summary>A new array of <paramref name="length"/> elements, not cleared, its pages mapped at once (<see cref="Populate"/>).</summary>
    /// <param name="pinned">On the pinned object heap (an array that outlives many collections), else where the GC puts it.</param>
    public static T[] Allocate<T>(int length, bool pinned = false) where T : unmanaged
    {
        var array = GC.AllocateUninitializedArray<T>(length, pinned);
        Populate(array, length);
        return array;
    }

    /// <summary>Maps the whole pages inside <paramref name="array"/>'s first <paramref name="length"/> elements (at least <see cref="MinBytes"/>).</summary>
    public static unsafe void Populate<T>(T[] array, int length) where T : unmanaged
    {
        long bytes = (long)length * sizeof(T);
        if (!s_enabled || bytes < MinBytes) return;
        try
        {
            // Pinned for the call: a large-object-heap array could otherwise be moved by a compacting collection meanwhile.
            fixed (T* p = array)
            {
                nint start = (nint)p;
                nint first = (start + PageSize - 1) & ~(nint)(PageSize - 1);
                nint end = (start + (nint)bytes) & ~(nint)(PageSize - 1);
                if (end > first && madvise(first, (nuint)(end - first), MadvPopulateWrite) != 0 && Marshal.GetLastPInvokeError() == 22)
                    s_enabled = false; // EINVAL: the kernel does not know the advice
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { s_enabled = false; }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(nint address, nuint length, int advice);
}
