// Translates text with a trained Attend run: `Translate RUN [TEXT...]`, or one line per input line from stdin.
// Prints each translation, then its attention matrix, tab-separated: a header row of source tokens, then one row per
// target token with the weights it gave each source token (each row sums to 1).
using System.Globalization;
using Attend;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Translate RUN_DIR [TEXT...]   (without TEXT: one input per line on stdin)");
    return 2;
}

TranslationModel model;
try
{
    model = TranslationModel.Load(args[0]);
}
catch (ModelLoadException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

using (model)
{
    IEnumerable<string> inputs = args.Length > 1 ? [string.Join(' ', args[1..])] : ReadLines(Console.In);
    foreach (string line in inputs)
    {
        Translation t = model.Translate(line);
        Console.WriteLine($"{line} -> {t.Text}");
        if (t.Attention is null) continue;
        Console.WriteLine("\t" + string.Join('\t', t.SourceTokens));
        for (int row = 0; row < t.TargetTokens.Count; row++)
        {
            var weights = t.Attention[row].Select(w => w.ToString("0.0000", CultureInfo.InvariantCulture));
            Console.WriteLine(t.TargetTokens[row] + "\t" + string.Join('\t', weights));
        }
    }
}
return 0;

static IEnumerable<string> ReadLines(TextReader reader)
{
    while (reader.ReadLine() is string line) yield return line;
}
