namespace Attend.Config;

/// <summary>A config error: names the full key path (<c>training.lr</c>) and, when known, the file and line.</summary>
public sealed class ConfigException(string message) : Exception(message);
