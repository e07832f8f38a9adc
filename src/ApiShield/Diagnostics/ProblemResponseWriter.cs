using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ApiShield.Diagnostics;

/// <summary>Writes every ApiShield rejection as RFC 9457 problem details.</summary>
internal static class ProblemResponseWriter
{
    public const string ContentType = "application/problem+json";

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    /// <summary>Writes <paramref name="problem"/> with an optional human-readable detail and extra members.</summary>
    /// <remarks>The detail must never contain token text, claim values or payload content.</remarks>
    public static Task WriteAsync(
        HttpContext context,
        ProblemType problem,
        string? detail = null,
        Action<Utf8JsonWriter>? writeExtensions = null)
    {
        var response = context.Response;
        response.StatusCode = problem.Status;
        response.ContentType = ContentType;

        // Rejections describe this request only; a shared cache must not replay them to anyone else.
        response.Headers.CacheControl = "no-store";

        var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("type", problem.Uri);
        writer.WriteString("title", problem.Title);
        writer.WriteNumber("status", problem.Status);
        if (detail is not null)
        {
            writer.WriteString("detail", detail);
        }

        writeExtensions?.Invoke(writer);

        var traceId = Activity.Current?.Id ?? context.TraceIdentifier;
        writer.WriteString("traceId", traceId);
        writer.WriteEndObject();
        writer.Flush();
        writer.Dispose();

        return response.BodyWriter.FlushAsync(context.RequestAborted).AsTask();
    }

    /// <summary>Sets the <c>WWW-Authenticate</c> challenge before writing the problem.</summary>
    public static Task WriteChallengeAsync(HttpContext context, ProblemType problem, string challenge, string? detail = null)
    {
        context.Response.Headers[HeaderNames.WWWAuthenticate] = challenge;
        return WriteAsync(context, problem, detail);
    }
}
