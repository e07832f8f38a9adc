namespace ApiShield.RateLimiting;

/// <summary>A calendar period and its neighbours, in Unix microseconds (<see cref="CalendarPeriods.BoundariesAt(long)"/>).</summary>
/// <param name="PreviousStart">The previous period's start.</param>
/// <param name="Start">This period's start.</param>
/// <param name="End">This period's end, the next one's start.</param>
/// <param name="NextEnd">The next period's end.</param>
internal sealed record PeriodBoundaries(long PreviousStart, long Start, long End, long NextEnd);
