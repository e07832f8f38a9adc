using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using ApiShield.Tests.TestSupport;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace ApiShield.Tests.Tokens;

/// <summary>
/// Attacks and malformed requests from jwt_tool's attack classes and RFC 8725, sent end to end through the pipeline,
/// each pinned to the exact status, <c>WWW-Authenticate</c> challenge (RFC 6750 §3) and problem type.
/// </summary>
[TestFixture]
public sealed class AdversarialTokenTests
{
    private const string Path = "/orders";

    private const string Missing = "Bearer";
    private const string Malformed = "Bearer error=\"invalid_request\", error_description=\"The Authorization header is not a well-formed Bearer credential.\"";
    private const string Duplicated = "Bearer error=\"invalid_request\", error_description=\"The access token was sent more than once or more than one way.\"";
    private const string InQuery = "Bearer error=\"invalid_request\", error_description=\"Access tokens are not accepted in the URI query.\"";
    private const string TooLong = "Bearer error=\"invalid_token\", error_description=\"The access token is longer than this API accepts.\"";
    private const string Expired = "Bearer error=\"invalid_token\", error_description=\"The access token is expired.\"";
    private const string NotYetValid = "Bearer error=\"invalid_token\", error_description=\"The access token is not valid yet.\"";
    private const string NoExpiration = "Bearer error=\"invalid_token\", error_description=\"The access token has no expiration time.\"";
    private const string Lifetime = "Bearer error=\"invalid_token\", error_description=\"The access token's lifetime is longer than this API accepts.\"";
    private const string Audience = "Bearer error=\"invalid_token\", error_description=\"The access token is not meant for this API.\"";
    private const string Issuer = "Bearer error=\"invalid_token\", error_description=\"The access token's issuer is not trusted.\"";
    private const string Signature = "Bearer error=\"invalid_token\", error_description=\"The access token's signature is invalid.\"";
    private const string Algorithm = "Bearer error=\"invalid_token\", error_description=\"The access token's signing algorithm is not accepted.\"";
    private const string TypeRejected = "Bearer error=\"invalid_token\", error_description=\"The access token's type is not accepted.\"";
    private const string Invalid = "Bearer error=\"invalid_token\", error_description=\"The access token is invalid.\"";

    private static readonly RsaSecurityKey AttackerKey = TestIdentityProvider.CreateRsaKey("attacker-key");

    private readonly Dictionary<Host, AttackHost> _hosts = [];

