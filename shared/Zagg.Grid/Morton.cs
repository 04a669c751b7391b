using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Zagg.Grid;

/// <summary>
/// Morton words: a NESTED HEALPix cell at order k (1–18) written as decimal digits — the base
/// cell digit, then one digit 1–4 per level (the 2-bit child index + 1), most significant level
/// first. Northern base cells 0–5 are positive with leading digit base+1; southern base cells
/// 6–11 are negative with leading digit base−5. Example: −6134114 is base cell 11 at order 6
/// with child indices 0,2,3,0,0,3.
/// </summary>
public static class Morton
{
    public const int MinOrder = 1;
    public const int MaxOrder = 18;

    private static readonly long[] PowersOfTen = BuildPowersOfTen();

    // Four levels (one byte of NESTED bits, most significant level in the high bits) → four digits.
    private static readonly short[] FourLevels = BuildFourLevels();

    /// <summary>The morton word of a NESTED cell at an order in [1, 18].</summary>
    public static long FromNested(long nested, int order)
    {
        if (order < MinOrder || order > MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"morton words exist for orders {MinOrder}–{MaxOrder}");
        HealpixNested.CheckCell(order, nested);
        return FromNestedUnchecked(nested, order);
    }

    /// <summary><see cref="FromNested"/> without argument checks, for validated hot loops.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long FromNestedUnchecked(long nested, int order)
    {
        int shift = 2 * order;
        long face = nested >> shift;
        bool south = face >= 6;
        long word = south ? face - 5 : face + 1;
        int level = 0;
        int lead = order & 3;
        for (; level < lead; level++)
        {
            shift -= 2;
            word = word * 10 + ((nested >> shift) & 3) + 1;
        }
        for (; level < order; level += 4)
        {
            shift -= 8;
            word = word * 10000 + FourLevels[(int)((nested >> shift) & 0xFF)];
        }
        return south ? -word : word;
    }

    /// <summary>The NESTED id and order of a morton word.</summary>
    public static long ToNested(long word, out int order)
    {
        if (!TryToNested(word, out long nested, out order, out string? error))
            throw new FormatException(error);
        return nested;
    }

    /// <summary>Decodes a morton word, or says why it is not one.</summary>
    public static bool TryToNested(long word, out long nested, out int order, [NotNullWhen(false)] out string? error)
    {
        nested = 0;
        order = 0;
        if (word == 0) { error = "0 is not a morton word"; return false; }
        if (word == long.MinValue) { error = $"{word} is not a morton word: too many digits"; return false; }
        long magnitude = Math.Abs(word);
        int digits = DigitCount(magnitude);
        order = digits - 1;
        if (order < MinOrder || order > MaxOrder)
        {
            error = order < MinOrder
                ? $"morton word {word} has no level digits (orders are {MinOrder}–{MaxOrder})"
                : $"morton word {word} has order {order}; the finest is {MaxOrder}";
            return false;
        }
        long pow = PowersOfTen[order];
        long lead = magnitude / pow;
        if (lead < 1 || lead > 6)
        {
            error = $"morton word {word} has leading digit {lead}; it must be 1–6";
            return false;
        }
        long face = word < 0 ? lead + 5 : lead - 1;
        long bits = 0;
        long rest = magnitude - lead * pow;
        for (int level = 1; level <= order; level++)
        {
            pow /= 10;
            long digit = rest / pow;
            rest -= digit * pow;
            if (digit < 1 || digit > 4)
            {
                error = $"morton word {word} has digit {digit} at level {level}; level digits must be 1–4";
                return false;
            }
            bits = (bits << 2) | (digit - 1);
        }
        nested = (face << (2 * order)) | bits;
        error = null;
        return true;
    }

    /// <summary>Throws a <see cref="FormatException"/> naming what is wrong unless the word is valid.</summary>
    public static void Validate(long word) => ToNested(word, out _);

    public static bool IsValid(long word) => TryToNested(word, out _, out _, out _);

    /// <summary>The order of a morton word (its digit count − 1).</summary>
    public static int OrderOf(long word)
    {
        ToNested(word, out int order);
        return order;
    }

    /// <summary>The word of the ancestor at a coarser order (integer division keeping the sign).</summary>
    public static long Clip(long word, int order)
    {
        int current = OrderOf(word);
        if (order < MinOrder || order > current)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"cannot clip an order-{current} word to order {order}; the order must be in [{MinOrder}, {current}]");
        return word / PowersOfTen[current - order];
    }

    /// <summary>The parent of a word (one order coarser).</summary>
    public static long Parent(long word)
    {
        int current = OrderOf(word);
        if (current == MinOrder)
            throw new ArgumentOutOfRangeException(nameof(word), word, "an order-1 word has no parent morton word");
        return word / 10;
    }

    /// <summary>Number of descendants a word has at <paramref name="childOrder"/>.</summary>
    public static int ChildCount(long word, int childOrder)
    {
        int current = OrderOf(word);
        CheckChildOrder(current, childOrder);
        long n = 1L << (2 * (childOrder - current));
        if (n > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(childOrder), childOrder, "too many children to list");
        return (int)n;
    }

    /// <summary>
    /// The 4^(childOrder − order) descendants of a word at <paramref name="childOrder"/>, in
    /// NESTED order (consecutive NESTED ids).
    /// </summary>
    public static void Children(long word, int childOrder, Span<long> destination)
    {
        long nested = ToNested(word, out int order);
        CheckChildOrder(order, childOrder);
        int depth = childOrder - order;
        long count = 1L << (2 * depth);
        if (destination.Length < count)
            throw new ArgumentException($"destination needs room for {count} words", nameof(destination));
        long first = nested << (2 * depth);
        for (long i = 0; i < count; i++)
            destination[(int)i] = FromNestedUnchecked(first + i, childOrder);
    }

    public static long[] Children(long word, int childOrder)
    {
        var result = new long[ChildCount(word, childOrder)];
        Children(word, childOrder, result);
        return result;
    }

    /// <summary>Parses a morton word from text, with an error that quotes the text.</summary>
    public static long Parse(string text)
    {
        var digits = text.AsSpan().Trim().TrimStart("+-");
        if (digits.Length > MaxOrder + 1 && !digits.ContainsAnyExceptInRange('0', '9'))
            throw new FormatException($"morton word {text.Trim()} has order {digits.Length - 1}; the finest is {MaxOrder}");
        if (!long.TryParse(text.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long word))
            throw new FormatException($"'{text}' is not a morton word: expected an integer such as -6134114");
        Validate(word);
        return word;
    }

    private static void CheckChildOrder(int order, int childOrder)
    {
        if (childOrder < order || childOrder > MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(childOrder), childOrder, $"child order must be in [{order}, {MaxOrder}]");
    }

    private static int DigitCount(long magnitude)
    {
        int n = 1;
        while (n < PowersOfTen.Length && magnitude >= PowersOfTen[n]) n++;
        return n;
    }

    private static long[] BuildPowersOfTen()
    {
        var p = new long[19];
        p[0] = 1;
        for (int i = 1; i < p.Length; i++) p[i] = p[i - 1] * 10;
        return p;
    }

    private static short[] BuildFourLevels()
    {
        var t = new short[256];
        for (int b = 0; b < 256; b++)
            t[b] = (short)(((b >> 6) & 3) * 1000 + ((b >> 4) & 3) * 100 + ((b >> 2) & 3) * 10 + (b & 3) + 1111);
        return t;
    }
}
