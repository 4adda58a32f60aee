using System.Globalization;
using System.Reflection;
using System.Text;
using Attend.ConfigKeys;
using Attend.Tensors.IO;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Attend.Config;

/// <summary>
/// Binds YAML onto <see cref="RunConfig"/>: every key is the snake_case name of a property; unknown keys,
/// wrong types and out-of-range values are errors naming the full key path and the file:line.
/// <c>--set a.b=value</c> overrides are applied after the file, with the same checks. A config is at most
/// <see cref="MaxBytes"/> long and nested at most <see cref="MaxDepth"/> levels deep (checked on the parser's
/// events before the document is built, so a pathological file is an error, not a stack overflow).
/// </summary>
public static class ConfigLoader
{
    /// <summary>The longest config file, in bytes (1 MiB).</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>The deepest nesting of mappings and lists a config may have.</summary>
    public const int MaxDepth = 32;

    /// <summary>Reads and binds the YAML config at <paramref name="path"/>, then applies <paramref name="overrides"/> (<c>key.path=value</c>).</summary>
    /// <exception cref="ConfigException">the file is missing, not YAML, or has an unknown key or a bad value (the message names the file,
    /// line and key)</exception>
    public static RunConfig LoadFile(string path, IEnumerable<string>? overrides = null)
    {
        InputFile.Check(path);
        if (!File.Exists(path)) throw new ConfigException($"{path}: config file not found");
        var bytes = InputFile.ReadAllBytes(path, MaxBytes, "a config file");
        int bom = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        return Load(Encoding.UTF8.GetString(bytes, bom, bytes.Length - bom), path, overrides);
    }

    /// <summary>Parses YAML text; <paramref name="origin"/> names it in errors.</summary>
    public static RunConfig Load(string yaml, string origin = "<config>", IEnumerable<string>? overrides = null)
    {
        if (Encoding.UTF8.GetByteCount(yaml) > MaxBytes)
            throw new ConfigException($"{origin}: larger than {MaxBytes} bytes, the limit for a config");
        var stream = new YamlStream();
        try
        {
            CheckDepth(yaml, origin);
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException($"{origin}:{e.Start.Line}: invalid YAML ({e.Message})");
        }
        object config = new RunConfig();
        if (stream.Documents.Count > 0 && stream.Documents[0].RootNode is not YamlScalarNode { Value: null or "" })
            config = Bind(typeof(RunConfig), stream.Documents[0].RootNode, "", origin, config);
        foreach (var o in overrides ?? [])
            config = ApplyOverride(config, o);
        return (RunConfig)config;
    }

