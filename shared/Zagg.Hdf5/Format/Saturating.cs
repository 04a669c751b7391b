namespace Zagg.Hdf5.Format;

/// <summary>
/// Unsigned 64-bit arithmetic that sticks at <see cref="ulong.MaxValue"/> instead of wrapping, for the size checks a
/// damaged file's dimensions, chunk counts and addresses must pass: any product or sum at or beyond 2^64 is larger
/// than every limit those checks compare against.
/// </summary>
/// <remarks>
/// Kept to plain <see cref="ulong"/> operations rather than <see cref="UInt128"/> or <c>Math.BigMul</c>: a method
/// whose body touches <see cref="UInt128"/> cannot be compiled ahead of time (crossgen2: "Abi unstable type
/// System.UInt128 ... requires runtime JIT"), and <c>Math.BigMul</c> inlined across modules brings an
/// instruction-set check (BMI2) that makes the runtime refuse the precompiled caller on this hardware. Either way every
/// granule open paid for compiling the header parsers at run time. These checks are off the hot path: a division is
/// cheap enough.
/// </remarks>
internal static class Saturating
{
    /// <summary><paramref name="a"/> × <paramref name="b"/>, or <see cref="ulong.MaxValue"/> when the product needs more than 64 bits.</summary>
    public static ulong Multiply(ulong a, ulong b) => a != 0 && b > ulong.MaxValue / a ? ulong.MaxValue : a * b;

    /// <summary><paramref name="a"/> + <paramref name="b"/>, or <see cref="ulong.MaxValue"/> when the sum needs more than 64 bits.</summary>
    public static ulong Add(ulong a, ulong b) => a + b >= a ? a + b : ulong.MaxValue;
}
