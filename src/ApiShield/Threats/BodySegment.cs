using System.Buffers;

namespace ApiShield.Threats;

/// <summary>One pooled array of a <see cref="RequestBodyBuffer"/>, linked so the JSON reader sees one sequence.</summary>
internal sealed class BodySegment : ReadOnlySequenceSegment<byte>
{
    public BodySegment(byte[] array, long runningIndex)
    {
        Array = array;
        Memory = array;
        RunningIndex = runningIndex;
    }

    public byte[] Array { get; }

    public int Written { get; set; }

    public void Link(BodySegment next) => Next = next;
}