    /// <summary>Walks the parser's events (no tree, no recursion) and refuses nesting deeper than <see cref="MaxDepth"/>.</summary>
    private static void CheckDepth(string yaml, string origin)
    {
        var parser = new Parser(new StringReader(yaml));
        int depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                    if (++depth > MaxDepth)
                        throw new ConfigException($"{origin}:{parser.Current.Start.Line}: nested deeper than {MaxDepth} levels (a config has 2)");
                    break;
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    depth--;
                    break;
            }
        }
    }

    /// <summary>Applies one <c>key.path=value</c> override.</summary>
    public static RunConfig ApplyOverride(RunConfig config, string assignment) => (RunConfig)ApplyOverride((object)config, assignment);

    private static object ApplyOverride(object config, string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ConfigException($"--set {assignment}: expected KEY=VALUE, e.g. training.lr=0.001");
        var path = assignment[..eq].Trim().Split('.');
        var value = assignment[(eq + 1)..].Trim();
        return SetPath(config, path, 0, value, $"--set {assignment}");
    }

    private static object SetPath(object target, string[] path, int i, string value, string origin)
    {
        var type = target.GetType();
        string keyPath = string.Join('.', path[..(i + 1)]);
        var prop = FindProperty(type, path[i])
            ?? throw new ConfigException($"{origin}: unknown key '{keyPath}' (known: {string.Join(", ", Keys(type))})");
        object newValue;
        if (IsSection(prop.PropertyType))
        {
            if (i == path.Length - 1) throw new ConfigException($"{origin}: '{keyPath}' is a section; set one of its keys ({string.Join(", ", Keys(prop.PropertyType))})");
            newValue = SetPath(prop.GetValue(target)!, path, i + 1, value, origin);
        }
        else
        {
            if (i != path.Length - 1) throw new ConfigException($"{origin}: '{keyPath}' is not a section");
            newValue = ParseScalar(prop, value, keyPath, origin);
        }
        return With(target, prop, newValue);
    }

    private static object Bind(Type type, YamlNode node, string prefix, string origin, object current)
    {
        if (node is not YamlMappingNode map)
            throw new ConfigException($"{origin}:{node.Start.Line}: {(prefix.Length == 0 ? "the config" : prefix)}: expected a mapping of keys");
        foreach (var (k, v) in map.Children)
        {
            var key = ((YamlScalarNode)k).Value ?? "";
            string keyPath = prefix.Length == 0 ? key : prefix + "." + key;
            var prop = FindProperty(type, key)
                ?? throw new ConfigException($"{origin}:{k.Start.Line}: unknown key '{keyPath}' (known: {string.Join(", ", Keys(type))})");
            object value;
            if (IsSection(prop.PropertyType))
                value = v is YamlScalarNode { Value: null or "" } ? prop.GetValue(current)!
                    : Bind(prop.PropertyType, v, keyPath, origin, prop.GetValue(current)!);
            else if (v is YamlScalarNode scalar)
                value = ParseScalar(prop, scalar.Value ?? "", keyPath, $"{origin}:{v.Start.Line}");
            else
                throw new ConfigException($"{origin}:{v.Start.Line}: {keyPath}: expected a single value, got a {(v is YamlMappingNode ? "mapping" : "list")}");
            current = With(current, prop, value);
        }
        return current;
    }

    /// <summary>A copy of a record with one property changed (records' init setters are callable by reflection on a clone).</summary>
    private static object With(object record, PropertyInfo prop, object value)
    {
        var clone = record.GetType().GetMethod("<Clone>$")!.Invoke(record, null)!;
        prop.SetValue(clone, value);
        return clone;
    }

    private static object ParseScalar(PropertyInfo prop, string text, string keyPath, string where)
    {
        var t = prop.PropertyType;
        ConfigException Bad(string expected) => new($"{where}: {keyPath}: expected {expected}, got \"{text}\"");
        object value;
        if (t == typeof(string)) return text;
        if (t == typeof(bool))
            value = text.ToLowerInvariant() switch
            {
                "true" or "yes" or "on" => true,
                "false" or "no" or "off" => false,
                _ => throw Bad("true or false"),
            };
        else if (t.IsEnum)
        {
            var names = Enum.GetNames(t);
            var match = names.FirstOrDefault(n => string.Equals(n, text.Replace("_", "").Replace("-", ""), StringComparison.OrdinalIgnoreCase))
                ?? throw Bad("one of " + string.Join(", ", names.Select(SnakeCase)));
            value = Enum.Parse(t, match);
        }
        else
        {
            string what = prop.GetCustomAttribute<PositiveAttribute>() is not null ? "a positive"
                : prop.GetCustomAttribute<NonNegativeAttribute>() is not null ? "a non-negative" : "a";
            bool integral = t == typeof(int) || t == typeof(long) || t == typeof(ulong);
            string kind = integral ? "integer" : "number";
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !double.IsFinite(d)
                || (integral && d != Math.Floor(d)))
                throw Bad($"{what} {kind}");
            if (what == "a positive" && d <= 0) throw Bad($"a positive {kind}");
            if (what == "a non-negative" && d < 0) throw Bad($"a non-negative {kind}");
            if (prop.GetCustomAttribute<RangeAttribute>() is { } r
                && (d < r.Min || d > r.Max || (r.MaxExclusive && d == r.Max)))
                throw Bad($"a number in [{r.Min.ToString(CultureInfo.InvariantCulture)}, {r.Max.ToString(CultureInfo.InvariantCulture)}{(r.MaxExclusive ? ")" : "]")}");
            try
            {
                value = t == typeof(int) ? checked((int)d) : t == typeof(long) ? checked((long)d)
                    : t == typeof(ulong) ? (d < 0 ? throw Bad("a non-negative integer") : checked((ulong)d))
                    : t == typeof(float) ? (object)(float)d : d;
            }
            catch (OverflowException)
            {
                throw Bad($"{what} {kind} in range");
            }
        }
        return value;
    }

    private static bool IsSection(Type t) => t.IsClass && t != typeof(string);

    private static PropertyInfo? FindProperty(Type type, string key) => KeyProperties(type).FirstOrDefault(p => KeyOf(p) == key);

    /// <summary>The YAML keys of a section, in declaration order.</summary>
    public static IEnumerable<string> Keys(Type type) => KeyProperties(type).Select(KeyOf);

    /// <summary>The properties of a section that are keys: settable, and not marked <see cref="NotAKeyAttribute"/>.</summary>
    internal static IEnumerable<PropertyInfo> KeyProperties(Type type) =>
        type.GetProperties().Where(p => p.CanWrite && p.GetCustomAttribute<NotAKeyAttribute>() is null);

    /// <summary>A property's YAML key: its <see cref="KeyAttribute"/> name, else its snake_case name.</summary>
    internal static string KeyOf(PropertyInfo p) => p.GetCustomAttribute<KeyAttribute>()?.Name ?? SnakeCase(p.Name);

    /// <summary>PascalCase → snake_case (EmbeddingSize → embedding_size, LuongDot → luong_dot).</summary>
    public static string SnakeCase(string name)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    /// <summary>The config as YAML (every key, resolved values), as saved in each run directory.</summary>
    public static string ToYaml(RunConfig config)
    {
        var sb = new StringBuilder();
        Write(sb, config, 0);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object section, int indent)
    {
        foreach (var p in KeyProperties(section.GetType()))
        {
            var v = p.GetValue(section);
            sb.Append(' ', indent).Append(KeyOf(p)).Append(':');
            if (IsSection(p.PropertyType))
            {
                sb.Append('\n');
                Write(sb, v!, indent + 2);
            }
            else sb.Append(' ').Append(FormatScalar(v)).Append('\n');
        }
    }

    internal static string FormatScalar(object? v) => v switch
    {
        null => "\"\"",
        string s => s.Length == 0 ? "\"\"" : "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"",
        bool b => b ? "true" : "false",
        Enum e => SnakeCase(e.ToString()),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
