namespace Zagg.Hdf5.Format;

/// <summary>
/// Unsigned 64-bit arithmetic that sticks at <see cref="ulong.MaxValue"/> instead of wrapping, for the size checks a
/// damaged file's dimensions, chunk counts and addresses must pass: any product or sum at or beyond 2^64 is larger
/// than every limit those checks compare against.
/// </summary>
/// <remarks>
/// Kept to <see cref="ulong"/> (and <see cref="Math.BigMul(ulong, ulong, out ulong)"/>) rather than
/// <see cref="UInt128"/>: a method whose body touches <see cref="UInt128"/> cannot be compiled ahead of time
/// (crossgen2: "Abi unstable type System.UInt128 ... requires runtime JIT"), so every granule open paid for
/// compiling the header parsers at run time.
/// </remarks>
internal static class Saturating
{
    /// <summary><paramref name="a"/> × <paramref name="b"/>, or <see cref="ulong.MaxValue"/> when the product needs more than 64 bits.</summary>
    public static ulong Multiply(ulong a, ulong b) => Math.BigMul(a, b, out ulong low) == 0 ? low : ulong.MaxValue;

    /// <summary><paramref name="a"/> + <paramref name="b"/>, or <see cref="ulong.MaxValue"/> when the sum needs more than 64 bits.</summary>
    public static ulong Add(ulong a, ulong b) => a + b >= a ? a + b : ulong.MaxValue;
}
