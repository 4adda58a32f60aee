// The front door of the library: load a trained run (or an ensemble of runs) and translate text with it.
using Attend.Attention;
using Attend.Config;
using Attend.Decoding;
using Attend.Model;
using Attend.Runs;
using Attend.Tensors;

namespace Attend;

/// <summary>
/// A trained model ready to translate raw text: it normalizes, tokenizes and BPE-segments the input as the run's
/// <c>data</c> section says, searches (greedy or beam, as the run's <c>testing</c> section or
/// <see cref="TranslateOptions"/> say) and returns detokenized text with its tokens, attention and scores. The
/// results are those of <c>attend translate</c> for the same run and options.
/// <para>
/// Thread safety: all members are safe to call concurrently from any number of threads. Decoding only reads the
/// weights; every call keeps its state (tensors, search beams) on the calling thread, so concurrent calls run in
/// parallel and each returns what it would return alone. A call decodes on the calling thread and blocks it
/// until done (wrap it in <c>Task.Run</c> to keep a UI thread free).
/// </para>
/// </summary>
public sealed partial class TranslationModel : IDisposable
{
    /// <summary>What decoding reads: the first run (text side, vocabularies, config) and every model.</summary>
    private sealed record State(LoadedModel Primary, Seq2Seq[] Models);

    private State? _state;

    private TranslationModel(IReadOnlyList<LoadedModel> loaded)
    {
        _state = new State(loaded[0], [.. loaded.Select(m => m.Model)]);
        CheckpointDirectories = [.. loaded.Select(m => Path.GetFullPath(m.Directory))];
        Config = loaded[0].Config;
        HasAttention = loaded.Any(m => m.Model.Config.Attention != AttentionKind.None);
        Precision = ModelPrecision.Of(loaded[0].Model);
        var t = Config.Testing;
        Defaults = new TranslateOptions
        {
            Beam = t.BeamSize, Alpha = t.Alpha, MaxOutputRatio = t.MaxOutputRatio, BatchSize = t.BatchSize,
        };
    }

    /// <summary>
    /// Loads a model for translation. Each path is a run directory (its <c>best/</c> checkpoint, else <c>last/</c>)
    /// or a checkpoint folder (<c>step-NNNNNNN/</c>). Several paths make an ensemble that averages the models'
    /// log-probabilities at each step; they must share their vocabularies, and the first one's config supplies the
    /// tokenization and the defaults.
    /// </summary>
    /// <param name="paths">One path, or several for an ensemble.</param>
    /// <returns>A model that owns nothing but managed memory (see <see cref="Dispose"/>).</returns>
    /// <exception cref="ArgumentException">no path, or an empty one</exception>
    /// <exception cref="ModelLoadException">a path is missing, holds no checkpoint, or its checkpoint is incomplete or
    /// damaged; or the ensemble's vocabularies differ. The message names the folder or file.</exception>
    public static TranslationModel Load(params string[] paths)
    {
        if (paths is null || paths.Length == 0)
            throw new ArgumentException("expected at least one run directory or checkpoint folder", nameof(paths));
        return Load(paths, null);
    }

    /// <summary>
    /// Loads a model (or an ensemble) whose weight products run in <paramref name="precision"/>: an fp32 checkpoint is
    /// quantized to int8 or bf16 as it loads (docs/quantization.md: about ±0.3 BLEU, faster decoding), a checkpoint
    /// written by <c>attend quantize</c> runs as stored, or in fp32 on its rounded weights.
    /// </summary>
    /// <inheritdoc cref="Load(string[])"/>
    /// <exception cref="ModelLoadException">as <see cref="Load(string[])"/>; also int8 asked of a bf16 checkpoint or bf16 of
    /// an int8 one (<see cref="ModelLoadProblem.Incompatible"/>)</exception>
    public static TranslationModel Load(Precision precision, params string[] paths)
    {
        if (paths is null || paths.Length == 0)
            throw new ArgumentException("expected at least one run directory or checkpoint folder", nameof(paths));
        return Load(paths, precision);
    }

    /// <summary>As the public overloads; a null precision runs each checkpoint as stored (the CLI's and server's unset --precision).</summary>
    internal static TranslationModel Load(string[] paths, Precision? precision)
    {
        var loaded = paths.Select(p => CheckedLoad.Load(p, precision)).ToList();
        CheckedLoad.CheckSameVocabularies(loaded);
        return new TranslationModel(loaded);
    }

    /// <summary>A front door onto a run already loaded (the server's tests and tools that hold one).</summary>
    internal static TranslationModel Of(LoadedModel loaded) => new([loaded]);

    /// <summary>The checkpoint folders loaded (full paths), one per ensemble member, in the order given.</summary>
    public IReadOnlyList<string> CheckpointDirectories { get; }

    /// <summary>The resolved config of the (first) run, as saved in its checkpoint.</summary>
    public RunConfig Config { get; }

    /// <summary>Whether a model has attention, so that translations carry <see cref="Translation.Attention"/>.</summary>
    public bool HasAttention { get; }

    /// <summary>The precision of the (first) model's weight products: fp32, int8 or bf16.</summary>
    public Precision Precision { get; }

    /// <summary>What a null <see cref="TranslateOptions"/> property takes: the run's <c>testing</c> section.</summary>
    public TranslateOptions Defaults { get; }

