namespace ApiShield.Diagnostics;

/// <summary>A kind of rejection: one stable RFC 9457 <c>type</c> URI, title and status per reason.</summary>
internal sealed class ProblemType
{
    // RFC 9457 §3.1.1 recommends a tag URI (RFC 4151) for problem types that are not meant to be dereferenced.
    private const string TypePrefix = "tag:apishield.dev,2026:problem:";

    public ProblemType(string name, string title, int status)
    {
        Name = name;
        Title = title;
        Status = status;
        Uri = TypePrefix + name;
    }

    public string Name { get; }

    public string Title { get; }

    public int Status { get; }

    public string Uri { get; }
}
