using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ApiShield.Tests.Filtering;

/// <summary>An MVC action returning an annotated type, to check the filter is wired into MVC's JSON options too.</summary>
[ApiController]
[Route("filtering-probe")]
[AllowAnonymous]
public sealed class FilteringProbeController : ControllerBase
{
    [HttpGet]
    public Account Get() => FilteringSamples.Account;
}
