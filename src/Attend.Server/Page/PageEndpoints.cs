using System.Reflection;

namespace Attend.Server.Page;

/// <summary>
/// GET / and the files of the page (wwwroot/, embedded in the assembly so the packed tool carries them):
/// plain HTML, JS and SVG, nothing fetched from elsewhere.
/// </summary>
internal static class PageEndpoints
{
    private static readonly Dictionary<string, string> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    public static IEndpointRouteBuilder MapPage(this IEndpointRouteBuilder app)
    {
        foreach (var (path, file) in Files())
        {
            var type = Types[Path.GetExtension(path)];
            var route = path == "/index.html" ? "/" : path;
            app.MapGet(route, (HttpResponse response) =>
            {
                response.Headers.CacheControl = "no-cache";
                return TypedResults.Bytes(file, type);
            });
        }
        return app;
    }

    /// <summary>Every embedded wwwroot/ file as (URL path, bytes).</summary>
    private static IEnumerable<(string Path, byte[] Bytes)> Files()
    {
        var asm = Assembly.GetExecutingAssembly();
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal)))
        {
            using var stream = asm.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            yield return (name["wwwroot".Length..], copy.ToArray());
        }
    }
}
