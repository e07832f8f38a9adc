using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ApiShield.Tests.Scopes;

// Controllers for the scope tests; ListedControllers exposes only the ones a host names.

[ApiController]
[Route("mvc/class")]
[RequireScope("orders:read")]
public sealed class ClassScopedController : ControllerBase
{
    [HttpGet]
    public string Get() => "ok";
}

[ApiController]
[Route("mvc/action")]
public sealed class ActionScopedController : ControllerBase
{
    [HttpGet]
    [RequireScope("orders:read")]
    public string Get() => "ok";
}

[ApiController]
[Route("mvc/class-and-action")]
[RequireScope("a")]
public sealed class ClassAndActionScopedController : ControllerBase
{
    [HttpGet]
    [RequireScope("b")]
    public string Get() => "ok";
}

[ApiController]
[Route("mvc/require-all")]
public sealed class RequireAllScopedController : ControllerBase
{
    [HttpGet]
    [RequireScope("a", "b", RequireAll = true)]
    public string Get() => "ok";
}

[ApiController]
[Route("mvc/anonymous-scoped")]
[AllowAnonymous]
public sealed class AnonymousScopedController : ControllerBase
{
    [HttpGet]
    [RequireScope("orders:read")]
    public string Get() => "ok";
}

[ApiController]
[Route("mvc/any-scope")]
[AllowAnyScope]
public sealed class AnyScopeController : ControllerBase
{
    [HttpGet]
    public string Get() => "ok";
}

[ApiController]
[Route("mvc/undeclared")]
public sealed class UndeclaredController : ControllerBase
{
    [HttpGet]
    public string Get() => "ok";

    [HttpDelete("{id:int}")]
    public string Delete(int id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
