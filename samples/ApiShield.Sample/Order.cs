namespace ApiShield.Sample;

/// <summary>An order as the API returns it.</summary>
public sealed record Order(int Id, string Product, int Quantity, decimal Total);

/// <summary>What a client sends to place an order.</summary>
public sealed record NewOrder(string Product, int Quantity);
