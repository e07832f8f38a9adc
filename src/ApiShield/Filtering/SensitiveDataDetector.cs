namespace ApiShield.Filtering;

/// <summary>
/// Finds sensitive values in UTF-8 text. Every pattern is ASCII, so matching works on bytes and masking a match keeps
/// the text valid UTF-8. Each detector starts with a vectorized search for what every match must contain.
/// </summary>
internal static class SensitiveDataDetector
{
    /// <summary>Finds the first match at or after <paramref name="start"/> among <paramref name="kinds"/>.</summary>
    public static bool TryFind(ReadOnlySpan<byte> text, int start, SensitiveDataDetectors kinds, out int matchStart, out int matchLength, out SensitiveDataDetectors kind)
    {
        matchStart = int.MaxValue;
        matchLength = 0;
        kind = SensitiveDataDetectors.None;
        Consider(text, start, kinds, SensitiveDataDetectors.PrivateKey, ref matchStart, ref matchLength, ref kind);
        Consider(text, start, kinds, SensitiveDataDetectors.Jwt, ref matchStart, ref matchLength, ref kind);
        Consider(text, start, kinds, SensitiveDataDetectors.AwsAccessKey, ref matchStart, ref matchLength, ref kind);
        Consider(text, start, kinds, SensitiveDataDetectors.Iban, ref matchStart, ref matchLength, ref kind);
        Consider(text, start, kinds, SensitiveDataDetectors.UsSocialSecurityNumber, ref matchStart, ref matchLength, ref kind);
        Consider(text, start, kinds, SensitiveDataDetectors.PaymentCard, ref matchStart, ref matchLength, ref kind);
        return kind != SensitiveDataDetectors.None;
    }

    /// <summary>
    /// Replaces the first match at or after <paramref name="position"/> with <c>*</c> and moves <paramref name="position"/>
    /// past it; <paramref name="bit"/> is the detector's bit position.
    /// </summary>
    public static bool TryMaskNext(Span<byte> text, ref int position, SensitiveDataDetectors kinds, out int bit)
    {
        if (position >= text.Length || !TryFind(text, position, kinds, out var start, out var length, out var kind))
        {
            bit = -1;
            return false;
        }

        text.Slice(start, length).Fill((byte)'*');
        position = start + length;
        bit = System.Numerics.BitOperations.Log2((uint)kind);
        return true;
    }

    /// <summary>Whether a JSON number's text is a payment card number (13–19 digits passing Luhn).</summary>
    public static bool IsCardNumber(ReadOnlySpan<byte> number)
    {
        if (number.Length is < 13 or > 19 || number.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return false;
        }

        return Luhn(number);
    }

