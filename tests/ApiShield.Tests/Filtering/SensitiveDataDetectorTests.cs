using System.Text;
using ApiShield.Filtering;

namespace ApiShield.Tests.Filtering;

[TestFixture]
public sealed class SensitiveDataDetectorTests
{
    [TestCase("4111111111111111", SensitiveDataDetectors.PaymentCard)]
    [TestCase("card 4111 1111 1111 1111 declined", SensitiveDataDetectors.PaymentCard)]
    [TestCase("4012-8888-8888-1881", SensitiveDataDetectors.PaymentCard)]
    [TestCase("378282246310005", SensitiveDataDetectors.PaymentCard)]
    [TestCase("ssn 078-05-1120.", SensitiveDataDetectors.UsSocialSecurityNumber)]
    [TestCase("123 45 6789", SensitiveDataDetectors.UsSocialSecurityNumber)]
    [TestCase("DE89370400440532013000", SensitiveDataDetectors.Iban)]
    [TestCase("iban: DE89 3704 0044 0532 0130 00, thanks", SensitiveDataDetectors.Iban)]
    [TestCase("GB82WEST12345698765432", SensitiveDataDetectors.Iban)]
    [TestCase("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", SensitiveDataDetectors.PrivateKey)]
    [TestCase("x -----BEGIN PRIVATE KEY----- MIIEvQIBADANBg (truncated)", SensitiveDataDetectors.PrivateKey)]
    [TestCase("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl", SensitiveDataDetectors.Jwt)]
    [TestCase("key=AKIAIOSFODNN7EXAMPLE;", SensitiveDataDetectors.AwsAccessKey)]
    [TestCase("ASIAY34FZKBOKMUTVV7A", SensitiveDataDetectors.AwsAccessKey)]
    public void TryFind_KnownFormat_Detected(string text, SensitiveDataDetectors expected)
    {
        var found = SensitiveDataDetector.TryFind(Encoding.UTF8.GetBytes(text), 0, SensitiveDataDetectors.All, out var start, out var length, out var kind);

        Assert.Multiple(() =>
        {
            Assert.That(found, Is.True);
            Assert.That(kind, Is.EqualTo(expected));
            Assert.That(length, Is.GreaterThanOrEqualTo(11));
            Assert.That(start + length, Is.LessThanOrEqualTo(Encoding.UTF8.GetByteCount(text)));
        });
    }

    [TestCase("4111111111111112")]
    [TestCase("order 20261127 item 1234567")]
    [TestCase("12345678901234567890123")]
    [TestCase("ab4111111111111111")]
    [TestCase("000-12-3456")]
    [TestCase("666-12-3456")]
    [TestCase("912-12-3456")]
    [TestCase("123-00-4567")]
    [TestCase("123-45-0000")]
    [TestCase("123-45-67890")]
    [TestCase("555-123-4567")]
    [TestCase("123-45 6789")]
    [TestCase("DE89370400440532013001")]
    [TestCase("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")]
    [TestCase("eyJhbGciOiJIUzI1NiJ9 is a header only")]
    [TestCase("AKIAIOSFODNN7EXAMPL")]
    [TestCase("XAKIAIOSFODNN7EXAMPLE")]
    [TestCase("2026-11-27T20:43:57.1234567Z")]
    [TestCase("+1 (555) 010-9999, version 10.0.15")]
    public void TryFind_LookAlike_NotDetected(string text)
    {
        var found = SensitiveDataDetector.TryFind(Encoding.UTF8.GetBytes(text), 0, SensitiveDataDetectors.All, out _, out _, out var kind);

        Assert.That(found, Is.False, kind.ToString());
    }

    [TestCase("4111111111111111", true)]
    [TestCase("4111111111111112", false)]
    [TestCase("411111111111", false)]
    [TestCase("1.5", false)]
    public void IsCardNumber_JsonNumberText(string number, bool expected)
    {
        Assert.That(SensitiveDataDetector.IsCardNumber(Encoding.ASCII.GetBytes(number)), Is.EqualTo(expected));
    }

    [Test]
    public void Write_DetectorsInEngine_MaskOnlyTheMatchedCharacters()
    {
        var program = FilterHarness.Program(o => o.Detectors = SensitiveDataDetectors.All);

        var output = FilterHarness.Run(program, """{"note":"card 4111 1111 1111 1111 ok","n":4111111111111111,"id":"078-05-1120","safe":"order 12345"}""");

        Assert.That(output, Is.EqualTo("""{"note":"card ******************* ok","n":null,"id":"***********","safe":"order 12345"}"""));
    }

    [Test]
    public void Write_DetectorPaths_LimitWhereDetectorsRun()
    {
        var program = FilterHarness.Program(o =>
        {
            o.Detectors = SensitiveDataDetectors.PaymentCard;
            o.DetectorPaths.Add("$.payment");
        });

        var output = FilterHarness.Run(program, """{"payment":{"pan":"4111111111111111"},"testCard":"4111111111111111"}""");

        Assert.That(output, Is.EqualTo("""{"payment":{"pan":"****************"},"testCard":"4111111111111111"}"""));
    }

    [Test]
    public void Write_DetectorActionRemove_RemovesTheMember()
    {
        var program = FilterHarness.Program(o =>
        {
            o.Detectors = SensitiveDataDetectors.Secrets;
            o.DetectorAction = SensitiveAction.Remove;
        });

        var output = FilterHarness.Run(program, """{"aws":"AKIAIOSFODNN7EXAMPLE","list":["AKIAIOSFODNN7EXAMPLE",1],"ok":1}""");

        Assert.That(output, Is.EqualTo("""{"list":[1],"ok":1}"""));
    }
}