    public enum Host
    {
        Production,
        ProductionRequiringType,
        Development,
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _hosts[Host.Production] = await AttackHost.StartAsync("Production", []);
        _hosts[Host.ProductionRequiringType] = await AttackHost.StartAsync("Production", new() { ["ApiShield:Tokens:RequireAccessTokenType"] = "true" });
        _hosts[Host.Development] = await AttackHost.StartAsync("Development", []);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        foreach (var host in _hosts.Values)
        {
            await host.DisposeAsync();
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task InvokeAsync_Attack_ReturnsExactChallenge(AttackCase attack)
    {
        var host = _hosts[attack.Host];
        using var request = attack.Build(host);
        var secrets = Secrets(host, request);
        host.Api.Logs.Clear();

        using var response = await host.Api.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        if (attack.Status == HttpStatusCode.OK)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(body, Is.EqualTo("user-1"));
            return;
        }

        await ProblemAssert.IsProblemAsync(response, attack.Status, attack.Problem!);
        Assert.Multiple(() =>
        {
            Assert.That(ProblemAssert.WwwAuthenticate(response), Is.EqualTo(attack.Challenge));
            Assert.That(host.Backchannel.ForeignRequests, Is.Empty, "a header-supplied URL was fetched");
        });

        if (attack.Host != Host.Development)
        {
            // Outside Development nothing in the answer may echo the token, its issuer, audience or key id.
            var headers = string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => h.Key + ": " + string.Join(",", h.Value)));
            var logs = string.Join("\n", host.Api.Logs.GetSnapshot()
                .Where(r => r.Category?.StartsWith("ApiShield", StringComparison.Ordinal) == true)
                .Select(r => r.Message + " " + r.Exception?.Message));
            Assert.Multiple(() =>
            {
                foreach (var secret in secrets)
                {
                    Assert.That(body, Does.Not.Contain(secret), "body echoes request content");
                    Assert.That(headers, Does.Not.Contain(secret), "headers echo request content");
                    Assert.That(logs, Does.Not.Contain(secret), "ApiShield logs echo request content");
                }
            });
        }
    }

    [Test]
    public async Task InvokeAsync_EveryAttack_NeverAnswers5xx()
    {
        var failures = new List<string>();
        foreach (var data in Cases())
        {
            var attack = (AttackCase)data.Arguments[0]!;
            var host = _hosts[attack.Host];
            using var request = attack.Build(host);
            using var response = await host.Api.Client.SendAsync(request);
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{attack.Name}: {(int)response.StatusCode}");
            }
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void Cases_AreDistinctAndAtLeastThirtyAttacks()
    {
        var cases = Cases().Select(c => (AttackCase)c.Arguments[0]!).ToList();

        Assert.That(cases.Select(c => c.Name), Is.Unique);
        Assert.That(cases.Count(c => c.Status != HttpStatusCode.OK), Is.GreaterThanOrEqualTo(30));
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        // Controls: the same host accepts a well-formed token, so each rejection below is the attack's doing.
        yield return Case("control: valid token", HttpStatusCode.OK, null, h => Bearer(h.Api.Token()));
        yield return Case("control: lower-case bearer scheme", HttpStatusCode.OK, null, h => Authorization("bearer " + h.Api.Token()));
        yield return Case("control: upper-case BEARER scheme", HttpStatusCode.OK, null, h => Authorization("BEARER " + h.Api.Token()));
        yield return Case("control: aud array containing ours", HttpStatusCode.OK, null,
            h => Bearer(h.Api.Token(t => t.Claims["aud"] = new[] { "api://billing", TestIdentityProvider.Audience })));
        yield return Case("control: expired 29 s ago, within 30 s skew", HttpStatusCode.OK, null, h => Bearer(ExpiredBy(h, TimeSpan.FromSeconds(29))));
        yield return Case("control: nbf 20 s ahead, within 30 s skew", HttpStatusCode.OK, null,
            h => Bearer(h.Api.Token(t => t.Claims["nbf"] = h.Api.Time.GetUtcNow().AddSeconds(20).ToUnixTimeSeconds())));
        yield return Case("control: typ at+jwt when required", HttpStatusCode.OK, null, h => Bearer(h.Api.Token(t => t.Header["typ"] = "at+jwt")), Host.ProductionRequiringType);
        yield return Case("control: typ application/at+jwt when required", HttpStatusCode.OK, null,
            h => Bearer(h.Api.Token(t => t.Header["typ"] = "application/at+jwt")), Host.ProductionRequiringType);
        yield return Case("control: duplicate alg, lexically last (RS256) wins", HttpStatusCode.OK, null,
            h => Bearer(SignRaw(h, "{\"alg\":\"none\",\"kid\":\"KID\",\"alg\":\"RS256\"}", PayloadJson(h, null))));
        yield return Case("control: crit absent, unknown header parameter ignored", HttpStatusCode.OK, null,
            h => Bearer(SignRaw(h, "{\"alg\":\"RS256\",\"kid\":\"KID\",\"urn:example:ext\":true}", PayloadJson(h, null))));
        yield return Case("control: typ JWT when not required", HttpStatusCode.OK, null, h => Bearer(h.Api.Token(t => t.Header["typ"] = "JWT")));

        // RFC 8725 §2.1, §3.1: the "none" algorithm, in the spellings that slipped past case-sensitive checks.
        foreach (var none in new[] { "none", "None", "NONE", "nOnE" })
        {
            yield return Case($"alg {none}, empty signature", HttpStatusCode.Unauthorized, Signature,
                h => Bearer(Resign(h.Api.Token(), header: x => x["alg"] = none, signature: "")));
            yield return Case($"alg {none}, original signature kept", HttpStatusCode.Unauthorized, Signature,
                h => Bearer(Resign(h.Api.Token(), header: x => x["alg"] = none)));
        }

        yield return Case("alg none, signature segment dropped", HttpStatusCode.Unauthorized, Invalid,
            h => Bearer(Unsigned(h.Api.Token(), x => x["alg"] = "none").TrimEnd('.')));

        // jwt_tool -X n / RFC 8725 §3.1: signature stripped or altered.
        yield return Case("signature stripped", HttpStatusCode.Unauthorized, Signature, h => Bearer(Resign(h.Api.Token(), signature: "")));
        yield return Case("signature altered", HttpStatusCode.Unauthorized, Signature, h => Bearer(AlterSignature(h.Api.Token())));
        yield return Case("signature of another key (wrong key, real kid)", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(h.Api.Token(t => { t.Key = AttackerKey; t.Header["kid"] = h.Api.Idp.SigningKey.KeyId!; })));
        yield return Case("RS512 signature under RS256 header", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(ResignWith(h.Api.Token(), h.Api.Idp.SigningKey, SecurityAlgorithms.RsaSha512, header: x => x["alg"] = "RS256")));
        yield return Case("psychic ECDSA signature (r = s = 0)", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(Resign(h.Api.Token(), header: x => x["alg"] = "ES256", signature: Base64UrlEncoder.Encode(new byte[64]))));
        yield return Case("HS256 with an empty secret", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(Hmac(h.Api.Token(), [], x => x.Remove("kid"))));

        // jwt_tool -X k / RFC 8725 §2.1: RS256 -> HS256 key confusion with the published public key as the HMAC secret.
        foreach (var host in new[] { Host.Production, Host.Development })
        {
                        yield return Case($"{host}: HS256 keyed with the public key PEM", HttpStatusCode.Unauthorized, Signature,
                h => Bearer(Hmac(h.Api.Token(), Encoding.ASCII.GetBytes(h.Api.Idp.SigningKey.Rsa.ExportSubjectPublicKeyInfoPem()))), host);
            yield return Case($"{host}: HS256 keyed with the public key PEM plus newline", HttpStatusCode.Unauthorized, Signature,
                h => Bearer(Hmac(h.Api.Token(), Encoding.ASCII.GetBytes(h.Api.Idp.SigningKey.Rsa.ExportSubjectPublicKeyInfoPem() + "\n"))), host);
            yield return Case($"{host}: HS256 keyed with the public key DER (SPKI)", HttpStatusCode.Unauthorized, Signature,
                h => Bearer(Hmac(h.Api.Token(), h.Api.Idp.SigningKey.Rsa.ExportSubjectPublicKeyInfo())), host);
            yield return Case($"{host}: HS256 keyed with the public key DER (PKCS#1)", HttpStatusCode.Unauthorized, Signature,
                h => Bearer(Hmac(h.Api.Token(), h.Api.Idp.SigningKey.Rsa.ExportRSAPublicKey())), host);
            yield return Case($"{host}: HS256 keyed with the JWKS modulus", HttpStatusCode.Unauthorized, Signature,
                h => Bearer(Hmac(h.Api.Token(), h.Api.Idp.SigningKey.Rsa.ExportParameters(false).Modulus!)), host);
        }

        // jwt_tool -X i (CVE-2018-0114), -X s: keys supplied by the token itself are never trusted nor fetched (RFC 8725 §3.10).
        yield return Case("embedded jwk with the attacker's key", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(h.Api.Token(t => { t.Key = AttackerKey; t.Header["jwk"] = TestIdentityProvider.PublicJwk(AttackerKey); })));
        yield return Case("embedded jwk with the attacker's key under the real kid", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(h.Api.Token(t =>
            {
                t.Key = AttackerKey;
                t.Header["kid"] = h.Api.Idp.SigningKey.KeyId!;
                var jwk = TestIdentityProvider.PublicJwk(AttackerKey);
                jwk["kid"] = h.Api.Idp.SigningKey.KeyId!;
                t.Header["jwk"] = jwk;
            })));
        yield return Case("jku pointing to the attacker's JWKS", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(h.Api.Token(t => { t.Key = AttackerKey; t.Header["jku"] = AttackerBackchannel.JwksUrl; })));
        yield return Case("jku on the issuer's host with an attacker path", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(h.Api.Token(t => { t.Key = AttackerKey; t.Header["jku"] = TestIdentityProvider.Issuer + "/redirect?to=" + AttackerBackchannel.JwksUrl; })));
        yield return Case("x5u pointing to the attacker's certificate", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(h.Api.Token(t => { t.Key = AttackerKey; t.Header["x5u"] = AttackerBackchannel.CertificateUrl; })));
        yield return Case("x5c with the attacker's self-signed certificate", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(h.Api.Token(t =>
            {
                t.Key = AttackerKey;
                t.Header["x5c"] = new[] { AttackerCertificate(h) };
                t.Header.Remove("kid");
            })));

        // jwt_tool -I -hc kid: key id injection.
        yield return Case("kid path traversal to /dev/null, HS256 empty secret", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(Hmac(h.Api.Token(), [], x => x["kid"] = "../../../../../../dev/null")));
        yield return Case("kid SQL injection, HS256 with the injected secret", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(Hmac(h.Api.Token(), "key"u8.ToArray(), x => x["kid"] = "x' UNION SELECT 'key';--")));
        yield return Case("kid SQL injection ' OR 1=1--", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(h.Api.Token(t => { t.Key = AttackerKey; t.Header["kid"] = "' OR 1=1--"; })));
        yield return Case("kid command injection", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(h.Api.Token(t => { t.Key = AttackerKey; t.Header["kid"] = "key|/usr/bin/id"; })));
        yield return Case("kid of a key that does not exist", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(h.Api.Token(t => { t.Key = AttackerKey; t.Header["kid"] = "no-such-key-0001"; })));
        yield return Case("kid empty", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(h.Api.Token(t => { t.Key = AttackerKey; t.Header["kid"] = ""; })));
        yield return Case("kid with control and bidi characters", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(h.Api.Token(t => { t.Key = AttackerKey; t.Header["kid"] = "k\u0000\u202e\u0007id"; })));

        // RFC 8725 §3.8, §3.9; RFC 9068 §4: issuer, audience and type.
        yield return Case("iss of another issuer", HttpStatusCode.Unauthorized, Issuer, h => Bearer(h.Api.Token(t => t.Claims["iss"] = "https://evil.test")));
        yield return Case("iss with a trailing slash", HttpStatusCode.Unauthorized, Issuer, h => Bearer(h.Api.Token(t => t.Claims["iss"] = TestIdentityProvider.Issuer + "/")));
        yield return Case("iss missing", HttpStatusCode.Unauthorized, Issuer, h => Bearer(h.Api.Token(t => t.Claims["iss"] = null)));
        yield return Case("aud of another API", HttpStatusCode.Unauthorized, Audience, h => Bearer(h.Api.Token(t => t.Claims["aud"] = "api://billing")));
        yield return Case("aud array without ours", HttpStatusCode.Unauthorized, Audience,
            h => Bearer(h.Api.Token(t => t.Claims["aud"] = new[] { "api://billing", "api://orders-admin" })));
        yield return Case("aud missing", HttpStatusCode.Unauthorized, Audience, h => Bearer(h.Api.Token(t => t.Claims["aud"] = null)));
        yield return Case("typ JWT when at+jwt is required", HttpStatusCode.Unauthorized, TypeRejected,
            h => Bearer(h.Api.Token(t => t.Header["typ"] = "JWT")), Host.ProductionRequiringType);
        yield return Case("typ missing when at+jwt is required", HttpStatusCode.Unauthorized, TypeRejected,
            h => Bearer(h.Api.Token(t => t.Header.Remove("typ"))), Host.ProductionRequiringType);
        yield return Case("typ of an ID token (JWT) signed correctly, at+jwt required", HttpStatusCode.Unauthorized, TypeRejected,
            h => Bearer(h.Api.Token(t => t.Header["typ"] = "id_token+jwt")), Host.ProductionRequiringType);

        // RFC 7519 §4.1.4, §4.1.5; RFC 8725 §3.10: lifetime.
        yield return Case("expired an hour ago", HttpStatusCode.Unauthorized, Expired, h => Bearer(ExpiredBy(h, TimeSpan.FromHours(1))));
        yield return Case("expired 31 s ago, beyond 30 s skew", HttpStatusCode.Unauthorized, Expired, h => Bearer(ExpiredBy(h, TimeSpan.FromSeconds(31))));
        yield return Case("nbf in the future", HttpStatusCode.Unauthorized, NotYetValid,
            h => Bearer(h.Api.Token(t => t.Claims["nbf"] = h.Api.Time.GetUtcNow().AddMinutes(5).ToUnixTimeSeconds())));
        yield return Case("exp missing", HttpStatusCode.Unauthorized, NoExpiration, h => Bearer(h.Api.Token(t => t.Claims["exp"] = null)));
        yield return Case("lifetime 29 h, over the 28 h maximum", HttpStatusCode.Unauthorized, Lifetime,
            h => Bearer(h.Api.Token(t => t.Claims["exp"] = h.Api.Time.GetUtcNow().AddHours(29).ToUnixTimeSeconds())));
        yield return Case("iat and nbf missing, exp in 30 days", HttpStatusCode.Unauthorized, Lifetime,
            h => Bearer(h.Api.Token(t =>
            {
                t.Claims["iat"] = null;
                t.Claims["nbf"] = null;
                t.Claims["exp"] = h.Api.Time.GetUtcNow().AddDays(30).ToUnixTimeSeconds();
            })));
        yield return Case("iat back-dated to hide a 40 h exp", HttpStatusCode.Unauthorized, Lifetime,
            h => Bearer(h.Api.Token(t =>
            {
                t.Claims["iat"] = h.Api.Time.GetUtcNow().AddHours(-1).ToUnixTimeSeconds();
                t.Claims["nbf"] = null;
                t.Claims["exp"] = h.Api.Time.GetUtcNow().AddHours(40).ToUnixTimeSeconds();
            })));
        yield return Case("exp a huge integer", HttpStatusCode.Unauthorized, Invalid, h => Bearer(SignPayloadJson(h, exp: "99999999999999999999")));
        yield return Case("exp a huge float", HttpStatusCode.Unauthorized, Invalid, h => Bearer(SignPayloadJson(h, exp: "1e308")));
        yield return Case("exp a string", HttpStatusCode.Unauthorized, Invalid, h => Bearer(SignPayloadJson(h, exp: "\"tomorrow\"")));

        yield return Case("exp negative", HttpStatusCode.Unauthorized, Expired, h => Bearer(SignPayloadJson(h, exp: "-1")));
        yield return Case("iat a huge integer", HttpStatusCode.Unauthorized, Invalid, h => Bearer(SignRaw(h, null, PayloadJson(h, "\"iat\":99999999999999999999"))));
        yield return Case("nbf a huge float", HttpStatusCode.Unauthorized, Invalid, h => Bearer(SignRaw(h, null, PayloadJson(h, "\"nbf\":1e300"))));
        yield return Case("aud a number", HttpStatusCode.Unauthorized, Invalid, h => Bearer(SignRaw(h, null, PayloadJson(h, "\"aud\":42"))));
        yield return Case("iss an object", HttpStatusCode.Unauthorized, Invalid, h => Bearer(SignRaw(h, null, PayloadJson(h, "\"iss\":{\"a\":1}"))));
        yield return Case("iss with a homoglyph", HttpStatusCode.Unauthorized, Issuer, h => Bearer(h.Api.Token(t => t.Claims["iss"] = "https://idp.t\u0435st")));
        yield return Case("claim nested 5000 deep", HttpStatusCode.Unauthorized, Invalid,
            h => Bearer(SignRaw(h, null, PayloadJson(h, "\"x\":" + new string('[', 5000) + new string(']', 5000)))));

        // RFC 7515 §4, §4.1.11: JOSE header parsing; a 'crit' extension this API does not understand must be refused.
        yield return Case("alg a number", HttpStatusCode.Unauthorized, Invalid, h => Bearer(SignRaw(h, "{\"alg\":256,\"kid\":\"KID\"}", PayloadJson(h, null))));
        yield return Case("header JSON null", HttpStatusCode.Unauthorized, Invalid, h => Bearer(SignRaw(h, "null", PayloadJson(h, null))));
        yield return Case("payload JSON null", HttpStatusCode.Unauthorized, Invalid, h => Bearer(SignRaw(h, null, "null")));
        yield return Case("header segment empty", HttpStatusCode.Unauthorized, Invalid, h => Bearer("." + string.Join('.', h.Api.Token().Split('.')[1..])));
        yield return Case("header with a byte order mark", HttpStatusCode.Unauthorized, Invalid, h => Bearer(SignRaw(h, "\ufeff{\"alg\":\"RS256\",\"kid\":\"KID\"}", PayloadJson(h, null))));
        yield return Case("duplicate alg, none last", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(SignRaw(h, "{\"alg\":\"RS256\",\"kid\":\"KID\",\"alg\":\"none\"}", PayloadJson(h, null))));
        yield return Case("alg empty", HttpStatusCode.Unauthorized, Signature, h => Bearer(SignRaw(h, "{\"alg\":\"\",\"kid\":\"KID\"}", PayloadJson(h, null))));
        yield return Case("alg lower-case rs256", HttpStatusCode.Unauthorized, Signature, h => Bearer(SignRaw(h, "{\"alg\":\"rs256\",\"kid\":\"KID\"}", PayloadJson(h, null))));
        yield return Case("alg with a trailing space", HttpStatusCode.Unauthorized, Signature, h => Bearer(SignRaw(h, "{\"alg\":\"RS256 \",\"kid\":\"KID\"}", PayloadJson(h, null))));
        yield return Case("kid a number", HttpStatusCode.Unauthorized, Invalid, h => Bearer(SignRaw(h, "{\"alg\":\"RS256\",\"kid\":12345}", PayloadJson(h, null))));
        yield return Case("kid an array", HttpStatusCode.Unauthorized, Invalid, h => Bearer(SignRaw(h, "{\"alg\":\"RS256\",\"kid\":[\"KID\"]}", PayloadJson(h, null))));
        yield return Case("x5t of garbage beside the real kid", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(h.Api.Token(t => { t.Key = AttackerKey; t.Header["kid"] = h.Api.Idp.SigningKey.KeyId!; t.Header["x5t"] = "!!not-a-thumbprint!!"; })));
        yield return Case("typ a number when at+jwt is required", HttpStatusCode.Unauthorized, Invalid,
            h => Bearer(SignRaw(h, "{\"alg\":\"RS256\",\"typ\":1,\"kid\":\"KID\"}", PayloadJson(h, null))), Host.ProductionRequiringType);
        yield return Case("aud an empty array", HttpStatusCode.Unauthorized, Audience, h => Bearer(SignRaw(h, null, PayloadJson(h, "\"aud\":[]").Replace("\"aud\":\"api://orders\",", "", StringComparison.Ordinal))));
        yield return Case("exp an array", HttpStatusCode.Unauthorized, Invalid, h => Bearer(SignPayloadJson(h, exp: "[1,2]")));
        yield return Case("nbf after exp", HttpStatusCode.Unauthorized, Lifetime,
            h => Bearer(h.Api.Token(t => t.Claims["nbf"] = h.Api.Time.GetUtcNow().AddHours(2).ToUnixTimeSeconds())));
        yield return Case("crit with an unknown extension, signed by the issuer", HttpStatusCode.Unauthorized, Invalid,
            h => Bearer(SignRaw(h, "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"KID\",\"crit\":[\"urn:example:ext\"],\"urn:example:ext\":true}", PayloadJson(h, null))));
        yield return Case("crit b64 false (RFC 7797), signed by the issuer", HttpStatusCode.Unauthorized, Invalid,
            h => Bearer(SignRaw(h, "{\"alg\":\"RS256\",\"kid\":\"KID\",\"b64\":false,\"crit\":[\"b64\"]}", PayloadJson(h, null))));

        // jwt_tool -T: payload tampered, original signature kept.
        yield return Case("scope elevated, original signature", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(Resign(h.Api.Token(t => t.Scope("orders:read")), payload: p => p["scope"] = "orders:read orders:admin")));
        yield return Case("sub swapped, original signature", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(Resign(h.Api.Token(), payload: p => p["sub"] = "admin")));

        // Oversized and malformed tokens.
        yield return Case("token over MaxTokenLength, validly signed", HttpStatusCode.Unauthorized, TooLong,
            h => Bearer(h.Api.Token(t => t.Claims["pad"] = new string('a', 17_000))));
        yield return Case("token over MaxTokenLength, not even b64token (length checked before parsing)", HttpStatusCode.Unauthorized, TooLong, _ => Bearer(new string('!', 20_000)));
        yield return Case("two segments", HttpStatusCode.Unauthorized, Invalid, h => Bearer(string.Join('.', h.Api.Token().Split('.')[..2])));
        yield return Case("one segment", HttpStatusCode.Unauthorized, Invalid, _ => Bearer("eyJhbGciOiJSUzI1NiJ9"));
        yield return Case("four segments", HttpStatusCode.Unauthorized, Invalid, h => Bearer(h.Api.Token() + ".AAAA"));
        yield return Case("five segments (JWE-shaped)", HttpStatusCode.Unauthorized, Invalid,
            _ => Bearer(RawJwt.Segment(new { alg = "RSA-OAEP", enc = "A256GCM" }) + ".AAAA.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA"));
        yield return Case("non-base64url characters", HttpStatusCode.BadRequest, Malformed, h => Bearer(h.Api.Token().Replace('.', '!')));
        yield return Case("standard-base64 characters in a segment", HttpStatusCode.Unauthorized, Signature,
            h => Bearer(Resign(h.Api.Token(), signature: "ab+/cd+/ef==")));
        yield return Case("header not JSON", HttpStatusCode.Unauthorized, Invalid,
            h => Bearer(Base64UrlEncoder.Encode("{\"alg\":\"RS256\",") + "." + h.Api.Token().Split('.')[1] + ".AAAA"));
        yield return Case("header a JSON array", HttpStatusCode.Unauthorized, Invalid,
            h => Bearer(Base64UrlEncoder.Encode("[\"RS256\",\"at+jwt\"]") + "." + h.Api.Token().Split('.')[1] + ".AAAA"));
        yield return Case("payload a JSON string", HttpStatusCode.Unauthorized, Invalid,
            h => Bearer(h.Api.Token().Split('.')[0] + "." + Base64UrlEncoder.Encode("\"admin\"") + ".AAAA"));
        yield return Case("trailing garbage after the signature", HttpStatusCode.Unauthorized, Signature, h => Bearer(h.Api.Token() + "AAAAAAAA"));
        yield return Case("trailing garbage after a space", HttpStatusCode.BadRequest, Malformed, h => Authorization("Bearer " + h.Api.Token() + " garbage"));
        yield return Case("non-ASCII character in the token", HttpStatusCode.BadRequest, Malformed, h => Authorization("Bearer " + h.Api.Token() + "\u00e9"));
        yield return Case("control character in the token", HttpStatusCode.BadRequest, Malformed, h => Authorization("Bearer " + h.Api.Token().Insert(10, "\u0001")));

        // RFC 6750 §2, §3.1: how credentials arrive.
        yield return Case("no credentials", HttpStatusCode.Unauthorized, Missing, _ => new HttpRequestMessage(HttpMethod.Get, Path));
        yield return Case("Basic scheme", HttpStatusCode.Unauthorized, Missing, _ => Authorization("Basic dXNlcjpwYXNz"));
        yield return Case("scheme glued to the token", HttpStatusCode.Unauthorized, Missing, h => Authorization("Bearer" + h.Api.Token()));
        yield return Case("Bearer without a token", HttpStatusCode.BadRequest, Malformed, _ => Authorization("Bearer"));
        yield return Case("Bearer with only spaces", HttpStatusCode.BadRequest, Malformed, _ => Authorization("Bearer    "));
        yield return Case("Authorization header sent twice", HttpStatusCode.BadRequest, Duplicated,
            h => Authorization("Bearer " + h.Api.Token(), "Bearer " + h.Api.Token()));
        yield return Case("two Bearer credentials in one header", HttpStatusCode.BadRequest, Malformed,
            h => Authorization("Bearer " + h.Api.Token() + ", Bearer " + h.Api.Token()));
        yield return Case("header token plus access_token query", HttpStatusCode.BadRequest, Duplicated, h =>
        {
            var request = Bearer(h.Api.Token());
            request.RequestUri = new Uri(Path + "?access_token=" + h.Api.Token(), UriKind.Relative);
            return request;
        });
        yield return Case("access_token query alone", HttpStatusCode.BadRequest, InQuery,
            h => new HttpRequestMessage(HttpMethod.Get, Path + "?access_token=" + h.Api.Token()));
        yield return Case("access_token form body alone", HttpStatusCode.Unauthorized, Missing, h => new HttpRequestMessage(HttpMethod.Post, Path)
        {
            Content = new FormUrlEncodedContent([new("access_token", h.Api.Token())]),
        });
    }

    private static TestCaseData Case(string name, HttpStatusCode status, string? challenge, Func<AttackHost, HttpRequestMessage> build, Host host = Host.Production)
    {
        var problem = status switch
        {
            HttpStatusCode.OK => null,
            HttpStatusCode.BadRequest => "invalid-request",
            _ when challenge == Missing => "token-missing",
            _ => "invalid-token",
        };
        return new TestCaseData(new AttackCase(name, host, build, status, challenge, problem)).SetArgDisplayNames(name);
    }

    private static HttpRequestMessage Bearer(string token) => Authorization("Bearer " + token);

    private static HttpRequestMessage Authorization(params string[] values)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Path);
        request.Headers.TryAddWithoutValidation("Authorization", values);
        return request;
    }

    private static string ExpiredBy(AttackHost host, TimeSpan ago)
    {
        // Minted valid, then the API's clock moves past 'exp': the token itself is unremarkable.
        var token = host.Api.Token(t => t.Claims["exp"] = host.Api.Time.GetUtcNow().AddMinutes(1).ToUnixTimeSeconds());
        host.Api.Time.Advance(TimeSpan.FromMinutes(1) + ago);
        return token;
    }

    private static string Resign(
        string token,
        Action<Dictionary<string, object>>? header = null,
        Action<Dictionary<string, object?>>? payload = null,
        string? signature = null)
    {
        var parts = token.Split('.');
        var (h, p) = RawJwt.Decode(token);
        header?.Invoke(h);
        payload?.Invoke(p);
        return (header is null ? parts[0] : RawJwt.Segment(h)) + "." + (payload is null ? parts[1] : RawJwt.Segment(p)) + "." + (signature ?? parts[2]);
    }

    private static string ResignWith(string token, SecurityKey key, string algorithm, Action<Dictionary<string, object>> header)
    {
        var (h, _) = RawJwt.Decode(token);
        header(h);
        var signingInput = RawJwt.Segment(h) + "." + token.Split('.')[1];
        return signingInput + "." + SignatureOver(signingInput, key, algorithm);
    }

    private static string SignatureOver(string signingInput, SecurityKey key, string algorithm)
    {
        var provider = key.CryptoProviderFactory.CreateForSigning(key, algorithm);
        try
        {
            return Base64UrlEncoder.Encode(provider.Sign(Encoding.ASCII.GetBytes(signingInput)));
        }
        finally
        {
            key.CryptoProviderFactory.ReleaseSignatureProvider(provider);
        }
    }

    private static string Unsigned(string token, Action<Dictionary<string, object>> header)
    {
        var (h, p) = RawJwt.Decode(token);
        header(h);
        return RawJwt.Unsigned(h, p);
    }

    private static string Hmac(string token, byte[] secret, Action<Dictionary<string, object>>? header = null)
    {
        var (h, p) = RawJwt.Decode(token);
        h["alg"] = "HS256";
        header?.Invoke(h);
        return RawJwt.HmacWithSecret(h, p, secret);
    }

    private static string AlterSignature(string token)
    {
        var parts = token.Split('.');
        var signature = parts[2].ToCharArray();

        // A middle character: the last one may only carry padding bits.
        var i = signature.Length / 2;
        signature[i] = signature[i] == 'A' ? 'B' : 'A';
        return parts[0] + "." + parts[1] + "." + new string(signature);
    }

    private static string SignPayloadJson(AttackHost host, string exp)
    {
        // Raw JSON, so that numbers no serializer would write reach the token handler.
        var now = host.Api.Time.GetUtcNow().ToUnixTimeSeconds();
        var payload = $$"""{"iss":"{{TestIdentityProvider.Issuer}}","aud":"{{TestIdentityProvider.Audience}}","sub":"user-1","iat":{{now}},"exp":{{exp}}}""";
        var key = host.Api.Idp.SigningKey;
        var signingInput = RawJwt.Segment(new Dictionary<string, object> { ["alg"] = "RS256", ["typ"] = "at+jwt", ["kid"] = key.KeyId! })
            + "." + Base64UrlEncoder.Encode(payload);
        return signingInput + "." + SignatureOver(signingInput, key, SecurityAlgorithms.RsaSha256);
    }

    private static string PayloadJson(AttackHost host, string? extra)
    {
        var now = host.Api.Time.GetUtcNow().ToUnixTimeSeconds();
        var payload = $$"""{"iss":"{{TestIdentityProvider.Issuer}}","aud":"{{TestIdentityProvider.Audience}}","sub":"user-1","iat":{{now}},"exp":{{now + 3600}}""";
        return payload + (extra is null ? "" : "," + extra) + "}";
    }

    private static string SignRaw(AttackHost host, string? headerJson, string payloadJson)
    {
        var key = host.Api.Idp.SigningKey;
        headerJson = (headerJson ?? "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"KID\"}").Replace("KID", key.KeyId, StringComparison.Ordinal);
        var signingInput = Base64UrlEncoder.Encode(headerJson) + "." + Base64UrlEncoder.Encode(payloadJson);
        return signingInput + "." + SignatureOver(signingInput, key, SecurityAlgorithms.RsaSha256);
    }

    private static string AttackerCertificate(AttackHost host)
    {
        var now = host.Api.Time.GetUtcNow();
        var request = new CertificateRequest("CN=idp.test", AttackerKey.Rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return Convert.ToBase64String(certificate.RawData);
    }

    /// <summary>What the answer must not echo outside Development: the token's parts, its issuer, audience and key id.</summary>
    private static List<string> Secrets(AttackHost host, HttpRequestMessage request)
    {
        var secrets = new List<string>
        {
            TestIdentityProvider.Issuer,
            TestIdentityProvider.Audience,
            "idp.test",
            "attacker",
            "dev/null",
            "OR 1=1",
            host.Api.Idp.SigningKey.KeyId!,
        };
        var values = request.Headers.TryGetValues("Authorization", out var authorization) ? authorization.ToList() : [];
        if (request.RequestUri?.OriginalString.Split("access_token=") is [_, var query])
        {
            values.Add(query);
        }

        foreach (var value in values)
        {
            foreach (var part in value.Split([' ', '.', ','], StringSplitOptions.RemoveEmptyEntries))
            {
                if (part.Length >= 8)
                {
                    secrets.Add(part.Length > 64 ? part[..64] : part);
                }
            }

            if (value.Split(' ').LastOrDefault()?.Split('.')[0] is { Length: > 0 } header && TryReadKid(header) is { Length: >= 3 } kid)
            {
                secrets.Add(kid);
            }
        }

        return secrets;
    }

    private static string? TryReadKid(string segment)
    {
        try
        {
            using var json = JsonDocument.Parse(Base64UrlEncoder.Decode(segment));
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("kid", out var kid) && kid.ValueKind == JsonValueKind.String
                ? kid.GetString()
                : null;
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    public sealed record AttackCase(
        string Name,
        Host Host,
        Func<AttackHost, HttpRequestMessage> Build,
        HttpStatusCode Status,
        string? Challenge,
        string? Problem)
    {
        public override string ToString() => Name;
    }

    /// <summary>An API under attack, with a backchannel that would serve the attacker's keys if anything fetched them.</summary>
    public sealed class AttackHost : IAsyncDisposable
    {
        private AttackHost(TestApi api, AttackerBackchannel backchannel)
        {
            Api = api;
            Backchannel = backchannel;
        }

        internal TestApi Api { get; }

        internal AttackerBackchannel Backchannel { get; }

        internal static async Task<AttackHost> StartAsync(string environment, Dictionary<string, string?> settings)
        {
            var idp = new TestIdentityProvider();
            var backchannel = new AttackerBackchannel(idp);
            var api = await TestApi.StartAsync(new TestApiOptions
            {
                Environment = environment,
                Settings = settings,
                IdentityProvider = idp,
                ConfigureServicesAfter = b => b.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.BackchannelHttpHandler = backchannel),
                Map = app =>
                {
                    app.MapGet(Path, (HttpContext c) => c.User.FindFirst("sub")?.Value);
                    app.MapPost(Path, (HttpContext c) => c.User.FindFirst("sub")?.Value);
                },
            });
            return new AttackHost(api, backchannel);
        }

        public ValueTask DisposeAsync() => Api.DisposeAsync();
    }

    /// <summary>
    /// JwtBearer's backchannel: the identity provider for its own host, the attacker's keys for any other. A request
    /// that reaches the attacker's host means a header-supplied URL was followed.
    /// </summary>
    internal sealed class AttackerBackchannel(TestIdentityProvider idp) : DelegatingHandler(idp)
    {
        public const string JwksUrl = "https://attacker.test/jwks.json";
        public const string CertificateUrl = "https://attacker.test/cert.pem";

        private readonly ConcurrentQueue<Uri> _foreign = new();

        public IReadOnlyCollection<Uri> ForeignRequests => _foreign;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            if (uri.Host == new Uri(TestIdentityProvider.Issuer).Host && uri.AbsolutePath != "/redirect")
            {
                return base.SendAsync(request, cancellationToken);
            }

            _foreign.Enqueue(uri);
            var jwks = JsonSerializer.Serialize(new { keys = new[] { TestIdentityProvider.PublicJwk(AttackerKey) } });
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(jwks, Encoding.UTF8, "application/json") });
        }
    }
}
