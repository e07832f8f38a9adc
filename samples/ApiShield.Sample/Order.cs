namespace ApiShield.Sample;

/// <summary>An order as the API returns it. <see cref="InternalNote"/> never leaves the API.</summary>
public sealed record Order(
    int Id,
    string Product,
    int Quantity,
    decimal Total,
    Customer Customer,
    [property: Sensitive] string InternalNote);

/// <summary>
/// Who placed the order. The email is visible only to callers with <c>pii:read</c> (others get <c>****</c>); the card
/// number is always masked to its last four digits.
/// </summary>
public sealed record Customer(
    string Name,
    [property: Sensitive(VisibleWithScope = "pii:read", Otherwise = SensitiveAction.Mask)] string Email,
    [property: Sensitive(Otherwise = SensitiveAction.Mask, KeepLast = 4)] string CardNumber);

/// <summary>What a client sends to place an order.</summary>
public sealed record NewOrder(string Product, int Quantity, Customer? Customer = null);
