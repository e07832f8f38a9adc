using ApiShield.Tokens;
using Microsoft.AspNetCore.Http;

namespace ApiShield.Tests.Tokens;

[TestFixture]
public sealed class BearerCredentialReaderTests
{
    private const int MaxTokenLength = 512;

    // Long enough that the scan runs through full vectors before reaching the character under test.
    private static readonly string LongToken = new('a', 200);

    [TestCase("Bearer abc")]
    [TestCase("bearer abc")]
    [TestCase("BEARER abc")]
    [TestCase("Bearer ABCXYZabcxyz0189-._~+/")]
    [TestCase("Bearer abc=")]
    [TestCase("Bearer abc===")]
    [TestCase("Bearer \t abc")]
    [TestCase("  Bearer abc  ")]
    [TestCase("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl")]
    public void ReadHeader_B64Token_ReturnsPresent(string header)
    {
        Assert.That(BearerCredentialReader.ReadHeader(header, MaxTokenLength), Is.EqualTo(BearerCredentialStatus.Present));
    }

    [TestCase("Bearer")]
    [TestCase("Bearer ")]
    [TestCase("Bearer =")]
    [TestCase("Bearer =abc")]
    [TestCase("Bearer abc=d")]
    [TestCase("Bearer abc def")]
    [TestCase("Bearer abc,def")]
    [TestCase("Bearer \"abc\"")]
    [TestCase("Bearer abc%2E")]
    [TestCase("Bearer abcé")]
    [TestCase("Bearer аbc")]
    [TestCase("Bearer abc\u0000")]
    public void ReadHeader_NotB64Token_ReturnsMalformed(string header)
    {
        Assert.That(BearerCredentialReader.ReadHeader(header, MaxTokenLength), Is.EqualTo(BearerCredentialStatus.Malformed));
    }

    [TestCase("!")]
    [TestCase("é")]
    [TestCase("=a")]
    [TestCase("=" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void ReadHeader_LongTokenWithBadTail_ReturnsMalformed(string tail)
    {
        Assert.That(BearerCredentialReader.ReadHeader("Bearer " + LongToken + tail, MaxTokenLength), Is.EqualTo(BearerCredentialStatus.Malformed));
    }

    [Test]
    public void ReadHeader_LongTokenWithPadding_ReturnsPresent()
    {
        Assert.That(BearerCredentialReader.ReadHeader("Bearer " + LongToken + "==", MaxTokenLength), Is.EqualTo(BearerCredentialStatus.Present));
    }

    [TestCase("Basic dXNlcjpwYXNz")]
    [TestCase("Bearerabc")]
    [TestCase("")]
    public void ReadHeader_OtherScheme_ReturnsNone(string header)
    {
        Assert.That(BearerCredentialReader.ReadHeader(header, MaxTokenLength), Is.EqualTo(BearerCredentialStatus.None));
    }

    [Test]
    public void ReadHeader_TokenOverMaximum_ReturnsTooLongBeforeCheckingSyntax()
    {
        var token = new string('!', MaxTokenLength + 1);

        Assert.That(BearerCredentialReader.ReadHeader("Bearer " + token, MaxTokenLength), Is.EqualTo(BearerCredentialStatus.TooLong));
    }

    [Test]
    public void ReadHeader_TokenAtMaximum_ReturnsPresent()
    {
        var token = new string('a', MaxTokenLength);

        Assert.That(BearerCredentialReader.ReadHeader("Bearer " + token, MaxTokenLength), Is.EqualTo(BearerCredentialStatus.Present));
    }

    [TestCase(null, null, nameof(BearerCredentialStatus.None))]
    [TestCase("Bearer abc", null, nameof(BearerCredentialStatus.Present))]
    [TestCase(null, "?access_token=abc", nameof(BearerCredentialStatus.InQuery))]
    [TestCase("Bearer abc", "?access_token=abc", nameof(BearerCredentialStatus.Duplicated))]
    [TestCase("Basic dXNlcjpwYXNz", "?access_token=abc", nameof(BearerCredentialStatus.InQuery))]
    [TestCase("Bearer abc", "?other=access_token", nameof(BearerCredentialStatus.Present))]
    public void Read_HeaderAndQuery_ReturnsStatus(string? authorization, string? query, string expected)
    {
        var request = new DefaultHttpContext().Request;
        if (authorization is not null)
        {
            request.Headers.Authorization = authorization;
        }

        if (query is not null)
        {
            request.QueryString = new QueryString(query);
        }

        Assert.That(BearerCredentialReader.Read(request, MaxTokenLength), Is.EqualTo(Enum.Parse<BearerCredentialStatus>(expected)));
    }

    [Test]
    public void Read_TwoAuthorizationHeaders_ReturnsDuplicated()
    {
        var request = new DefaultHttpContext().Request;
        request.Headers.Authorization = new[] { "Bearer abc", "Bearer def" };

        Assert.That(BearerCredentialReader.Read(request, MaxTokenLength), Is.EqualTo(BearerCredentialStatus.Duplicated));
    }
}
