namespace ApiShield.Filtering;

/// <summary>Content detectors that find sensitive values wherever they appear in a JSON response.</summary>
/// <remarks>
/// Detectors look at string values (and, for payment cards, at numbers), not at property names. Configure them as a
/// comma-separated list, for example <c>"PaymentCard, Iban, Secrets"</c>.
/// </remarks>
[Flags]
public enum SensitiveDataDetectors
{
    /// <summary>No detector runs.</summary>
    None = 0,

    /// <summary>Payment card numbers: 13 to 19 digits, optionally grouped by single spaces or dashes, passing the Luhn check.</summary>
    PaymentCard = 1,

    /// <summary>
    /// US Social Security numbers written <c>AAA-GG-SSSS</c> (or with spaces), excluding ranges the SSA never issues:
    /// area 000, 666 and 900–999, group 00, serial 0000.
    /// </summary>
    UsSocialSecurityNumber = 2,

    /// <summary>International bank account numbers (ISO 13616): country code, check digits, 11–30 characters, mod-97 valid.</summary>
    Iban = 4,

    /// <summary>PEM private key blocks (<c>-----BEGIN … PRIVATE KEY-----</c>).</summary>
    PrivateKey = 8,

    /// <summary>JSON Web Tokens in compact serialization (JWS or JWE): base64url segments starting with <c>eyJ</c>.</summary>
    Jwt = 16,

    /// <summary>AWS access key ids (<c>AKIA</c>, <c>ASIA</c>, <c>ABIA</c>, <c>ACCA</c> followed by 16 characters).</summary>
    AwsAccessKey = 32,

    /// <summary>Every secret detector: <see cref="PrivateKey"/>, <see cref="Jwt"/> and <see cref="AwsAccessKey"/>.</summary>
    Secrets = PrivateKey | Jwt | AwsAccessKey,

    /// <summary>Every detector.</summary>
    All = PaymentCard | UsSocialSecurityNumber | Iban | Secrets,
}
