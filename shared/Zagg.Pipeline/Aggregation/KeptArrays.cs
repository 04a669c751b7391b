namespace Zagg.Pipeline.Aggregation;

/// <summary>
/// Long arrays given back, kept for a later request within a byte budget (all element types together): a request takes
/// the shortest kept array of at least its length and at most <see cref="MaxOversize"/> times it. Thread-safe. Used where
/// a new array would be fresh memory the collector must account for (<see cref="CellBuffers"/>, <see cref="PinnedBuffers"/>).
/// </summary>
/// <param name="budget">The most bytes kept at once.</param>
internal sealed class KeptArrays(long budget)
{
    /// <summary>A kept array serves a request of at least 1/<see cref="MaxOversize"/> of its length.</summary>
    public const int MaxOversize = 2;

    private readonly Dictionary<Type, object> _lists = [];
    private long _bytes;

    /// <summary>The most bytes kept at once.</summary>
    public long Budget => budget;

    /// <summary>The bytes kept now.</summary>
    public long KeptNow => Interlocked.Read(ref _bytes);

    /// <summary>The shortest kept array of at least <paramref name="length"/> elements and at most <see cref="MaxOversize"/> times that, or null.</summary>
    public T[]? Take<T>(int length) where T : unmanaged
    {
        var list = ListOf<T>();
        lock (list)
        {
            int best = -1;
            for (int i = 0; i < list.Count; i++)
            {
                int n = list[i].Length;
                if (n >= length && n / MaxOversize <= length && (best < 0 || n < list[best].Length)) best = i;
            }
            if (best < 0) return null;
            var array = list[best];
            list.RemoveAt(best);
            Interlocked.Add(ref _bytes, -Bytes(array));
            return array;
        }
    }

    /// <summary>Keeps <paramref name="array"/> when the budget has room for it, else leaves it to the collector.</summary>
    public void Put<T>(T[] array) where T : unmanaged
    {
        long bytes = Bytes(array);
        var list = ListOf<T>();
        lock (list)
        {
            // The budget is shared with the other element types' lists (each under its own lock).
            for (long kept; ;)
            {
                kept = Interlocked.Read(ref _bytes);
                if (kept + bytes > budget) return;
                if (Interlocked.CompareExchange(ref _bytes, kept + bytes, kept) == kept) break;
            }
            list.Add(array);
        }
    }

    private static long Bytes<T>(T[] array) where T : unmanaged => (long)array.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    private List<T[]> ListOf<T>()
    {
        lock (_lists)
        {
            if (!_lists.TryGetValue(typeof(T), out var list)) _lists[typeof(T)] = list = new List<T[]>();
            return (List<T[]>)list;
        }
    }
}
