using System.Text.Json;
using Attend.Tensors.IO;

namespace Attend.Plots;

/// <summary>
/// One sentence's attention: <see cref="Weights"/>[t][s] is how much target token t attended to source token s
/// (T rows of S weights). The JSON form is <c>{"source": [S], "target": [T], "attention": [[S] x T]}</c>, the same
/// shape a model's <c>translate --attention</c> output will write.
/// </summary>
internal sealed record AttentionMatrix(IReadOnlyList<string> Source, IReadOnlyList<string> Target, IReadOnlyList<IReadOnlyList<float>> Weights)
{
    public int S => Source.Count;
    public int T => Target.Count;

    /// <summary>
    /// A decoded hypothesis as a matrix: <paramref name="target"/> tokens (with the end-of-sentence token if the
    /// decoder emitted it) against <paramref name="source"/> tokens, rows cut to the decoded steps.
    /// </summary>
    public static AttentionMatrix FromWeights(IReadOnlyList<string> source, IReadOnlyList<string> target, float[,] weights)
    {
        int rows = Math.Min(target.Count, weights.GetLength(0)), cols = Math.Min(source.Count, weights.GetLength(1));
        var w = new IReadOnlyList<float>[rows];
        for (int t = 0; t < rows; t++)
        {
            var row = new float[source.Count];
            for (int j = 0; j < cols; j++) row[j] = weights[t, j];
            w[t] = row;
        }
        return new AttentionMatrix(source, target.Take(rows).ToList(), w);
    }

    /// <summary>Checks T rows of S finite weights; the message names <paramref name="where"/> and the offending row.</summary>
    public AttentionMatrix Validate(string where)
    {
        if (Weights.Count != T)
            throw new PlotInputException($"{where}: attention has {Weights.Count} rows but target has {T} tokens (expected T rows of S weights)");
        for (int t = 0; t < T; t++)
        {
            if (Weights[t].Count != S)
                throw new PlotInputException($"{where}: attention row {t} has {Weights[t].Count} weights but source has {S} tokens");
            for (int s = 0; s < S; s++)
                if (!float.IsFinite(Weights[t][s]))
                    throw new PlotInputException($"{where}: attention[{t}][{s}] is not a finite number");
        }
        return this;
    }

    /// <summary>Reads one object, or picks <paramref name="index"/> from a list of them.</summary>
    public static AttentionMatrix Load(string path, int index = 0)
    {
        using (var doc = Parse(path))
        {
            var root = doc.RootElement;
            string where = path;
            if (root.ValueKind == JsonValueKind.Array)
            {
                int n = root.GetArrayLength();
                if (index < 0 || index >= n) throw new PlotInputException($"{path}: --index {index} is out of range (the file holds {n} matrices)");
                root = root[index];
                where = $"{path}[{index}]";
            }
            else if (index != 0) throw new PlotInputException($"{path}: holds one matrix, so --index must be 0");
            return FromJson(root, where).Validate(where);
        }
    }

    /// <summary>Every matrix in the file (one object counts as a list of one), e.g. one per test sentence.</summary>
    public static List<AttentionMatrix> LoadAll(string path)
    {
        using (var doc = Parse(path))
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Array) return [FromJson(root, path).Validate(path)];
            return root.EnumerateArray().Select((o, i) => FromJson(o, $"{path}[{i}]").Validate($"{path}[{i}]")).ToList();
        }
    }

    /// <summary>The parsed file; a missing file or invalid JSON is a <see cref="PlotInputException"/> naming it.</summary>
    private static JsonDocument Parse(string path)
    {
        InputFile.Check(path);
        if (!File.Exists(path)) throw new PlotInputException($"file not found: {path}");
        try { return JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e) { throw new PlotInputException($"{path}: invalid JSON ({e.Message})"); }
    }

    private static AttentionMatrix FromJson(JsonElement o, string where)
    {
        if (o.ValueKind != JsonValueKind.Object) throw new PlotInputException($"{where}: expected an object with source, target and attention");
        return new AttentionMatrix(Strings(o, "source", where), Strings(o, "target", where), Rows(o, where));
    }

    private static JsonElement Field(JsonElement o, string name, string where) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v : throw new PlotInputException($"{where}: missing array field '{name}'");

    private static string[] Strings(JsonElement o, string name, string where) =>
        Field(o, name, where).EnumerateArray().Select((x, i) => x.ValueKind == JsonValueKind.String
            ? x.GetString()! : throw new PlotInputException($"{where}: {name}[{i}] is not a string")).ToArray();

    private static IReadOnlyList<float>[] Rows(JsonElement o, string where) =>
        Field(o, "attention", where).EnumerateArray().Select((row, t) => row.ValueKind == JsonValueKind.Array
            ? (IReadOnlyList<float>)row.EnumerateArray().Select((x, s) => x.ValueKind == JsonValueKind.Number
                ? x.GetSingle() : throw new PlotInputException($"{where}: attention[{t}][{s}] is not a number")).ToArray()
            : throw new PlotInputException($"{where}: attention[{t}] is not an array")).ToArray();
}

/// <summary>Bad plot input (missing file, malformed matrix): the CLI exits with 2.</summary>
internal sealed class PlotInputException(string message) : Exception(message);
