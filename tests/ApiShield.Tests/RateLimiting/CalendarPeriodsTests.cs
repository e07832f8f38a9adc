using System.Globalization;
using ApiShield.RateLimiting;

namespace ApiShield.Tests.RateLimiting;

[TestFixture]
public sealed class CalendarPeriodsTests
{
    private static long Micros(string utc) => RateLimitClock.ToUnixMicros(DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));

    private static (string Start, string End) Find(QuotaCalendar calendar, string zone, string utc)
    {
        var periods = new CalendarPeriods(calendar, TimeZoneInfo.FindSystemTimeZoneById(zone));
        var (start, end) = periods.Find(Micros(utc));
        return (Format(start), Format(end));
    }

    private static string Format(long micros) => RateLimitClock.FromUnixMicros(micros).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    // Europe/Berlin: CET (+1) / CEST (+2); 2026 spring-forward 29 March 02:00 -> 03:00, fall-back 25 October 03:00 -> 02:00.
    [TestCase("Europe/Berlin", "2026-01-15T12:00:00Z", "2026-01-14T23:00:00Z", "2026-01-15T23:00:00Z", TestName = "Find_DayInBerlinWinter_LocalMidnightToMidnight")]
    [TestCase("Europe/Berlin", "2026-01-15T23:00:00Z", "2026-01-15T23:00:00Z", "2026-01-16T23:00:00Z", TestName = "Find_DayAtLocalMidnight_StartsThere")]
    [TestCase("Europe/Berlin", "2026-01-15T22:59:59Z", "2026-01-14T23:00:00Z", "2026-01-15T23:00:00Z", TestName = "Find_DayJustBeforeLocalMidnight_EndsThere")]
    [TestCase("Europe/Berlin", "2026-03-29T12:00:00Z", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", TestName = "Find_DayOfSpringForward_Lasts23Hours")]
    [TestCase("Europe/Berlin", "2026-10-25T12:00:00Z", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", TestName = "Find_DayOfFallBack_Lasts25Hours")]
    [TestCase("America/New_York", "2026-03-08T12:00:00Z", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", TestName = "Find_DayOfSpringForwardInNewYork_Lasts23Hours")]
    [TestCase("America/New_York", "2026-11-01T12:00:00Z", "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", TestName = "Find_DayOfFallBackInNewYork_Lasts25Hours")]
    [TestCase("America/New_York", "2026-01-16T00:01:00Z", "2026-01-15T05:00:00Z", "2026-01-16T05:00:00Z", TestName = "Find_DayInNewYorkAfterUtcMidnight_IsStillTheLocalDay")]
    [TestCase("Asia/Kolkata", "2026-01-15T12:00:00Z", "2026-01-14T18:30:00Z", "2026-01-15T18:30:00Z", TestName = "Find_DayInHalfHourZone_StartsAtHalfPastInUtc")]
    [TestCase("UTC", "2026-01-15T12:00:00Z", "2026-01-15T00:00:00Z", "2026-01-16T00:00:00Z", TestName = "Find_DayInUtc_UtcMidnights")]
    public void Find_Day(string zone, string now, string start, string end)
        => Assert.That(Find(QuotaCalendar.Day, zone, now), Is.EqualTo((start, end)));

    [TestCase("Europe/Berlin", "2026-01-15T12:34:56Z", "2026-01-15T12:00:00Z", "2026-01-15T13:00:00Z", TestName = "Find_HourInBerlin_TopOfTheHour")]
    [TestCase("Europe/Berlin", "2026-03-29T00:30:00Z", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", TestName = "Find_HourBeforeSpringForward_EndsAtTheGap")]
    [TestCase("Europe/Berlin", "2026-03-29T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z", TestName = "Find_HourAfterSpringForward_StartsAtThreeLocal")]
    [TestCase("Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", TestName = "Find_HourFirstTwoOClockOfFallBack_IsItsOwnHour")]
    [TestCase("Europe/Berlin", "2026-10-25T01:30:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z", TestName = "Find_HourRepeatedTwoOClockOfFallBack_IsItsOwnHour")]
    [TestCase("Asia/Kolkata", "2026-01-15T12:00:00Z", "2026-01-15T11:30:00Z", "2026-01-15T12:30:00Z", TestName = "Find_HourInHalfHourZone_StartsAtHalfPastInUtc")]
    public void Find_Hour(string zone, string now, string start, string end)
        => Assert.That(Find(QuotaCalendar.Hour, zone, now), Is.EqualTo((start, end)));

    [TestCase("Europe/Berlin", "2026-01-15T12:00:00Z", "2026-01-11T23:00:00Z", "2026-01-18T23:00:00Z", TestName = "Find_WeekInBerlin_IsoMondayToMonday")]
    [TestCase("Europe/Berlin", "2026-01-11T22:59:59Z", "2026-01-04T23:00:00Z", "2026-01-11T23:00:00Z", TestName = "Find_WeekLateSundayLocal_IsThePreviousWeek")]
    [TestCase("Europe/Berlin", "2026-03-26T12:00:00Z", "2026-03-22T23:00:00Z", "2026-03-29T22:00:00Z", TestName = "Find_WeekWithSpringForward_Lasts167Hours")]
    [TestCase("Asia/Kolkata", "2026-01-15T12:00:00Z", "2026-01-11T18:30:00Z", "2026-01-18T18:30:00Z", TestName = "Find_WeekInHalfHourZone_StartsAtLocalMondayMidnight")]
    public void Find_Week(string zone, string now, string start, string end)
        => Assert.That(Find(QuotaCalendar.Week, zone, now), Is.EqualTo((start, end)));

    [TestCase("America/New_York", "2026-03-15T12:00:00Z", "2026-03-01T05:00:00Z", "2026-04-01T04:00:00Z", TestName = "Find_MonthWithSpringForward_StartsInStandardAndEndsInDaylightTime")]
    [TestCase("America/New_York", "2026-02-01T04:59:59Z", "2026-01-01T05:00:00Z", "2026-02-01T05:00:00Z", TestName = "Find_MonthLastSecondLocal_IsStillTheOldMonth")]
    [TestCase("America/New_York", "2026-02-01T05:00:00Z", "2026-02-01T05:00:00Z", "2026-03-01T05:00:00Z", TestName = "Find_MonthFirstInstantLocal_IsTheNewMonth")]
    [TestCase("Europe/Berlin", "2026-12-31T23:30:00Z", "2026-12-31T23:00:00Z", "2027-01-31T23:00:00Z", TestName = "Find_MonthAcrossYearEnd_LocalJanuary")]
    [TestCase("Asia/Kolkata", "2026-02-28T19:00:00Z", "2026-02-28T18:30:00Z", "2026-03-31T18:30:00Z", TestName = "Find_MonthInHalfHourZone_StartsAtLocalMidnight")]
    public void Find_Month(string zone, string now, string start, string end)
        => Assert.That(Find(QuotaCalendar.Month, zone, now), Is.EqualTo((start, end)));

    [Test]
    public void Find_DayWhoseMidnightDoesNotExist_StartsAtTheFirstLocalTimeAfterIt()
    {
        // America/Santiago springs forward at local midnight (-04 -> -03): on 6 September 2026 00:00-00:59 do not
        // exist, so that day starts at 01:00 -03 (04:00 UTC), which is also where the day before ends (23 hours).
        Assert.Multiple(() =>
        {
            Assert.That(Find(QuotaCalendar.Day, "America/Santiago", "2026-09-06T12:00:00Z"), Is.EqualTo(("2026-09-06T04:00:00Z", "2026-09-07T03:00:00Z")));
            Assert.That(Find(QuotaCalendar.Day, "America/Santiago", "2026-09-06T03:59:59Z"), Is.EqualTo(("2026-09-05T04:00:00Z", "2026-09-06T04:00:00Z")));
        });
    }

    [Test]
    public void Find_EveryHourOfAYear_PeriodsTileTimeWithoutGapsOrOverlaps()
    {
        foreach (var calendar in new[] { QuotaCalendar.Hour, QuotaCalendar.Day, QuotaCalendar.Week, QuotaCalendar.Month })
        {
            foreach (var zone in new[] { "Europe/Berlin", "America/New_York", "Asia/Kolkata", "America/Santiago", "Australia/Lord_Howe" })
            {
                var periods = new CalendarPeriods(calendar, TimeZoneInfo.FindSystemTimeZoneById(zone));
                var now = Micros("2026-01-01T00:00:00Z");
                var (start, end) = periods.Find(now);
                var last = Micros("2027-01-01T00:00:00Z");
                while (end < last)
                {
                    Assert.That(start, Is.LessThan(end), $"{calendar} {zone} {Format(start)}");
                    var (nextStart, nextEnd) = periods.Find(end);
                    Assert.That(nextStart, Is.EqualTo(end), $"{calendar} {zone}: the period after {Format(start)}..{Format(end)} starts at {Format(nextStart)}");
                    var (beforeStart, beforeEnd) = periods.Find(end - 1);
                    Assert.That((beforeStart, beforeEnd), Is.EqualTo((start, end)), $"{calendar} {zone}: the last microsecond of {Format(start)}..{Format(end)}");
                    (start, end) = (nextStart, nextEnd);
                }
            }
        }
    }

    [Test]
    public void BoundariesAt_DayInBerlin_CurrentAndNextPeriods()
    {
        var periods = new CalendarPeriods(QuotaCalendar.Day, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

        var found = periods.BoundariesAt(Micros("2026-03-29T12:00:00Z"));
        var boundaries = new[] { found.Start, found.End, found.NextEnd };

        Assert.That(boundaries.Select(Format), Is.EqualTo(new[]
        {
            "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", "2026-03-30T22:00:00Z",
        }));
    }

    [Test]
    public void Constructor_Rolling_Throws()
        => Assert.That(() => new CalendarPeriods(QuotaCalendar.Rolling, TimeZoneInfo.Utc), Throws.TypeOf<ArgumentOutOfRangeException>());
}
