using Attend.Tensors;

namespace Attend.Nn;

/// <summary>
/// A multi-layer, optionally bidirectional GRU or LSTM over batch-first padded sequences, with PyTorch's
/// parameter names (<c>weight_ih_l0</c>, <c>weight_hh_l0_reverse</c>, …), layouts and init.
/// </summary>
/// <remarks>
/// Per layer and direction the input projection of the whole sequence is one GEMM over [B·T, In]; the
/// per-step work is the fused cell on [B, G·H]. With lengths, a step t ≥ length[b] leaves row b's state
/// untouched and outputs exactly 0 there, so the backward direction of sentence b starts at its own
/// last real token and a padded batch gives each sentence what it would get alone.
/// </remarks>
internal sealed class Rnn : Module
{
    public RnnKind Kind { get; }
    public int InputSize { get; }
    public int HiddenSize { get; }
    public int Layers { get; }
    public bool Bidirectional { get; }
    public int Directions => Bidirectional ? 2 : 1;
    /// <summary>Dropout applied to the outputs of every layer but the last (training only).</summary>
    public Dropout Dropout { get; }

    private readonly Tensor[] _wIh, _wHh, _bIh, _bHh;

    private int Gates => Kind == RnnKind.Gru ? 3 : 4;

    public Rnn(RnnKind kind, int inputSize, int hiddenSize, int layers = 1, bool bidirectional = false, float dropout = 0f)
    {
        if (layers < 1) throw new ArgumentException($"Rnn: layers must be ≥ 1, got {layers}");
        (Kind, InputSize, HiddenSize, Layers, Bidirectional, Dropout) = (kind, inputSize, hiddenSize, layers, bidirectional, new Dropout(dropout));
        int n = layers * Directions, g = Gates * hiddenSize;
        (_wIh, _wHh, _bIh, _bHh) = (new Tensor[n], new Tensor[n], new Tensor[n], new Tensor[n]);
        for (int l = 0; l < layers; l++)
            for (int d = 0; d < Directions; d++)
            {
                string sfx = $"_l{l}" + (d == 1 ? "_reverse" : "");
                int i = l * Directions + d, inSize = l == 0 ? inputSize : hiddenSize * Directions;
                _wIh[i] = Parameter("weight_ih" + sfx, g, inSize);
                _wHh[i] = Parameter("weight_hh" + sfx, g, hiddenSize);
                _bIh[i] = Parameter("bias_ih" + sfx, g);
                _bHh[i] = Parameter("bias_hh" + sfx, g);
            }
    }

    protected override void InitializeSelf(Rng rng)
    {
        for (int i = 0; i < _wIh.Length; i++)
            foreach (var p in new[] { _wIh[i], _wHh[i], _bIh[i], _bHh[i] }) UniformFanIn(p, HiddenSize, rng);
    }

    /// <summary>Zero initial state for a batch of <paramref name="batch"/>.</summary>
    public RnnState ZeroState(int batch) => RnnState.Zeros(Kind, Layers * Directions, batch, HiddenSize);

