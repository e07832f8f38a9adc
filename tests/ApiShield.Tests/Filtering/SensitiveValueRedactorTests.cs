using System.Buffers;
using System.Text;
using System.Text.Json;
using ApiShield.Filtering;

namespace ApiShield.Tests.Filtering;

[TestFixture]
public sealed class SensitiveValueRedactorTests
{
    [TestCase("4111111111111111", 4, "\"****1111\"")]
    [TestCase("abc", 4, "\"****\"")]
    [TestCase("abcd", 4, "\"****\"")]
    [TestCase("secret", 0, "\"****\"")]
    [TestCase("", 2, "\"****\"")]
    [TestCase("x\U0001F600y\U0001F600", 2, "\"****y\\uD83D\\uDE00\"")]
    [TestCase("caf\u00e9", 1, "\"****\\u00E9\"")]
    public void WriteMasked_StringAndUtf8_WriteTheSameBytes(string value, int keepLast, string expected)
    {
        var fromString = Write(w => SensitiveValueRedactor.WriteMasked(w, value, keepLast));
        var fromUtf8 = Write(w => SensitiveValueRedactor.WriteMasked(w, Encoding.UTF8.GetBytes(value), keepLast));

        Assert.That(fromString, Is.EqualTo(expected));
        Assert.That(fromUtf8, Is.EqualTo(fromString));
    }

    [Test]
    public void WriteHash_SameKeyAndValue_SameHash_OtherKey_OtherHash()
    {
        var key1 = Enumerable.Repeat((byte)1, 32).ToArray();
        var key2 = Enumerable.Repeat((byte)2, 32).ToArray();
        var value = "ann@example.com"u8.ToArray();

        var a = Write(w => SensitiveValueRedactor.WriteHash(w, key1, value));
        var b = Write(w => SensitiveValueRedactor.WriteHash(w, key1, value));
        var c = Write(w => SensitiveValueRedactor.WriteHash(w, key2, value));

        Assert.That(a, Is.EqualTo(b));
        Assert.That(c, Is.Not.EqualTo(a));
        Assert.That(a, Has.Length.EqualTo(24));
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
