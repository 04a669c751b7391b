namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// Arrays on the pinned object heap for the values of whole granule groups that several cells share (<see cref="GroupValues"/>),
/// kept when the last view of them is disposed and taken again by a later group of about the same size. Each new
/// pinned array counts against the collector's budget for large and pinned allocations, and in a sparse catalog those
/// allocations (~60 MB of group values and located ids) set off every full (gen 2) collection the run makes; a kept array
/// is neither a new allocation nor fresh pages. Up to <see cref="KeptBytes"/> are kept, all element types together; a kept
/// array serves a request of at least half its length (<see cref="KeptArrays.MaxOversize"/>).
/// </summary>
internal static class PinnedBuffers
{
    /// <summary>The bytes of arrays kept for later groups: 32 MiB.</summary>
    public const long KeptBytes = 32L << 20;

    private static readonly KeptArrays s_kept = new(KeptBytes);

    /// <summary>A pinned array of at least <paramref name="length"/> elements, not cleared: a kept one, else a new one.</summary>
    public static T[] Rent<T>(int length) where T : unmanaged
        => s_kept.Take<T>(length) ?? FreshPages.Allocate<T>(Math.Max(1, length), pinned: true);

    /// <summary>Keeps <paramref name="array"/> (from <see cref="Rent{T}"/>) for a later group, or leaves it to the collector.</summary>
    public static void Return<T>(T[] array) where T : unmanaged => s_kept.Put(array);

    /// <summary>The bytes kept now.</summary>
    public static long KeptNow => s_kept.KeptNow;
}