    /// <summary>
    /// x [B, T, In] with optional per-sentence <paramref name="lengths"/> → (output [B, T, D·H], exactly 0 at
    /// padded steps; final state per (layer, direction), the state after each sentence's last real token).
    /// With lengths, each step runs only the sentences that have a token there, as PyTorch's packed
    /// sequences do: the rows are taken in order of decreasing length (permuted in and out when they are
    /// not), so the running sentences are the first n_t rows of step t.
    /// </summary>
    /// <param name="x">the input [B, T, In]</param>
    /// <param name="lengths">each sentence's length in steps (empty: all T)</param>
    /// <param name="initial">the starting state (null: zeros)</param>
    /// <param name="dropoutRng">draws the dropout masks between layers (null: no dropout)</param>
    /// <param name="sumDirections">a bidirectional stack's output is h→ + h← [B, T, H] (the summed memory), not [h→; h←]</param>
    public (Tensor Output, RnnState Final) Forward(Tensor x, ReadOnlySpan<int> lengths, RnnState? initial = null, Rng? dropoutRng = null,
        bool sumDirections = false)
    {
        if (x.Rank != 3 || x.Shape[2] != InputSize)
            throw new ArgumentException($"Rnn: input {ShapeOf.Format(x.Shape)} is not [B, T, {InputSize}]");
        int b = x.Shape[0], t = x.Shape[1];
        if (!lengths.IsEmpty && lengths.Length != b)
            throw new ArgumentException($"Rnn: {lengths.Length} lengths for a batch of {b}");
        var state = initial ?? ZeroState(b);
        CheckState(state, b);
        var sorted = SortedLengths(lengths, b, t, out var order);
        if (order is not null)
        {
            x = Ops.IndexSelect(x, order);
            state = state.SelectRows(order);
        }
        int[]? inverse = null;
        if (order is not null)
        {
            inverse = new int[b];
            for (int r = 0; r < b; r++) inverse[order[r]] = r;
        }
        var hOut = new Tensor[state.H.Count];
        var cOut = state.C is null ? null : new Tensor[state.C.Count];
        var input = x;
        for (int l = 0; l < Layers; l++)
        {
            if (l > 0) input = Dropout.Forward(input, dropoutRng);
            var dirs = new Tensor?[Directions][];
            // [B, T, G·H] per direction: one product over all B·T rows, split over the threads.
            // W_ih x + b_ih a chunk of steps at a time, only the rows that run (StepProjection); its gradient goes
            // into W_ih, b_ih and the input step by step, as the cells' backwards reach it.
            var gx = new StepProjection[Directions];
            for (int d = 0; d < Directions; d++)
                gx[d] = new StepProjection(input, _wIh[l * Directions + d], _bIh[l * Directions + d], s => RunningRows(sorted, b, s), reverse: d == 1);
            void Direction(int d)
            {
                int i = l * Directions + d;
                (dirs[d], hOut[i], var c) = RunDirection(i, gx[d], b, t, reverse: d == 1, sorted, state.H[i], state.C?[i]);
                if (cOut is not null) cOut[i] = c!;
            }
            // The two directions' chains of small per-step products are independent: one core each.
            if (Directions == 2) Concurrently.Run(() => Direction(0), () => Direction(1));
            else Direction(0);
            // The cells have read their steps and saved what their backward needs.
            foreach (var g in gx) g.Finish();
            // Both directions' steps in one [B, T, D·H] copy; the top layer's rows go back to the batch's order.
            bool top = l == Layers - 1;
            input = Ops.StackSteps(dirs, b, HiddenSize, top ? order : null, sumDirections: top && sumDirections && Directions == 2);
            // Without a graph the steps' outputs are read by nothing else once stacked (but final states).
            if (!input.RequiresGrad)
                foreach (var steps in dirs)
                    foreach (var o in steps)
                        if (o is not null && Array.IndexOf(hOut, o) < 0) o.FreeValues();
        }
        var final = new RnnState(hOut, cOut);
        return (input, inverse is null ? final : final.SelectRows(inverse));
    }

    /// <summary>One step of a unidirectional stack: x [B, In] → new state (the top output is <see cref="RnnState.Top"/>).</summary>
    public RnnState Step(Tensor x, RnnState state, Rng? dropoutRng = null) => StepCore(x, null, state, dropoutRng);

    /// <summary>
    /// One step whose first layer's input projection W_ih x + b_ih [B, G·H] the caller computed (a
    /// decoder projects the parts of its input that do not change per step, or all steps' embeddings,
    /// once); the upper layers run as in <see cref="Step"/>.
    /// </summary>
    public RnnState StepProjected(Tensor gx0, RnnState state, Rng? dropoutRng = null)
    {
        if (gx0.Rank != 2 || gx0.Shape[1] != Gates * HiddenSize)
            throw new ArgumentException($"Rnn.StepProjected: projection {ShapeOf.Format(gx0.Shape)} is not [B, {Gates * HiddenSize}]");
        return StepCore(null, gx0, state, dropoutRng);
    }

