using System.Collections.Concurrent;

namespace ApiShield.Sample;

/// <summary>In-memory orders, so the sample needs nothing installed.</summary>
public sealed class OrderStore
{
    private static readonly Customer Guest = new("Guest", "guest@example.com", "4000056655665556");

    private readonly ConcurrentDictionary<int, Order> _orders = new();
    private int _nextId = 2;

    public OrderStore()
    {
        _orders[1] = new Order(1, "Widget", 3, 29.97m, new Customer("Ann Lee", "ann@example.com", "4111111111111111"), "Chargeback risk: verify address");
        _orders[2] = new Order(2, "Gadget", 1, 149.00m, new Customer("Bo Chen", "bo@example.com", "5500005555555559"), "VIP: expedite");
    }

    public IReadOnlyList<Order> All() => [.. _orders.Values.OrderBy(o => o.Id)];

    public Order? Find(int id) => _orders.GetValueOrDefault(id);

    public Order Add(NewOrder order)
    {
        var id = Interlocked.Increment(ref _nextId);
        var created = new Order(id, order.Product, order.Quantity, order.Quantity * 9.99m, order.Customer ?? Guest, "Created through the API");
        _orders[id] = created;
        return created;
    }
}
