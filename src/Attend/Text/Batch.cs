namespace Attend.Text;

/// <summary>
/// One padded batch, ready for the model. Arrays are row-major: <c>SrcIds[b * S + s]</c>, <c>TgtIn[b * T + t]</c>.
/// <list type="bullet">
/// <item>SrcIds [B, S]: source token ids, padded with <see cref="Vocabulary.Pad"/> (0).</item>
/// <item>SrcMask [B, S]: 1 at real tokens, 0 at padding.</item>
/// <item>TgtIn [B, T]: &lt;s&gt; + target tokens (teacher-forcing input); TgtOut [B, T]: target tokens + &lt;/s&gt;
///   (what each step must predict); both padded with 0. TgtLengths counts the +1.</item>
/// <item>Indices [B]: each row's position in the pair list it was batched from, to restore corpus order.</item>
/// </list>
/// </summary>
public sealed record Batch(int B, int S, int T, int[] SrcIds, int[] SrcLengths, float[] SrcMask,
    int[] TgtIn, int[] TgtOut, int[] TgtLengths, int[] Indices)
{
    /// <summary>Pads a list of pairs into a batch.</summary>
    public static Batch Collate(IReadOnlyList<EncodedPair> pairs)
    {
        int b = pairs.Count;
        if (b == 0) throw new ArgumentException("cannot collate an empty batch");
        int s = pairs.Max(p => p.Source.Length), t = pairs.Max(p => p.Target.Length) + 1;
        var src = new int[b * s]; var mask = new float[b * s]; var srcLen = new int[b];
        var tgtIn = new int[b * t]; var tgtOut = new int[b * t]; var tgtLen = new int[b]; var idx = new int[b];
        for (int i = 0; i < b; i++)
        {
            var (source, target, index) = pairs[i];
            srcLen[i] = source.Length;
            source.CopyTo(src, i * s);
            mask.AsSpan(i * s, source.Length).Fill(1f);
            tgtLen[i] = target.Length + 1;
            tgtIn[i * t] = Vocabulary.Bos;
            target.CopyTo(tgtIn, i * t + 1);
            target.CopyTo(tgtOut, i * t);
            tgtOut[i * t + target.Length] = Vocabulary.Eos;
            idx[i] = index;
        }
        return new Batch(b, s, t, src, srcLen, mask, tgtIn, tgtOut, tgtLen, idx);
    }
}

/// <summary>A sentence pair as vocabulary ids (no &lt;s&gt;/&lt;/s&gt;; batching adds them), and its position.</summary>
public sealed record EncodedPair(int[] Source, int[] Target, int Index);
