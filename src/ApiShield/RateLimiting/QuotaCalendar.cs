namespace ApiShield.RateLimiting;

/// <summary>How a <see cref="RateLimitKind.Quota"/> policy's window is placed in time.</summary>
public enum QuotaCalendar
{
    /// <summary>A rolling window: at any moment, the requests of the last <see cref="RateLimitPolicyOptions.Window"/> count.</summary>
    Rolling,

    /// <summary>Calendar hours in the policy's time zone.</summary>
    Hour,

    /// <summary>Calendar days (midnight to midnight) in the policy's time zone.</summary>
    Day,

    /// <summary>ISO weeks (Monday 00:00 to Monday 00:00) in the policy's time zone.</summary>
    Week,

    /// <summary>Calendar months (the 1st, 00:00) in the policy's time zone.</summary>
    Month,
}
