#!/usr/bin/env python3
"""PyTorch reference of the RNN seq2seq NMT model, for side-by-side speed comparison.

Run with Debian's interpreter (the one that has python3-torch):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/pytorch/torch_peer.py

(the machine image sets OPENBLAS_CORETYPE=Haswell, which forces OpenBLAS onto
its AVX2 kernels; unsetting both variables lets OpenBLAS 0.3.21 pick its
AVX-512 kernel. The OpenMP build of OpenBLAS shares torch's thread pool; the
pthreads build that apt installs by default is 2x slower here. See README.md beside this file.)

Model (every choice below is what the numbers in README.md measured):

  ids: PAD=0 BOS=1 EOS=2 UNK=3, words 4..V-1.
  Encoder: Embedding(Vs, E, padding_idx=0) -> bidirectional GRU(E, H) over a
    PackedSequence (enforce_sorted=False). Memory M = encoder outputs,
    [B, S, 2H] = concat(fwd, bwd) ("concat" memory) or fwd + bwd, [B, S, H]
    ("sum" memory; the default for the luong-* attentions, so that dot works).
    last = [h_fwd(final); h_bwd(final)]  (2H)
  Decoder initial state: s_0 = tanh(W_b last + b_b)  (LSTM: c_0 = 0).
  Decoder step i (teacher forcing: y_{i-1} is the gold previous token, y_0=BOS):
    none:      c = last (fixed);          s_i = GRU([emb(y_{i-1}); c], s_{i-1}); o_i = s_i
    bahdanau:  e_ij = v^T tanh(W s_{i-1} + U m_j) (no biases), masked softmax over
               valid source positions -> a_ij;  c_i = sum_j a_ij m_j;
               s_i = GRU([emb(y_{i-1}); c_i], s_{i-1});  o_i = s_i
    luong-*:   h_t = GRU(emb(y_{t-1}), h_{t-1})  (no input feeding), then
               dot:     e_tj = h_t^T m_j
               general: e_tj = h_t^T W_a m_j
               concat:  e_tj = v^T tanh(W_a [h_t; m_j])
               masked softmax -> a_tj; c_t = sum_j a_tj m_j;
               o_t = tanh(W_c [c_t; h_t])  (no bias)
    logits_i = W_out o_i + b_out   (--readout state+context: W_out [o_i; c_i] + b_out)
  Loss: cross-entropy, mean over non-PAD target tokens (ignore_index=0).
  Optimiser: Adam(lr=1e-3), clip_grad_norm_(1.0) before each step.
  The output projection runs once over all [B*T] decoder outputs; luong-*
  training runs the decoder GRU over the whole target in one nn.GRU call
  (it does not depend on attention), --stepwise forces the per-step loop.

Benchmark data: seeded synthetic batches, source and target lengths uniform
in 8..30 (target length counts the final EOS), tokens uniform over words.
Training tokens/s = sum of target lengths (non-PAD target tokens, EOS
included) over the timed steps / their wall time. Decoding runs exactly
--max-len steps (EOS does not stop it: an untrained model's EOS timing is
arbitrary, so a fixed step count keeps the work comparable).
"""
import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD, BOS, EOS, UNK = 0, 1, 2, 3
FIRST_WORD = 4
ATTENTIONS = ("none", "bahdanau", "luong-dot", "luong-general", "luong-concat")
CONFIGS = {
    "big": dict(vocab=8000, emb=256, hidden=512),
    "small": dict(vocab=4000, emb=128, hidden=256),
}