    private static void Consider(ReadOnlySpan<byte> text, int start, SensitiveDataDetectors enabled, SensitiveDataDetectors candidate, ref int bestStart, ref int bestLength, ref SensitiveDataDetectors bestKind)
    {
        if ((enabled & candidate) == 0)
        {
            return;
        }

        var found = candidate switch
        {
            SensitiveDataDetectors.PaymentCard => FindCard(text, start, out var s, out var l) ? (s, l) : (-1, 0),
            SensitiveDataDetectors.UsSocialSecurityNumber => FindSsn(text, start, out var s, out var l) ? (s, l) : (-1, 0),
            SensitiveDataDetectors.Iban => FindIban(text, start, out var s, out var l) ? (s, l) : (-1, 0),
            SensitiveDataDetectors.PrivateKey => FindPrivateKey(text, start, out var s, out var l) ? (s, l) : (-1, 0),
            SensitiveDataDetectors.Jwt => FindJwt(text, start, out var s, out var l) ? (s, l) : (-1, 0),
            SensitiveDataDetectors.AwsAccessKey => FindAwsKey(text, start, out var s, out var l) ? (s, l) : (-1, 0),
            _ => (-1, 0),
        };
        if (found.Item1 >= 0 && found.Item1 < bestStart)
        {
            bestStart = found.Item1;
            bestLength = found.Item2;
            bestKind = candidate;
        }
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool IsUpper(byte b) => b is >= (byte)'A' and <= (byte)'Z';

    private static bool IsAlnum(byte b) => IsDigit(b) || IsUpper(b) || b is >= (byte)'a' and <= (byte)'z';

    private static bool IsBase64Url(byte b) => IsAlnum(b) || b is (byte)'-' or (byte)'_';

    private static bool Luhn(ReadOnlySpan<byte> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }

    private static bool FindCard(ReadOnlySpan<byte> text, int start, out int matchStart, out int matchLength)
    {
        Span<byte> digits = stackalloc byte[19];
        var i = start;
        while (i < text.Length)
        {
            var next = text[i..].IndexOfAnyInRange((byte)'0', (byte)'9');
            if (next < 0)
            {
                break;
            }

            i += next;
            if (i > 0 && IsAlnum(text[i - 1]))
            {
                i = SkipRun(text, i);
                continue;
            }

            var count = 0;
            var j = i;
            var end = i;
            while (j < text.Length)
            {
                if (IsDigit(text[j]))
                {
                    if (count == 19)
                    {
                        count = 20;
                        break;
                    }

                    digits[count++] = text[j];
                    j++;
                    end = j;
                }
                else if (text[j] is (byte)' ' or (byte)'-' && j + 1 < text.Length && IsDigit(text[j + 1]) && IsDigit(text[j - 1]))
                {
                    j++;
                }
                else
                {
                    break;
                }
            }

            var bounded = end == text.Length || !IsAlnum(text[end]);
            if (count is >= 13 and <= 19 && bounded && Luhn(digits[..count]))
            {
                matchStart = i;
                matchLength = end - i;
                return true;
            }

            i = Math.Max(end, i + 1);
        }

        matchStart = -1;
        matchLength = 0;
        return false;
    }

    private static int SkipRun(ReadOnlySpan<byte> text, int i)
    {
        while (i < text.Length && IsAlnum(text[i]))
        {
            i++;
        }

        return i;
    }

    private static bool FindSsn(ReadOnlySpan<byte> text, int start, out int matchStart, out int matchLength)
    {
        for (var i = start; i + 11 <= text.Length; i++)
        {
            var next = text[i..].IndexOfAny((byte)'-', (byte)' ');
            if (next < 0)
            {
                break;
            }

            // Align on the first separator, which sits three characters into a match.
            var candidate = i + next - 3;
            i += next;
            if (candidate < start || candidate + 11 > text.Length)
            {
                continue;
            }

            var s = text.Slice(candidate, 11);
            var separator = s[3];
            if (s[6] != separator
                || !IsDigit(s[0]) || !IsDigit(s[1]) || !IsDigit(s[2]) || !IsDigit(s[4]) || !IsDigit(s[5])
                || !IsDigit(s[7]) || !IsDigit(s[8]) || !IsDigit(s[9]) || !IsDigit(s[10]))
            {
                continue;
            }

            if ((candidate > 0 && (IsAlnum(text[candidate - 1]) || text[candidate - 1] == separator))
                || (candidate + 11 < text.Length && (IsAlnum(text[candidate + 11]) || text[candidate + 11] == separator)))
            {
                continue;
            }

            var area = ((s[0] - '0') * 100) + ((s[1] - '0') * 10) + (s[2] - '0');
            var group = ((s[4] - '0') * 10) + (s[5] - '0');
            var serial = ((s[7] - '0') * 1000) + ((s[8] - '0') * 100) + ((s[9] - '0') * 10) + (s[10] - '0');
            if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0)
            {
                continue;
            }

            matchStart = candidate;
            matchLength = 11;
            return true;
        }

        matchStart = -1;
        matchLength = 0;
        return false;
    }

    private static bool FindIban(ReadOnlySpan<byte> text, int start, out int matchStart, out int matchLength)
    {
        Span<byte> compact = stackalloc byte[34];
        Span<int> ends = stackalloc int[34];
        for (var i = start; i + 15 <= text.Length; i++)
        {
            var next = text[i..].IndexOfAnyInRange((byte)'A', (byte)'Z');
            if (next < 0)
            {
                break;
            }

            i += next;
            if (i + 4 > text.Length || !IsUpper(text[i + 1]) || !IsDigit(text[i + 2]) || !IsDigit(text[i + 3]) || (i > 0 && IsAlnum(text[i - 1])))
            {
                continue;
            }

            var count = 0;
            var j = i;
            while (j < text.Length && count < 34)
            {
                if (IsDigit(text[j]) || IsUpper(text[j]))
                {
                    compact[count] = text[j];
                    ends[count] = j + 1;
                    count++;
                    j++;
                }
                else if (text[j] == ' ' && j + 1 < text.Length && (IsDigit(text[j + 1]) || IsUpper(text[j + 1])))
                {
                    j++;
                }
                else
                {
                    break;
                }
            }

            for (var length = count; length >= 15; length--)
            {
                var end = ends[length - 1];
                if ((end == text.Length || !IsAlnum(text[end])) && Mod97(compact[..length]) == 1)
                {
                    matchStart = i;
                    matchLength = end - i;
                    return true;
                }
            }
        }

        matchStart = -1;
        matchLength = 0;
        return false;
    }

