using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ApiShield.Threats;

/// <summary>
/// The property names of the objects open along the current path, for duplicate detection. Names are 64-bit values on
/// a stack, scanned linearly while an object is small; an object that grows past <see cref="LinearLimit"/> entries also
/// indexes its names in a hash set, with buckets keyed by a per-process secret so crafted names cannot pile into one.
/// A closed object's names are dropped, so memory follows the open path, not the body.
/// </summary>
internal sealed class PropertyNameSet
{
    private const int LinearLimit = 16;
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    private readonly HashSet<ulong> _indexed = new(new KeyedComparer());
    private ulong[] _stack = new ulong[64];
    private int _count;
    private int[] _start = new int[ThreatDefaults.MaxDepth + 2];
    private bool[] _large = new bool[ThreatDefaults.MaxDepth + 2];

    public void Reset(int maxDepth)
    {
        _count = 0;
        _indexed.Clear();
        if (_start.Length < maxDepth + 2)
        {
            _start = new int[maxDepth + 2];
            _large = new bool[maxDepth + 2];
        }
    }

    public void Open(int level)
    {
        _start[level] = _count;
        _large[level] = false;
    }

    public void Close(int level)
    {
        if (_large[level])
        {
            for (var i = _start[level]; i < _count; i++)
            {
                _indexed.Remove(Key(_stack[i], level));
            }
        }

        _count = _start[level];
    }

    /// <summary>Adds a name of the object open at <paramref name="level"/>; false when that object already has it.</summary>
    public bool Add(int level, ulong hash)
    {
        var start = _start[level];
        if (_large[level])
        {
            if (!_indexed.Add(Key(hash, level)))
            {
                return false;
            }
        }
        else
        {
            if (_stack.AsSpan(start, _count - start).Contains(hash))
            {
                return false;
            }

            if (_count - start == LinearLimit)
            {
                _large[level] = true;
                for (var i = start; i < _count; i++)
                {
                    _indexed.Add(Key(_stack[i], level));
                }

                _indexed.Add(Key(hash, level));
            }
        }

        if (_count == _stack.Length)
        {
            Array.Resize(ref _stack, _stack.Length * 2);
        }

        _stack[_count++] = hash;
        return true;
    }

    /// <summary>A 64-bit hash of a name's unescaped UTF-8 bytes; names of up to 7 bytes map to distinct values.</summary>
    public static ulong Hash(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length < 8)
        {
            // Exact: the bytes themselves, with the length in the top byte.
            ulong packed = (ulong)utf8.Length << 56;
            for (var i = 0; i < utf8.Length; i++)
            {
                packed |= (ulong)utf8[i] << (8 * i);
            }

            return packed;
        }

        var hash = FnvOffset ^ (ulong)utf8.Length;
        while (utf8.Length >= 8)
        {
            hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(utf8)) * FnvPrime;
            hash ^= hash >> 29;
            utf8 = utf8[8..];
        }

        foreach (var b in utf8)
        {
            hash = (hash ^ b) * FnvPrime;
        }

        // Keep the top byte clear of the exact encodings' length marks 0-7.
        return hash | (0xFFUL << 56);
    }

    // Only one object is open per level, so the level tells open objects' names apart.
    private static ulong Key(ulong hash, int level) => hash + ((ulong)level * 0x9E3779B97F4A7C15);

    private sealed class KeyedComparer : IEqualityComparer<ulong>
    {
        private static readonly ulong Secret = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

        public bool Equals(ulong x, ulong y) => x == y;

        // The splitmix64 finaliser over the keyed value.
        public int GetHashCode(ulong value)
        {
            var z = value ^ Secret;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return (int)(z ^ (z >> 31));
        }
    }
}
