namespace Attend.Config;

/// <summary>One key whose value differs between two configs, with both values as the YAML writes them.</summary>
internal sealed record ConfigChange(string Key, string Old, string New);

/// <summary>The keys (full paths, e.g. <c>training.lr</c>) whose values differ between two configs.</summary>
internal static class ConfigDiff
{
    public static List<ConfigChange> Changes(RunConfig before, RunConfig after)
    {
        var changes = new List<ConfigChange>();
        Compare(before, after, "", changes);
        return changes;
    }

    private static void Compare(object a, object b, string prefix, List<ConfigChange> changes)
    {
        foreach (var p in ConfigLoader.KeyProperties(a.GetType()))
        {
            string key = prefix + ConfigLoader.KeyOf(p);
            object? x = p.GetValue(a), y = p.GetValue(b);
            if (p.PropertyType.IsClass && p.PropertyType != typeof(string)) Compare(x!, y!, key + ".", changes);
            else if (!Equals(x, y)) changes.Add(new ConfigChange(key, ConfigLoader.FormatScalar(x), ConfigLoader.FormatScalar(y)));
        }
    }
}