    /// <summary>Input-to-hidden weight [G·H, In] of (layer, direction) slot <paramref name="i"/> (PyTorch's weight_ih_l{layer}[_reverse]).</summary>
    public Tensor WeightIh(int i) => _wIh[i];

    /// <summary>Hidden-to-hidden weight [G·H, H] of slot <paramref name="i"/> (PyTorch's weight_hh_l{layer}[_reverse]).</summary>
    public Tensor WeightHh(int i) => _wHh[i];

    /// <summary>Input-to-hidden bias [G·H] of slot <paramref name="i"/>.</summary>
    public Tensor BiasIh(int i) => _bIh[i];

    private RnnState StepCore(Tensor? x, Tensor? gx0, RnnState state, Rng? dropoutRng)
    {
        if (Bidirectional) throw new InvalidOperationException("Rnn.Step: a bidirectional stack cannot run one step at a time");
        CheckState(state, (x ?? gx0)!.Shape[0]);
        var h = new Tensor[Layers];
        var c = state.C is null ? null : new Tensor[Layers];
        var input = x;
        for (int l = 0; l < Layers; l++)
        {
            if (l > 0) input = Dropout.Forward(input!, dropoutRng);
            var gx = l == 0 && gx0 is not null ? gx0 : Ops.Linear(input!, _wIh[l], _bIh[l]);
            (h[l], var cl) = Cell(l, gx, state.H[l], state.C?[l]);
            if (c is not null) c[l] = cl!;
            input = h[l];
        }
        return new RnnState(h, c);
    }

    /// <summary>
    /// One direction over the input projection gx (B rows, T steps, projected a chunk of steps at a time) whose
    /// rows have non-increasing <paramref name="lengths"/> (null: all T): step t runs the first n_t rows (those longer than t). Forward, rows leave at the bottom as they
    /// finish, their state then final; backward, rows join at the bottom from the initial state at their last token.
    /// Returns each step's output [n_t, H] (null where no row ran) and the final state.
    /// </summary>
    private (Tensor?[] Steps, Tensor H, Tensor? C) RunDirection(int i, StepProjection gx, int b, int t, bool reverse, int[]? lengths, Tensor h0, Tensor? c0)
    {
        var outs = new Tensor?[t];
        Tensor? h = reverse ? null : h0, c = reverse ? null : c0;
        int rows = reverse ? 0 : b;
        // Forward: final states of the rows that left, bottom rows first.
        var doneH = new List<Tensor>();
        var doneC = new List<Tensor>();
        for (int s = 0; s < t; s++)
        {
            int step = reverse ? t - 1 - s : s;
            int n = RunningRows(lengths, b, step);
            if (!reverse && n < rows)
            {
                doneH.Add(Ops.Slice(h!, 0, n, rows - n));
                if (c is not null) doneC.Add(Ops.Slice(c, 0, n, rows - n));
                h = n == 0 ? null : Ops.Slice(h!, 0, 0, n);
                c = c is null || n == 0 ? null : Ops.Slice(c, 0, 0, n);
            }
            else if (reverse && n > rows)
            {
                var hNew = Ops.Slice(h0, 0, rows, n - rows);
                h = h is null ? hNew : Ops.Concat([h, hNew], 0);
                if (c0 is not null)
                {
                    var cNew = Ops.Slice(c0, 0, rows, n - rows);
                    c = c is null ? cNew : Ops.Concat([c, cNew], 0);
                }
            }
            rows = n;
            if (n == 0) continue;
            var (chunk, at) = gx.At(step);
            (h, c) = CellAt(i, chunk, at, h!, c);
            outs[step] = h;
        }
        if (reverse)
            return rows == b ? (outs, h!, c) : (outs, Rest(h, h0, rows), c0 is null ? null : Rest(c, c0, rows));
        if (rows > 0)
        {
            doneH.Add(h!);
            if (c is not null) doneC.Add(c);
        }
        return (outs, Rows(doneH, h0), c0 is null ? null : Rows(doneC, c0));
    }

