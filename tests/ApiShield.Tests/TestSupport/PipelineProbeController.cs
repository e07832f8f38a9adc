using Microsoft.AspNetCore.Mvc;

namespace ApiShield.Tests.TestSupport;

[ApiController]
[Route("controller")]
[RequireScope("orders:read")]
public sealed class PipelineProbeController : ControllerBase
{
    [HttpGet]
    public string Get() => "controller";
}
