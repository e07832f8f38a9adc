namespace ApiShield.Stores.Redis;

/// <summary>The Lua scripts under <c>Stores/Redis/Scripts</c>, read once from the assembly's resources.</summary>
internal static class RedisScripts
{
    public static readonly string RevocationAppend = Load("revocation-append.lua");

    public static readonly string RevocationRead = Load("revocation-read.lua");

    public static readonly string RateLimit = Load("rate-limit.lua");

    private static string Load(string name)
    {
        using var stream = typeof(RedisScripts).Assembly.GetManifestResourceStream("ApiShield.Stores.Redis.Scripts." + name)
            ?? throw new InvalidOperationException($"The embedded script '{name}' is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