    // ISO 13616: move the first four characters to the end, letters become 10..35, the number mod 97 must be 1.
    private static int Mod97(ReadOnlySpan<byte> iban)
    {
        var remainder = 0;
        for (var k = 0; k < iban.Length; k++)
        {
            var c = iban[(k + 4) % iban.Length];
            if (IsDigit(c))
            {
                remainder = ((remainder * 10) + (c - '0')) % 97;
            }
            else
            {
                remainder = ((remainder * 100) + (c - 'A' + 10)) % 97;
            }
        }

        return remainder;
    }

    private static bool FindPrivateKey(ReadOnlySpan<byte> text, int start, out int matchStart, out int matchLength)
    {
        var i = start;
        while (i < text.Length)
        {
            var begin = text[i..].IndexOf("-----BEGIN "u8);
            if (begin < 0)
            {
                break;
            }

            begin += i;
            var headerEnd = text[(begin + 11)..].IndexOf("-----"u8);
            if (headerEnd >= 0 && text.Slice(begin + 11, headerEnd).EndsWith("PRIVATE KEY"u8))
            {
                var afterHeader = begin + 11 + headerEnd + 5;
                var end = text[afterHeader..].IndexOf("-----END "u8);
                var stop = text.Length;
                if (end >= 0)
                {
                    var footer = afterHeader + end + 9;
                    var close = text[footer..].IndexOf("-----"u8);
                    stop = close >= 0 ? footer + close + 5 : text.Length;
                }

                matchStart = begin;
                matchLength = stop - begin;
                return true;
            }

            i = begin + 11;
        }

        matchStart = -1;
        matchLength = 0;
        return false;
    }

    private static bool FindJwt(ReadOnlySpan<byte> text, int start, out int matchStart, out int matchLength)
    {
        var i = start;
        while (i < text.Length)
        {
            var found = text[i..].IndexOf("eyJ"u8);
            if (found < 0)
            {
                break;
            }

            var s = i + found;
            i = s + 3;
            if (s > 0 && IsBase64Url(text[s - 1]))
            {
                continue;
            }

            var j = s;
            var dots = 0;
            var segmentLength = 0;
            var shortestSegment = int.MaxValue;
            while (j < text.Length)
            {
                if (IsBase64Url(text[j]))
                {
                    segmentLength++;
                }
                else if (text[j] == '.' && dots < 4)
                {
                    if (dots < 2)
                    {
                        shortestSegment = Math.Min(shortestSegment, segmentLength);
                    }

                    dots++;
                    segmentLength = 0;
                }
                else
                {
                    break;
                }

                j++;
            }

            // Header and payload (or JWE encrypted key) segments; a JWS has two dots, a JWE four.
            if (dots is 2 or 4 && shortestSegment >= 4 && j - s >= 24)
            {
                matchStart = s;
                matchLength = j - s;
                return true;
            }
        }

        matchStart = -1;
        matchLength = 0;
        return false;
    }

    private static bool FindAwsKey(ReadOnlySpan<byte> text, int start, out int matchStart, out int matchLength)
    {
        for (var i = start; i + 20 <= text.Length; i++)
        {
            var next = text[i..].IndexOf((byte)'A');
            if (next < 0 || i + next + 20 > text.Length)
            {
                break;
            }

            i += next;
            var prefix = text.Slice(i, 4);
            if (!(prefix.SequenceEqual("AKIA"u8) || prefix.SequenceEqual("ASIA"u8) || prefix.SequenceEqual("ABIA"u8) || prefix.SequenceEqual("ACCA"u8))
                || (i > 0 && IsAlnum(text[i - 1])))
            {
                continue;
            }

            var body = text.Slice(i + 4, 16);
            var ok = true;
            foreach (var b in body)
            {
                if (!IsDigit(b) && !IsUpper(b))
                {
                    ok = false;
                    break;
                }
            }

            if (ok && (i + 20 == text.Length || !IsAlnum(text[i + 20])))
            {
                matchStart = i;
                matchLength = 20;
                return true;
            }
        }

        matchStart = -1;
        matchLength = 0;
        return false;
    }
}