def rss_mb():
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def host_steal():
    """(steal, total) jiffies of all CPUs from /proc/stat: time the hypervisor ran someone else."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[7], sum(v[:8])


def current_rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Encoder(nn.Module):
    def __init__(self, vocab, emb, hidden, cell):
        super().__init__()
        self.cell = cell
        self.embed = nn.Embedding(vocab, emb, padding_idx=PAD)
        rnn = nn.GRU if cell == "gru" else nn.LSTM
        self.rnn = rnn(emb, hidden, batch_first=True, bidirectional=True)

    def forward(self, src, src_len):
        x = self.embed(src)
        packed = pack_padded_sequence(x, src_len, batch_first=True, enforce_sorted=False)
        out, state = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.size(1))
        h_n = state if self.cell == "gru" else state[0]       # [2, B, H], batch order restored
        last = torch.cat([h_n[0], h_n[1]], dim=-1)            # [B, 2H]
        return out, last


class Decoder(nn.Module):
    def __init__(self, vocab, emb, hidden, attention, cell, memory, readout):
        super().__init__()
        self.attention, self.cell, self.memory, self.readout = attention, cell, memory, readout
        self.luong = attention.startswith("luong")
        mem_dim = 2 * hidden if memory == "concat" else hidden
        if attention == "luong-dot" and mem_dim != hidden:
            raise ValueError("luong-dot needs --memory sum (memory dim must equal decoder hidden)")
        self.embed = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.bridge = nn.Linear(2 * hidden, hidden)
        rnn = nn.GRU if cell == "gru" else nn.LSTM
        self.rnn = rnn(emb if self.luong else emb + (2 * hidden if attention == "none" else mem_dim),
                       hidden, batch_first=True)
        attn_dim = hidden
        if attention == "bahdanau":
            self.W = nn.Linear(hidden, attn_dim, bias=False)
            self.U = nn.Linear(mem_dim, attn_dim, bias=False)
            self.v = nn.Linear(attn_dim, 1, bias=False)
        elif attention == "luong-general":
            self.W_a = nn.Linear(mem_dim, hidden, bias=False)
        elif attention == "luong-concat":
            self.W_a = nn.Linear(hidden + mem_dim, attn_dim, bias=False)
            self.v = nn.Linear(attn_dim, 1, bias=False)
        if self.luong:
            self.W_c = nn.Linear(mem_dim + hidden, hidden, bias=False)
        ctx_dim = 2 * hidden if attention == "none" else mem_dim
        out_in = hidden + (ctx_dim if readout == "state+context" else 0)
        self.out = nn.Linear(out_in, vocab)
        self.hidden = hidden

    # --- memory-side work done once per source batch -------------------------------
    def prepare(self, enc_out, last, src_mask):
        if self.memory == "sum":
            H = enc_out.size(-1) // 2
            mem = enc_out[..., :H] + enc_out[..., H:]
        else:
            mem = enc_out
        keys = None
        if self.attention == "bahdanau":
            keys = self.U(mem)                                   # U m_j      [B,S,A]
        elif self.attention == "luong-dot":
            keys = mem
        elif self.attention == "luong-general":
            keys = self.W_a(mem)                                 # W_a m_j    [B,S,H]
        elif self.attention == "luong-concat":
            keys = F.linear(mem, self.W_a.weight[:, self.hidden:])  # W_a[:,H:] m_j
        s0 = torch.tanh(self.bridge(last))
        state = s0 if self.cell == "gru" else (s0, torch.zeros_like(s0))
        return dict(mem=mem, keys=keys, mask=src_mask, last=last), state

    def scores(self, q, mem_ctx):
        """q: [B, H] or [B, T, H] -> scores [B, S] or [B, T, S] (pre-mask)."""
        keys = mem_ctx["keys"]
        single = q.dim() == 2
        q3 = q.unsqueeze(1) if single else q                   # [B, T, H]
        if self.attention == "bahdanau":
            e = self.v(torch.tanh(keys.unsqueeze(1) + self.W(q3).unsqueeze(2))).squeeze(-1)
        elif self.attention in ("luong-dot", "luong-general"):
            e = torch.bmm(q3, keys.transpose(1, 2))
        else:  # luong-concat
            qp = F.linear(q3, self.W_a.weight[:, :self.hidden])
            e = self.v(torch.tanh(keys.unsqueeze(1) + qp.unsqueeze(2))).squeeze(-1)
        return e.squeeze(1) if single else e

    def attend(self, q, mem_ctx):
        e = self.scores(q, mem_ctx)
        mask = mem_ctx["mask"] if e.dim() == 2 else mem_ctx["mask"].unsqueeze(1)
        a = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=-1)
        if a.dim() == 2:
            return torch.bmm(a.unsqueeze(1), mem_ctx["mem"]).squeeze(1)
        return torch.bmm(a, mem_ctx["mem"])

    def cell_step(self, x, state):
        r = self.rnn
        if self.cell == "gru":
            return torch.gru_cell(x, state, r.weight_ih_l0, r.weight_hh_l0, r.bias_ih_l0, r.bias_hh_l0)
        return torch.lstm_cell(x, state, r.weight_ih_l0, r.weight_hh_l0, r.bias_ih_l0, r.bias_hh_l0)

    def step(self, e, state, mem_ctx):
        """One decoder step on the embedded previous token e = emb(y_{i-1}):
        returns (readout input o_i, new state)."""
        h_prev = state if self.cell == "gru" else state[0]
        ctx = None
        if self.attention == "none":
            ctx = mem_ctx["last"]
            x = torch.cat([e, ctx], dim=-1)
        elif self.attention == "bahdanau":
            ctx = self.attend(h_prev, mem_ctx)
            x = torch.cat([e, ctx], dim=-1)
        else:
            x = e
        state = self.cell_step(x, state)
        h = state if self.cell == "gru" else state[0]
        if self.luong:
            ctx = self.attend(h, mem_ctx)
            o = torch.tanh(self.W_c(torch.cat([ctx, h], dim=-1)))
        else:
            o = h
        if self.readout == "state+context":
            o = torch.cat([o, ctx], dim=-1)
        return o, state

    def teacher_forced(self, tgt_in, state, mem_ctx, stepwise):
        if self.luong and not stepwise:
            h0 = state.unsqueeze(0) if self.cell == "gru" else tuple(s.unsqueeze(0) for s in state)
            hs, _ = self.rnn(self.embed(tgt_in), h0)           # [B, T, H]
            ctx = self.attend(hs, mem_ctx)                     # [B, T, Dm]
            o = torch.tanh(self.W_c(torch.cat([ctx, hs], dim=-1)))
            if self.readout == "state+context":
                o = torch.cat([o, ctx], dim=-1)
            return o
        emb = self.embed(tgt_in)             # one lookup (and one sparse-to-dense backward)
        outs = []
        for t in range(tgt_in.size(1)):
            o, state = self.step(emb[:, t], state, mem_ctx)
            outs.append(o)
        return torch.stack(outs, dim=1)


class Seq2Seq(nn.Module):
    def __init__(self, src_vocab, tgt_vocab, emb, hidden, attention="bahdanau", cell="gru",
                 memory="auto", readout="state"):
        super().__init__()
        if memory == "auto":
            memory = "sum" if attention.startswith("luong") else "concat"
        self.encoder = Encoder(src_vocab, emb, hidden, cell)
        self.decoder = Decoder(tgt_vocab, emb, hidden, attention, cell, memory, readout)

    def encode(self, src, src_len):
        enc_out, last = self.encoder(src, src_len)
        src_mask = src != PAD
        return self.decoder.prepare(enc_out, last, src_mask)

    def loss(self, src, src_len, tgt_in, tgt_out, stepwise=False):
        mem_ctx, state = self.encode(src, src_len)
        o = self.decoder.teacher_forced(tgt_in, state, mem_ctx, stepwise)
        logits = self.decoder.out(o)                            # one GEMM over [B*T]
        return F.cross_entropy(logits.reshape(-1, logits.size(-1)), tgt_out.reshape(-1),
                               ignore_index=PAD)


@torch.inference_mode()
def greedy(model, src, src_len, max_len=40, stop_at_eos=False):
    mem_ctx, state = model.encode(src, src_len)
    y = torch.full((src.size(0),), BOS, dtype=torch.long)
    finished = torch.zeros(src.size(0), dtype=torch.bool)
    outs = []
    for _ in range(max_len):
        o, state = model.decoder.step(model.decoder.embed(y), state, mem_ctx)
        y = model.decoder.out(o).argmax(-1)
        outs.append(y)
        if stop_at_eos:
            finished |= y == EOS
            if bool(finished.all()):
                break
    return torch.stack(outs, dim=1)


@torch.inference_mode()
def beam_search(model, src, src_len, beam=5, max_len=40, stop_at_eos=False, return_all=False):
    """Batched beam search; rows of all sentences' beams are stacked [B*K].
    A hypothesis that emitted EOS is extended only by EOS at zero cost.
    Returns the best hypothesis per sentence (no length normalisation) and its log-prob;
    with return_all, all K hypotheses [B, K, steps] and log-probs [B, K], best first."""
    B, K = src.size(0), beam
    mem_ctx, state = model.encode(src, src_len)
    rep = lambda t: None if t is None else t.repeat_interleave(K, dim=0)
    mem_ctx = {k: rep(v) for k, v in mem_ctx.items()}
    state = rep(state) if torch.is_tensor(state) else tuple(rep(s) for s in state)
    scores = torch.full((B, K), float("-inf"))
    scores[:, 0] = 0.0
    y = torch.full((B * K,), BOS, dtype=torch.long)
    hist = torch.empty((B, K, 0), dtype=torch.long)
    finished = torch.zeros((B, K), dtype=torch.bool)
    base = (torch.arange(B) * K).unsqueeze(1)
    for _ in range(max_len):
        o, state = model.decoder.step(model.decoder.embed(y), state, mem_ctx)
        logp = torch.log_softmax(model.decoder.out(o), dim=-1).view(B, K, -1)
        V = logp.size(-1)
        if bool(finished.any()):
            eos_col = torch.where(finished, torch.zeros(()), logp[..., EOS])
            logp = logp.masked_fill(finished.unsqueeze(-1), float("-inf"))
            logp[..., EOS] = eos_col
        scores, idx = (scores.unsqueeze(-1) + logp).view(B, K * V).topk(K, dim=-1)
        from_beam, tok = idx // V, idx % V
        flat = (base + from_beam).view(-1)
        state = state.index_select(0, flat) if torch.is_tensor(state) else tuple(s.index_select(0, flat) for s in state)
        hist = torch.cat([hist.gather(1, from_beam.unsqueeze(-1).expand(-1, -1, hist.size(2))),
                          tok.unsqueeze(-1)], dim=2)
        finished = finished.gather(1, from_beam) | (tok == EOS)
        y = tok.view(-1)
        if stop_at_eos and bool(finished.all()):
            break
    return (hist, scores) if return_all else (hist[:, 0], scores[:, 0])


def make_batch(gen, batch, src_vocab, tgt_vocab, min_len=8, max_len=30):
    src_len = torch.randint(min_len, max_len + 1, (batch,), generator=gen)
    tgt_len = torch.randint(min_len, max_len + 1, (batch,), generator=gen)
    S, T = int(src_len.max()), int(tgt_len.max())
    src = torch.randint(FIRST_WORD, src_vocab, (batch, S), generator=gen)
    src[torch.arange(S)[None, :] >= src_len[:, None]] = PAD
    tgt_out = torch.randint(FIRST_WORD, tgt_vocab, (batch, T), generator=gen)
    tgt_out[torch.arange(batch), tgt_len - 1] = EOS
    tgt_out[torch.arange(T)[None, :] >= tgt_len[:, None]] = PAD
    tgt_in = torch.cat([torch.full((batch, 1), BOS, dtype=torch.long), tgt_out[:, :-1]], dim=1)
    tgt_in[torch.arange(T)[None, :] >= tgt_len[:, None]] = PAD
    return src, src_len, tgt_in, tgt_out


def blas_info():
    try:
        import threadpoolctl
        return [{k: v for k, v in i.items() if k in ("internal_api", "version", "architecture",
                                                     "threading_layer", "num_threads")}
                for i in threadpoolctl.threadpool_info()]
    except ImportError:
        return "threadpoolctl not installed"


def timed(fn, reps):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return ts


def run_one(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = CONFIGS[args.config]
    V, E, H = cfg["vocab"], cfg["emb"], cfg["hidden"]
    res = dict(config=args.config, attention=args.attention, cell=args.cell, vocab=V, emb=E,
               hidden=H, batch=args.batch, threads=torch.get_num_threads(),
               torch=torch.__version__, python=platform.python_version(), blas=blas_info(),
               env_OPENBLAS_CORETYPE=os.environ.get("OPENBLAS_CORETYPE"),
               stepwise=args.stepwise, readout=args.readout,
               rss_after_import_mb=round(current_rss_mb(), 1))
    model = Seq2Seq(V, V, E, H, args.attention, args.cell, args.memory, args.readout)
    res["memory"] = model.decoder.memory
    res["params"] = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(args.seed + 1)
    batches = [make_batch(gen, args.batch, V, V) for _ in range(args.warmup + args.steps)]
    res["rss_after_model_mb"] = round(current_rss_mb(), 1)

    step_times, rates, tok, src_tok, losses = [], [], 0, 0, []
    for i, (src, src_len, tgt_in, tgt_out) in enumerate(batches):
        if i == args.warmup:
            steal0 = host_steal()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model.loss(src, src_len, tgt_in, tgt_out, stepwise=args.stepwise)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        dt = time.perf_counter() - t0
        losses.append(loss.item())
        if i >= args.warmup:
            step_times.append(dt)
            n = int((tgt_out != PAD).sum())
            rates.append(n / dt)
            tok += n
            src_tok += int(src_len.sum())
    steal1 = host_steal()
    total = sum(step_times)
    res["train"] = dict(warmup=args.warmup, steps=args.steps,
                        tgt_tokens_per_s=round(statistics.median(rates), 1),
                        tgt_tokens_per_s_overall=round(tok / total, 1),
                        src_tokens_per_s_overall=round(src_tok / total, 1),
                        host_steal_frac=round((steal1[0] - steal0[0]) / max(1, steal1[1] - steal0[1]), 3),
                        tgt_tokens_per_step=round(tok / args.steps, 1),
                        step_s_median=round(statistics.median(step_times), 4),
                        step_s_min=round(min(step_times), 4), step_s_max=round(max(step_times), 4),
                        loss_first=round(losses[0], 4), loss_last=round(losses[-1], 4))
    res["peak_rss_train_mb"] = round(rss_mb(), 1)

    model.eval()
    res["precision"] = args.precision
    if args.precision == "int8":
        model = quantize_int8(model, args.attention)
        res["quantized_engine"] = torch.backends.quantized.engine
    src, src_len = batches[0][0], batches[0][1]
    if args.decode_batches > 0:
        greedy(model, src, src_len, args.max_len)              # warm-up
        ts = timed(lambda: greedy(model, src, src_len, args.max_len), args.decode_batches)
        res["greedy"] = dict(batch=args.batch, steps=args.max_len,
                             sent_per_s=round(args.batch / statistics.median(ts), 2),
                             sent_per_s_overall=round(args.batch * len(ts) / sum(ts), 2),
                             batch_s_median=round(statistics.median(ts), 4))
    if args.beam_sents > 0:
        one = [(src[i:i + 1, :int(src_len[i])], src_len[i:i + 1]) for i in range(args.beam_sents)]
        beam_search(model, *one[0], beam=args.beam, max_len=args.max_len)   # warm-up
        ts = [timed(lambda s=s: beam_search(model, *s, beam=args.beam, max_len=args.max_len), 1)[0]
              for s in one]
        res["beam_batch1"] = dict(beam=args.beam, steps=args.max_len, sentences=len(ts),
                                  sent_per_s=round(1 / statistics.median(ts), 2),
                                  sent_per_s_overall=round(len(ts) / sum(ts), 2))
    if args.beam_batches > 0:
        beam_search(model, src, src_len, beam=args.beam, max_len=args.max_len)  # warm-up
        ts = timed(lambda: beam_search(model, src, src_len, beam=args.beam, max_len=args.max_len),
                   args.beam_batches)
        res["beam_batched"] = dict(beam=args.beam, batch=args.batch, steps=args.max_len,
                                   sent_per_s=round(args.batch / statistics.median(ts), 2),
                                   sent_per_s_overall=round(args.batch * len(ts) / sum(ts), 2))
    res["peak_rss_total_mb"] = round(rss_mb(), 1)
    return res


def quantize_int8(model, attention):
    """PyTorch's own int8 for inference: torch.quantization.quantize_dynamic on the oneDNN engine (Debian's torch
    has no FBGEMM), int8 weights with per-row scales and activations quantized at run time. It takes the Linears a
    step multiplies by (output layer, bridge, W_c, Bahdanau's W and U, Luong-general's W_a) and the encoder's
    GRU/LSTM. The decoder's cell stays fp32: decoding steps it with torch.gru_cell/lstm_cell on the module's
    weights, which a quantized GRU no longer exposes (and quantize_dynamic has no quantized cell for a
    nn.GRU), as do attention's v and Luong-concat's W_a, whose columns the reference slices."""
    torch.backends.quantized.engine = "onednn"
    names = {"encoder.rnn", "decoder.out", "decoder.bridge", "decoder.W_c", "decoder.W", "decoder.U"}
    if attention == "luong-general":
        names.add("decoder.W_a")
    present = {n for n, _ in model.named_modules()}
    return torch.quantization.quantize_dynamic(model, {n for n in names if n in present}, dtype=torch.qint8)


def selftest(args):
    """Cheap consistency checks of the implementation itself (not a benchmark)."""
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(7)
    src, src_len, tgt_in, tgt_out = make_batch(gen, 6, 50, 60, 3, 9)
    for cell in ("gru", "lstm"):
        for att in ATTENTIONS:
            torch.manual_seed(0)
            m = Seq2Seq(50, 60, 16, 24, att, cell).double()
            fused = m.loss(src, src_len, tgt_in, tgt_out, stepwise=False)
            step = m.loss(src, src_len, tgt_in, tgt_out, stepwise=True)
            assert torch.allclose(fused, step, rtol=1e-10), (cell, att, fused, step)
            g = greedy(m, src, src_len, 12)
            b, _ = beam_search(m, src, src_len, beam=1, max_len=12)
            # beam-1 keeps emitting EOS after the first EOS; greedy does not: compare up to it
            upto = torch.cumsum((g == EOS).long(), 1) - (g == EOS).long() == 0
            assert torch.equal(g[upto], b[upto]), (cell, att)
            # padding must not matter: one sentence alone == same sentence in the batch
            i = int(src_len.argmin())
            alone = greedy(m, src[i:i + 1, :int(src_len[i])], src_len[i:i + 1], 12)
            assert torch.equal(alone[0], g[i]), (cell, att, "padding leak")
    print("selftest ok")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", default="all", choices=["all", *CONFIGS])
    p.add_argument("--attention", default="bahdanau", choices=["all", *ATTENTIONS])
    p.add_argument("--cell", default="gru", choices=["gru", "lstm"])
    p.add_argument("--memory", default="auto", choices=["auto", "concat", "sum"])
    p.add_argument("--readout", default="state", choices=["state", "state+context"])
    p.add_argument("--stepwise", action="store_true", help="luong-*: per-step decoder loop in training")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--max-len", type=int, default=40)
    p.add_argument("--decode-batches", type=int, default=3)
    p.add_argument("--beam", type=int, default=5)
    p.add_argument("--beam-sents", type=int, default=16, help="batch-1 beam sentences timed")
    p.add_argument("--beam-batches", type=int, default=1, help="batched (batch x beam rows) beam runs timed")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--repeat", type=int, default=1, help="runs per configuration (child processes)")
    p.add_argument("--json-out", help="append each result line to this file")
    p.add_argument("--selftest", action="store_true")
    p.add_argument("--precision", default="fp32", choices=["fp32", "int8"],
                   help="decoding weights: int8 = torch.quantization.quantize_dynamic (onednn) after training")
    args = p.parse_args()
    if args.selftest:
        return selftest(args)
    configs = list(CONFIGS) if args.config == "all" else [args.config]
    atts = list(ATTENTIONS) if args.attention == "all" else [args.attention]
    if len(configs) * len(atts) > 1 or args.repeat > 1:
        # one child process per run, so that peak RSS is per configuration; with --repeat N
        # each configuration runs N times and the summary gives the median over the runs
        summary = []
        for c in configs:
            for a in atts:
                runs = []
                for _ in range(args.repeat):
                    argv = [sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
                    argv += ["--config", c, "--attention", a, "--repeat", "1"]
                    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
                    line = out.strip().splitlines()[-1]
                    print(line, flush=True)
                    runs.append(json.loads(line))
                med = lambda f: (round(statistics.median(f(r) for r in runs), 2)
                                 if all(f(r) is not None for r in runs) else None)
                summary.append(dict(
                    config=c, attention=a, cell=args.cell, runs=len(runs),
                    tgt_tok_s=med(lambda r: r["train"]["tgt_tokens_per_s"]),
                    tgt_tok_s_runs=[r["train"]["tgt_tokens_per_s"] for r in runs],
                    greedy_sent_s=med(lambda r: r.get("greedy", {}).get("sent_per_s")),
                    beam1_sent_s=med(lambda r: r.get("beam_batch1", {}).get("sent_per_s")),
                    beamB_sent_s=med(lambda r: r.get("beam_batched", {}).get("sent_per_s")),
                    peak_rss_train_mb=med(lambda r: r["peak_rss_train_mb"]),
                    peak_rss_mb=med(lambda r: r["peak_rss_total_mb"]),
                    rss_after_import_mb=med(lambda r: r["rss_after_import_mb"]),
                    max_host_steal_frac=max(r["train"]["host_steal_frac"] for r in runs)))
        print(json.dumps(dict(summary=summary)), flush=True)
        return
    args.config, args.attention = configs[0], atts[0]
    res = run_one(args)
    res["date"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    line = json.dumps(res)
    if args.json_out:
        with open(args.json_out, "a") as f:
            f.write(line + "\n")
    print(line, flush=True)


if __name__ == "__main__":
    main()
