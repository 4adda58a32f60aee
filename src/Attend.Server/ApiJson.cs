using System.Text.Json;
using System.Text.Json.Serialization;

namespace Attend.Server;

/// <summary>JSON of the API: camelCase fields (web defaults), enums as strings, absent optional fields omitted.</summary>
internal static class ApiJson
{
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }
}