    /// <summary>The rows that run at <paramref name="step"/>: those of non-increasing <paramref name="lengths"/> above it (all without lengths).</summary>
    private static int RunningRows(int[]? lengths, int b, int step)
    {
        if (lengths is null) return b;
        int n = 0;
        while (n < b && lengths[n] > step) n++;
        return n;
    }

    /// <summary>Pieces of final state collected bottom rows first, put back in row order.</summary>
    private static Tensor Rows(List<Tensor> bottomFirst, Tensor like)
    {
        if (bottomFirst.Count == 0) return like;
        if (bottomFirst.Count == 1) return bottomFirst[0];
        bottomFirst.Reverse();
        return Ops.Concat(bottomFirst, 0);
    }

    /// <summary>The first <paramref name="rows"/> rows of the final state, then the initial state of the rows that never ran.</summary>
    private static Tensor Rest(Tensor? top, Tensor initial, int rows) =>
        top is null ? initial : Ops.Concat([top, Ops.Slice(initial, 0, rows, initial.Shape[0] - rows)], 0);

    /// <summary>The cell on step <paramref name="step"/> of a chunk of the sequence projection gx [B', steps, G·H], its first rows (as many as h has), read in place.</summary>
    private (Tensor H, Tensor? C) CellAt(int i, Tensor gx, int step, Tensor h, Tensor? c)
    {
        if (Kind == RnnKind.Gru) return (Ops.GruCellAt(gx, step, h, _wHh[i], _bHh[i]), null);
        var (hn, cn) = Ops.LstmCellAt(gx, step, h, c!, _wHh[i], _bHh[i]);
        return (hn, cn);
    }

    private (Tensor H, Tensor? C) Cell(int i, Tensor gx, Tensor h, Tensor? c)
    {
        if (Kind == RnnKind.Gru) return (Ops.GruCell(gx, h, _wHh[i], _bHh[i]), null);
        var (hn, cn) = Ops.LstmCell(gx, h, c!, _wHh[i], _bHh[i]);
        return (hn, cn);
    }

    /// <summary>
    /// The lengths in non-increasing order (null when no row is padded), and in <paramref name="order"/> the
    /// rows in that order (stable) when they are not in it already.
    /// </summary>
    private static int[]? SortedLengths(ReadOnlySpan<int> lengths, int b, int t, out int[]? order)
    {
        order = null;
        if (lengths.IsEmpty) return null;
        bool padded = false, sorted = true;
        for (int r = 0; r < b; r++)
        {
            int len = lengths[r];
            if (len < 0 || len > t) throw new ArgumentException($"Rnn: length {len} outside 0..{t}");
            padded |= len < t;
            sorted &= r == 0 || len <= lengths[r - 1];
        }
        if (!padded) return null;
        var copy = lengths.ToArray();
        if (sorted) return copy;
        order = Enumerable.Range(0, b).OrderByDescending(r => copy[r]).ToArray();
        return order.Select(r => copy[r]).ToArray();
    }

    private void CheckState(RnnState state, int batch)
    {
        int n = Layers * Directions;
        if (state.H.Count != n || (Kind == RnnKind.Lstm) != (state.C is not null) || (state.C is not null && state.C.Count != n))
            throw new ArgumentException($"Rnn: state has {state.H.Count} hidden tensors{(state.C is null ? "" : " and cells")}, a {Kind} with {Layers} layer(s) × {Directions} direction(s) needs {n}");
        foreach (var h in state.H)
            if (h.Rank != 2 || h.Shape[0] != batch || h.Shape[1] != HiddenSize)
                throw new ArgumentException($"Rnn: state tensor {ShapeOf.Format(h.Shape)} is not [{batch}, {HiddenSize}]");
    }
}
