namespace Attend.Config;

/// <summary>One line of documentation for a config key; configs/README.md is generated from these.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DocAttribute(string text) : Attribute
{
    public string Text { get; } = text;
}

/// <summary>The numeric key must be &gt; 0.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PositiveAttribute : Attribute;

/// <summary>The numeric key must be ≥ 0.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NonNegativeAttribute : Attribute;

/// <summary>The numeric key must lie in [Min, Max] (or [Min, Max) when <see cref="MaxExclusive"/>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RangeAttribute(double min, double max) : Attribute
{
    public double Min { get; } = min;
    public double Max { get; } = max;
    public bool MaxExclusive { get; init; }
}

/// <summary>A config error: names the full key path (<c>training.lr</c>) and, when known, the file and line.</summary>
public sealed class ConfigException(string message) : Exception(message);
