using System.Collections.Concurrent;

namespace ApiShield.Sample;

/// <summary>In-memory orders, so the sample needs nothing installed.</summary>
public sealed class OrderStore
{
    private readonly ConcurrentDictionary<int, Order> _orders = new();
    private int _nextId = 2;

    public OrderStore()
    {
        _orders[1] = new Order(1, "Widget", 3, 29.97m);
        _orders[2] = new Order(2, "Gadget", 1, 149.00m);
    }

    public IReadOnlyList<Order> All() => [.. _orders.Values.OrderBy(o => o.Id)];

    public Order? Find(int id) => _orders.GetValueOrDefault(id);

    public Order Add(NewOrder order)
    {
        var id = Interlocked.Increment(ref _nextId);
        var created = new Order(id, order.Product, order.Quantity, order.Quantity * 9.99m);
        _orders[id] = created;
        return created;
    }
}
