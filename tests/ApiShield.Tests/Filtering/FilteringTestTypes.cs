namespace ApiShield.Tests.Filtering;

public sealed record Account(
    int Id,
    [property: Sensitive(VisibleWithScope = "pii:read", Otherwise = SensitiveAction.Mask)] string Email,
    [property: Sensitive(Otherwise = SensitiveAction.Mask, KeepLast = 4)] string CardNumber,
    [property: Sensitive] string InternalNote,
    Address Home,
    IReadOnlyList<Address> Previous);

/// <summary>The attribute on the record parameter, without a <c>property:</c> target, counts too.</summary>
public sealed record Address(string City, [Sensitive(Otherwise = SensitiveAction.Hash)] string Street);

internal static class FilteringSamples
{
    public static Account Account { get; } = new(
        1,
        "ann@example.com",
        "4111111111111111",
        "fraud check pending",
        new Address("Oslo", "Karl Johans gate 1"),
        [new Address("Bergen", "Bryggen 2"), new Address("Trondheim", "Munkegata 3")]);

    /// <summary>The same account as raw JSON, as the serializer writes it with web defaults.</summary>
    public const string AccountJson = """{"id":1,"email":"ann@example.com","cardNumber":"4111111111111111","internalNote":"fraud check pending","home":{"city":"Oslo","street":"Karl Johans gate 1"},"previous":[{"city":"Bergen","street":"Bryggen 2"},{"city":"Trondheim","street":"Munkegata 3"}]}""";
}