    /// <summary>
    /// The source tokens the model reads for <paramref name="text"/>: normalized, tokenized and BPE-segmented as the
    /// run's <c>data</c> section says (the <see cref="Translation.SourceTokens"/> of its translation).
    /// </summary>
    /// <exception cref="ObjectDisposedException">the model was disposed</exception>
    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var state = Volatile.Read(ref _state);
        ObjectDisposedException.ThrowIf(state is null, this);
        return TextTranslator.Tokenize(state.Primary, text);
    }

    /// <summary>The first run as loaded, for the tools of this repository that work below the text (the server's batching).</summary>
    internal LoadedModel LoadedRun
    {
        get
        {
            var state = Volatile.Read(ref _state);
            ObjectDisposedException.ThrowIf(state is null, this);
            return state.Primary;
        }
    }

    /// <summary>Translates one text and returns the best hypothesis.</summary>
    /// <param name="text">Raw text, as a user would type it. Text without any token after normalization (empty,
    /// only spaces) is not decoded: it gives an empty <see cref="Translation"/> (no tokens, score 0).</param>
    /// <param name="options">Search settings; null or null properties take <see cref="Defaults"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">an option is out of range (the message names it)</exception>
    /// <exception cref="ArgumentException">a text has more tokens than <see cref="TranslateOptions.MaxInputTokens"/></exception>
    /// <exception cref="ObjectDisposedException">the model was disposed</exception>
    public Translation Translate(string text, TranslateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Run([text], options, nbest: false)[0][0];
    }

    /// <summary>
    /// Translates several texts, decoded together in padded batches of <see cref="TranslateOptions.BatchSize"/>
    /// (faster than one call per text; scores equal to one call per text up to float rounding), and returns the
    /// best hypothesis of each, in input order. The same list with the same options always gives the same bits.
    /// </summary>
    /// <param name="texts">Raw texts; empty ones give empty translations (as in
    /// <see cref="Translate(string, TranslateOptions?)"/>).</param>
    /// <param name="options">Search settings; null or null properties take <see cref="Defaults"/>.</param>
    /// <exception cref="ArgumentNullException">the list or one of its texts is null</exception>
    /// <exception cref="ArgumentOutOfRangeException">an option is out of range (the message names it)</exception>
    /// <exception cref="ArgumentException">a text has more tokens than <see cref="TranslateOptions.MaxInputTokens"/></exception>
    /// <exception cref="ObjectDisposedException">the model was disposed</exception>
    public IReadOnlyList<Translation> Translate(IReadOnlyList<string> texts, TranslateOptions? options = null) =>
        [.. Run(texts, options, nbest: false).Select(r => r[0])];

    /// <summary>The <see cref="TranslateOptions.NBest"/> best hypotheses of one text, best first.</summary>
    /// <inheritdoc cref="Translate(string, TranslateOptions?)"/>
    public IReadOnlyList<Translation> TranslateNBest(string text, TranslateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Run([text], options, nbest: true)[0];
    }

    /// <summary>
    /// For each text in input order, its best hypotheses, best first: at most <see cref="TranslateOptions.NBest"/>
    /// (which must not exceed the beam), exactly one for greedy search or an empty text.
    /// </summary>
    /// <inheritdoc cref="Translate(IReadOnlyList{string}, TranslateOptions?)"/>
    public IReadOnlyList<IReadOnlyList<Translation>> TranslateNBest(IReadOnlyList<string> texts,
        TranslateOptions? options = null) => Run(texts, options, nbest: true);

    /// <summary>
    /// Releases the model: it holds only managed memory (weights, vocabularies; no files, threads or native
    /// buffers stay open after <see cref="Load(string[])"/>), so this only drops the references and is cheap. Calls already
    /// running finish normally; later calls throw <see cref="ObjectDisposedException"/>. Safe to call twice.
    /// </summary>
    public void Dispose() => Volatile.Write(ref _state, null);

    private Translation[][] Run(IReadOnlyList<string> texts, TranslateOptions? options, bool nbest)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var state = Volatile.Read(ref _state);
        ObjectDisposedException.ThrowIf(state is null, this);
        options ??= new TranslateOptions();
        var search = options.Resolve(state.Primary.Config.Testing, nbest);
        var m = state.Primary;
        var sources = new string[texts.Count][];
        var decode = new List<int>(texts.Count);
        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null) throw new ArgumentNullException(nameof(texts), $"texts[{i}] is null");
            sources[i] = TextTranslator.Tokenize(m, texts[i]);
            if (sources[i].Length > 0) decode.Add(i);
        }
        var results = new Translation[texts.Count][];
        for (int i = 0; i < results.Length; i++)
            if (sources[i].Length == 0) results[i] = [Translation.Empty()];
        if (decode.Count == 0) return results;
        var decoded = TextTranslator.Translate(m, state.Models, [.. decode.Select(i => sources[i])], search,
            new TextOptions(ReplaceUnknowns: options.ReplaceUnknowns));
        for (int j = 0; j < decode.Count; j++)
            results[decode[j]] = [.. decoded[j].Select(h => Shape(h, search, options.IncludeAttention))];
        return results;
    }

    /// <summary>A library hypothesis as a <see cref="Translation"/>: attention as rows, a final EOS when emitted.</summary>
    private static Translation Shape(TextHypothesis h, SearchOptions search, bool includeAttention)
    {
        // With attention, the hypothesis already ends in </s> when the decoder emitted it (one row per token);
        // without, the decoder emitted it unless the output reached the sentence's step limit.
        var target = h.Attention is null && h.TargetTokens.Length < search.MaxSteps(h.SourceTokens.Length)
            ? [.. h.TargetTokens, Translation.EndOfSentence] : h.TargetTokens;
        return new Translation
        {
            Text = h.Text, SourceTokens = h.SourceTokens, TargetTokens = target,
            Attention = includeAttention ? h.AttentionRows() : null,
            Score = h.Score, LogProbability = h.LogProb, Alignment = h.Alignment,
        };
    }
}
