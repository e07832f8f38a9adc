namespace ApiShield.RateLimiting;

/// <summary>Calendar hours, days, ISO weeks or months in one time zone, as Unix-microsecond intervals.</summary>
/// <remarks>
/// A period starts at local midnight (or the top of the local hour). Where daylight saving time skips that local
/// time, the period starts at the first local time that exists after it; where it repeats, at its first occurrence.
/// Where the offset changes by part of an hour, an hour period also starts at the change.
/// </remarks>
internal sealed class CalendarPeriods
{
    private readonly QuotaCalendar _calendar;
    private readonly TimeZoneInfo _zone;
    private PeriodBoundaries? _last;

    public CalendarPeriods(QuotaCalendar calendar, TimeZoneInfo zone)
    {
        if (calendar == QuotaCalendar.Rolling)
        {
            throw new ArgumentOutOfRangeException(nameof(calendar), calendar, "A rolling window has no calendar periods.");
        }

        _calendar = calendar;
        _zone = zone;
    }

    /// <summary>The nominal length of a period in seconds (a month counts 30 days), for <c>RateLimit-Policy</c>'s <c>w</c>.</summary>
    public long NominalSeconds => _calendar switch
    {
        QuotaCalendar.Hour => 3_600,
        QuotaCalendar.Day => 86_400,
        QuotaCalendar.Week => 604_800,
        _ => 2_592_000,
    };

    /// <summary>The period containing <paramref name="nowMicros"/>: <c>[start, end)</c>.</summary>
    public (long Start, long End) Find(long nowMicros)
    {
        var now = RateLimitClock.FromUnixMicros(nowMicros);
        var start = StartOf(now);
        var end = Next(start);

        // A start moved forward over a daylight-saving gap can lie after 'now'; the period before it is the one.
        if (start > now)
        {
            end = start;
            start = StartOf(start.AddTicks(-1));
        }

        return (RateLimitClock.ToUnixMicros(start), RateLimitClock.ToUnixMicros(end));
    }

    /// <summary>
    /// The period holding <paramref name="nowMicros"/> and the next one's end: the Redis store names both periods'
    /// counters (the next one for a server clock that stepped back).
    /// </summary>
    /// <remarks>They are the same for every instant of a period, so the last ones are kept and time-zone arithmetic runs once per period.</remarks>
    public PeriodBoundaries BoundariesAt(long nowMicros)
    {
        if (Volatile.Read(ref _last) is { } last && nowMicros >= last.Start && nowMicros < last.End)
        {
            return last;
        }

        var (start, end) = Find(nowMicros);
        var (_, next) = Find(end);
        var boundaries = new PeriodBoundaries(start, end, next);
        Volatile.Write(ref _last, boundaries);
        return boundaries;
    }

    private DateTimeOffset StartOf(DateTimeOffset instant)
    {
        if (_calendar == QuotaCalendar.Hour)
        {
            // Hours are aligned to the zone's offset, so a +05:30 zone's hours start at half past in UTC.
            var offset = _zone.GetUtcOffset(instant);
            var local = instant.UtcTicks + offset.Ticks;
            var hourStart = local - (local % TimeSpan.TicksPerHour) - offset.Ticks;
            if (_zone.GetUtcOffset(new DateTimeOffset(hourStart, TimeSpan.Zero)) != offset)
            {
                // The offset changed by part of an hour within this local hour (Lord Howe Island's 30-minute
                // daylight saving time): the period starts at the change, or it would overlap the one before.
                hourStart = FirstInstantWithOffset(hourStart, instant.UtcTicks, offset);
            }

            return new DateTimeOffset(hourStart, TimeSpan.Zero);
        }

        var localTime = TimeZoneInfo.ConvertTime(instant, _zone).DateTime;
        var date = localTime.Date;
        date = _calendar switch
        {
            QuotaCalendar.Day => date,
            QuotaCalendar.Week => date.AddDays(-(((int)date.DayOfWeek + 6) % 7)),
            _ => new DateTime(date.Year, date.Month, 1, 0, 0, 0, DateTimeKind.Unspecified),
        };
        return ToInstant(DateTime.SpecifyKind(date, DateTimeKind.Unspecified));
    }

    private DateTimeOffset Next(DateTimeOffset start)
    {
        if (_calendar == QuotaCalendar.Hour)
        {
            return StartOf(start.AddHours(1).AddMinutes(1));
        }

        var local = TimeZoneInfo.ConvertTime(start, _zone).DateTime.Date;
        var next = _calendar switch
        {
            QuotaCalendar.Day => local.AddDays(1),
            QuotaCalendar.Week => local.AddDays(7),
            _ => local.AddMonths(1),
        };
        return ToInstant(DateTime.SpecifyKind(next, DateTimeKind.Unspecified));
    }

    /// <summary>The first UTC tick in <c>(before, at]</c> with <paramref name="offset"/>, which <paramref name="at"/> has and <paramref name="before"/> has not.</summary>
    private long FirstInstantWithOffset(long before, long at, TimeSpan offset)
    {
        while (at - before > 1)
        {
            var middle = before + ((at - before) / 2);
            if (_zone.GetUtcOffset(new DateTimeOffset(middle, TimeSpan.Zero)) == offset)
            {
                at = middle;
            }
            else
            {
                before = middle;
            }
        }

        return at;
    }

    private DateTimeOffset ToInstant(DateTime local)
    {
        while (_zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        if (_zone.IsAmbiguousTime(local))
        {
            // The first occurrence is the one with the larger offset (daylight time, before the clocks go back).
            var offsets = _zone.GetAmbiguousTimeOffsets(local);
            var largest = offsets.Max();
            return new DateTimeOffset(local, largest);
        }

        return new DateTimeOffset(local, _zone.GetUtcOffset(local));
    }
}
