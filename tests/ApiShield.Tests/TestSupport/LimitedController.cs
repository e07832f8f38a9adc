using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ApiShield.Tests.TestSupport;

/// <summary>An MVC controller with JSON limits on the controller and on an action.</summary>
[ApiController]
[Route("limited")]
[AllowAnonymous]
[JsonLimits(MaxArrayLength = 2, MaxObjectEntries = 10)]
public sealed class LimitedController : ControllerBase
{
    [HttpPost("controller")]
    public string Controller([FromBody] JsonElement body) => "ok";

    [HttpPost("action")]
    [JsonLimits(MaxObjectEntries = 2)]
    public string Action([FromBody] JsonElement body) => "ok";

    [HttpPost("xml-or-json")]
    [Consumes("application/json", "application/xml")]
    public async Task<string> XmlOrJson()
    {
        using var reader = new StreamReader(Request.Body);
        var text = await reader.ReadToEndAsync();
        return text.StartsWith('<') ? "xml" : "json";
    }
}
