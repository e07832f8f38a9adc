namespace ApiShield.RateLimiting;

/// <summary>A calendar period and the next one's end, in Unix microseconds (<see cref="CalendarPeriods.BoundariesAt(long)"/>).</summary>
/// <param name="Start">This period's start.</param>
/// <param name="End">This period's end, the next one's start.</param>
/// <param name="NextEnd">The next period's end.</param>
internal sealed record PeriodBoundaries(long Start, long End, long NextEnd);
