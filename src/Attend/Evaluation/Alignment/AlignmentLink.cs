namespace Attend.Evaluation.Alignment;

/// <summary>A word alignment link, 0-based, always in (source, target) order.</summary>
internal readonly record struct AlignmentLink(int Source, int Target)
{
    public override string ToString() => $"{Source}-{Target}";
}

/// <summary>Which side a gold file lists first, so links can be mapped to (source, target) explicitly.</summary>
internal enum GoldOrder
{
    /// <summary>The file's first index is the source word (e.g. WPT03 for English→French, ALIBI for French→English).</summary>
    SourceFirst,
    /// <summary>The file's first index is the target word (e.g. WPT03 for French→English).</summary>
    TargetFirst,
}

/// <summary>Gold alignment file formats.</summary>
internal enum GoldFormat
{
    /// <summary>WPT03 / HLT-NAACL 2003: <c>SENT I J S|P</c> per line, all 1-based.</summary>
    Naacl,
    /// <summary>ALIBI: <c>index&lt;TAB&gt;links</c>, <c>i-j</c> sure and <c>ipj</c> possible, 0-based.</summary>
    Alibi,
    /// <summary>Pharaoh: one line per sentence, <c>i-j</c> sure links only (or <c>i?j</c> possible), 0-based.</summary>
    Pharaoh,
}

/// <summary>
/// One sentence's gold links: <see cref="Sure"/> ⊆ <see cref="Possible"/> (a sure link is also possible,
/// as Och &amp; Ney define it).
/// </summary>
internal sealed class GoldSentence
{
    public HashSet<AlignmentLink> Sure { get; } = [];
    public HashSet<AlignmentLink> Possible { get; } = [];

    public void Add(AlignmentLink link, bool sure)
    {
        if (sure) Sure.Add(link);
        Possible.Add(link);
    }
}

/// <summary>A gold set: one <see cref="GoldSentence"/> per sentence, plus the link counts as written in the file.</summary>
internal sealed record GoldAlignments(IReadOnlyList<GoldSentence> Sentences, int SureLinks, int PossibleLinks);
