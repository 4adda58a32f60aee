// What a config record says about its keys (docs, ranges, names), read by Attend.Config's loader and key table.
// Its own folder, below both: the model's architecture record (Attend.Model) declares its keys with these too.
namespace Attend.ConfigKeys;

/// <summary>One line of documentation for a config key; configs/README.md is generated from these.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class DocAttribute(string text) : Attribute
{
    public string Text { get; } = text;
}

/// <summary>The numeric key must be &gt; 0.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class PositiveAttribute : Attribute;

/// <summary>The numeric key must be ≥ 0.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NonNegativeAttribute : Attribute;

/// <summary>The numeric key must lie in [Min, Max] (or [Min, Max) when <see cref="MaxExclusive"/>).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class RangeAttribute(double min, double max) : Attribute
{
    public double Min { get; } = min;
    public double Max { get; } = max;
    public bool MaxExclusive { get; init; }
}

/// <summary>The YAML key of a property whose snake_case name is not its key (<c>BidirectionalEncoder</c> is <c>bidirectional</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class KeyAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>A property of a config record that is no config key: its value comes from elsewhere (the vocabularies).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NotAKeyAttribute : Attribute;
