using Microsoft.AspNetCore.Mvc;

namespace ApiShield.Sample.Controllers;

/// <summary>Sales reports: a controller protected by the same attribute minimal APIs use.</summary>
[ApiController]
[Route("reports")]
[RequireScope("reports:read", "orders:admin")]
public sealed class ReportsController(OrderStore store) : ControllerBase
{
    /// <summary>Totals per product; needs <c>reports:read</c> or <c>orders:admin</c>.</summary>
    [HttpGet("sales")]
    public IActionResult Sales() => Ok(store.All()
        .GroupBy(o => o.Product)
        .Select(g => new { product = g.Key, orders = g.Count(), total = g.Sum(o => o.Total) }));
}
