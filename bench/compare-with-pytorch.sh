#!/usr/bin/env bash
# Attend against the PyTorch reference (bench/pytorch/torch_peer.py), side by side on this machine: for
# every round and every config × attention, one run of ours then one of PyTorch (interleaved, so both
# see the same load), then a table of ratios ours/PyTorch, each the median of the per-round ratios.
# PyTorch runs at its best, exactly as bench/pytorch/README.md says: Debian's python3-torch on the
# OpenMP build of OpenBLAS (its AVX-512 kernel: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for that
# command only, or the kernel named when OpenBLAS does not know the CPU), with tcmalloc preloaded. Parameter counts are checked equal before anything is timed.
#
# Usage: bench/compare-with-pytorch.sh [rounds=3] [configs="big small"] [attentions=all] [cell=gru] [-- extra flags for both]
#   attentions: "all" or a space-separated list of none bahdanau luong-dot luong-general luong-concat
#   extra flags go to both benchmarks, e.g. -- --steps 5 --beam-sents 8
# A full run (3 rounds × 10 configurations × both systems) takes ~11 minutes on 2 cores (2026-12-02, a Zen 4).
# ATTEND_BENCH=path/to/Attend.Bench.dll times a saved build instead of building the tree.
# COMPARE_FROM=DIR prints the tables again from the JSON lines a run kept (COMPARE_OUT=DIR) without running
# anything but this machine's ceilings; give it the same rounds, configs, attentions and cell.
# Two tables: the ratios, then what each goal asks of this machine (the GFLOP/s, or for beam-1 the GB/s of
# weights, Attend's own work at the goal's rate would need, against the FMA ceiling and the read bandwidth).
# PRECISION=int8 (or bf16) decodes with Attend's int8 (bf16) weights (docs/quantization.md); with int8, PyTorch also
# runs its own int8 (torch.quantization.quantize_dynamic, onednn engine) each round, and a third, compact table
# gives the decoding ratios against PyTorch fp32 and against PyTorch int8.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
configs=${2:-"big small"}
atts=${3:-all}
cell=${4:-gru}
precision=${PRECISION:-fp32}
case "$precision" in fp32|int8|bf16) ;; *) echo "compare-with-pytorch: PRECISION must be fp32, int8 or bf16, got '$precision'" >&2; exit 2 ;; esac
shift $(( $# < 4 ? $# : 4 ))
[ "${1:-}" = "--" ] && shift
extra=("$@")
[ "$atts" = all ] && atts="none bahdanau luong-dot luong-general luong-concat"
peer=bench/pytorch/torch_peer.py
[ -f "$peer" ] || { echo "compare-with-pytorch: $peer not found (run the script from a full clone of the repository)" >&2; exit 2; }

if ! /usr/bin/python3 -c "import torch, numpy" 2>/dev/null \
   || [ ! -e /usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0 ] \
   || [ ! -e /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 ]; then
  apt-get update && apt-get install -y --no-install-recommends python3-torch python3-numpy \
    libopenblas0-openmp libtcmalloc-minimal4
fi
# OpenBLAS 0.3.21 picks its kernel from the CPU model; a CPU newer than it (an Intel Xeon of family 6 model 207,
# for one) falls back to "Prescott", an SSE kernel at a fifth of the AVX-512 one's speed (measured: 1024³ on 2
# threads, 68 against 326 GFLOP/s). Then name the kernel the CPU's flags allow, so PyTorch still runs at its best.
blas_core=$(env -u OPENBLAS_CORETYPE OPENBLAS_VERBOSE=2 LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \
  /usr/bin/python3 -c "import torch; torch.ones(64, 64) @ torch.ones(64, 64)" 2>&1 | sed -n 's/^Core: //p' | head -n 1)
blas_env=(-u OPENBLAS_CORETYPE)
if [ "$blas_core" = Prescott ]; then
  if grep -qw avx512f /proc/cpuinfo; then blas_env=(OPENBLAS_CORETYPE=SkylakeX); elif grep -qw avx2 /proc/cpuinfo; then blas_env=(OPENBLAS_CORETYPE=Haswell); fi
  echo "OpenBLAS does not know this CPU (it chose Prescott): PyTorch runs with ${blas_env[*]}"
fi
torch_peer() {
  env -u OPENBLAS_L2_SIZE "${blas_env[@]}" \
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \
    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
    /usr/bin/python3 "$peer" "$@"
}

# ATTEND_BENCH=path/to/Attend.Bench.dll runs a saved build (so rebuilding the tree during a long run does not change it).
if [ -z "${ATTEND_BENCH:-}" ]; then
  dotnet build bench/Attend.Bench -c Release -v quiet -nologo >/dev/null
  ATTEND_BENCH=bench/Attend.Bench/bin/Release/net10.0/Attend.Bench.dll
fi
ours() { dotnet "$ATTEND_BENCH" peer "$@"; }

out=$(mktemp -d)
[ -n "${COMPARE_FROM:-}" ] && cp "$COMPARE_FROM"/*.json "$out"/
# COMPARE_OUT=DIR keeps every run's JSON line there; FMA_PEAK_GFLOPS is the two-core FMA ceiling the
# GFLOP/s columns are read against (default: measured here, `Attend.Bench gemm --peak` × 2: ~470 on a Zen 5,
# ~230 on a Zen 4, whose AVX-512 runs as two halves).
trap 'if [ -n "${COMPARE_OUT:-}" ]; then mkdir -p "$COMPARE_OUT"; cp "$out"/*.json "$COMPARE_OUT"/ 2>/dev/null || true; fi; rm -rf "$out"' EXIT
if [ -z "${FMA_PEAK_GFLOPS:-}" ]; then
  FMA_PEAK_GFLOPS=$(dotnet "$ATTEND_BENCH" gemm --peak | awk '/FMA peak/ { if ($(NF-1) > best) best = $(NF-1) } END { printf "%.0f", 2 * best }')
  echo "FMA ceiling of 2 cores, measured: $FMA_PEAK_GFLOPS GFLOP/s"
fi
peak=$FMA_PEAK_GFLOPS
# Read bandwidth of 2 threads: from DRAM (256 MB a thread) and for a 29 MB working set a thread (the ceiling of
# beam search with batch 1, which streams the decoder's weights at every step).
dotnet "$ATTEND_BENCH" bandwidth | tail -n 1 >"$out/bandwidth.jsonl"
ours --max-len 40 --beam 5 --list-work >"$out/work.txt" 2>/dev/null || : >"$out/work.txt"

# Same model: the parameter count of every configuration must be the PyTorch reference's.
ours --list-params >"$out/ours.params"
/usr/bin/python3 - "$peer" >"$out/peer.params" <<'PY'
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[1])))
import torch_peer as tp
for c, d in tp.CONFIGS.items():
    for cell in ("gru", "lstm"):
        for a in tp.ATTENTIONS:
            m = tp.Seq2Seq(d["vocab"], d["vocab"], d["emb"], d["hidden"], a, cell)
            print(c, a, cell, sum(p.numel() for p in m.parameters()))
PY
if ! diff "$out/ours.params" "$out/peer.params" >&2; then
  echo "compare-with-pytorch: parameter counts differ from the PyTorch reference's (above: ours <, PyTorch >)" >&2
  exit 1
fi
echo "parameter counts: equal for all $(wc -l <"$out/ours.params") config × attention × cell" >&2

load0=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$rounds"); do
  [ -n "${COMPARE_FROM:-}" ] && break
  for c in $configs; do
    for a in $atts; do
      echo "== round $r/$rounds: $c $a $cell (load $(cut -d' ' -f1 /proc/loadavg))" >&2
      ours --config "$c" --attention "$a" --cell "$cell" --precision "$precision" "${extra[@]}" | tail -n 1 >"$out/ours.$r.$c.$a.json"
      torch_peer --config "$c" --attention "$a" --cell "$cell" "${extra[@]}" | tail -n 1 >"$out/torch.$r.$c.$a.json"
      if [ "$precision" = int8 ]; then
        torch_peer --config "$c" --attention "$a" --cell "$cell" --precision int8 "${extra[@]}" | tail -n 1 >"$out/torchq.$r.$c.$a.json"
      fi
    done
  done
done

if [ -n "${COMPARE_FROM:-}" ]; then
  echo "tables again from the runs kept in $COMPARE_FROM, taken $(grep -ho '"date": *"[^"]*"' "$out"/ours.*.json | cut -d'"' -f4 | sort | sed -n '1p;$p' | paste -sd' ' | sed 's/ / to /'); this machine's ceilings measured now"
else
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; cell: $cell; rounds: $rounds; load average at start: $load0, at end: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
echo "command: PRECISION=$precision bench/compare-with-pytorch.sh $rounds \"$configs\" \"$atts\" $cell${extra[*]:+ -- ${extra[*]}}"
/usr/bin/python3 - "$out" "$rounds" "$configs" "$atts" "$peak" "$cell" "$precision" <<'PY'
import json, os, statistics, sys
out, rounds, configs, atts, peak = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split(), float(sys.argv[5])
figs = [("train tok/s", lambda r: r["train"]["tgt_tokens_per_s"]),
        ("greedy sent/s", lambda r: r.get("greedy", {}).get("sent_per_s")),
        ("beam-1 sent/s", lambda r: r.get("beam_batch1", {}).get("sent_per_s")),
        ("batched beam sent/s", lambda r: r.get("beam_batched", {}).get("sent_per_s")),
        ("peak RSS MB", lambda r: r["peak_rss_total_mb"])]
goals = [2, 3, 5, 2, 0.5]
def load(who, r, c, a):
    return json.load(open(f"{out}/{who}.{r}.{c}.{a}.json"))
print("Each cell: ratio ours/PyTorch (median of per-round ratios) [Attend median | PyTorch median]."
      " Goals: " + ", ".join(f"{n} {'≤' if g < 1 else '≥'} {g}×" for (n, _), g in zip(figs, goals)))
print("| config | attention | " + " | ".join(n for n, _ in figs) + f" | train GFLOP/s Attend \\| PyTorch (of {peak:.0f}) | Attend alloc/step |")
print("|---|---|" + "---|" * (len(figs) + 2))
for c in configs:
    for a in atts:
        cells = []
        ours_runs = [load("ours", r, c, a) for r in range(1, rounds + 1)]
        torch_runs = [load("torch", r, c, a) for r in range(1, rounds + 1)]
        for (name, f), goal in zip(figs, goals):
            pairs = [(f(o), f(t)) for o, t in zip(ours_runs, torch_runs)]
            if any(o is None or t is None or t == 0 for o, t in pairs):
                cells.append("–")
                continue
            ratio = statistics.median(o / t for o, t in pairs)
            met = ratio <= goal if goal < 1 else ratio >= goal
            cells.append(f"**{ratio:.2f}**{'' if met else ' ✗'} [{statistics.median(o for o, _ in pairs):.1f} | {statistics.median(t for _, t in pairs):.1f}]")
        gf = statistics.median(o["train"]["gflops_per_s"] for o in ours_runs)
        # Same model and data distribution; PyTorch's work per target token is what the PyTorch reference computes (its
        # decoder runs the padded positions that Attend skips): `peer_gflop_per_step` (older builds: the same count).
        per_token = statistics.median(o["train"].get("peer_gflop_per_step", o["train"]["gflop_per_step"]) / o["train"]["tgt_tokens_per_step"] for o in ours_runs)
        tg = statistics.median(t["train"]["tgt_tokens_per_s"] for t in torch_runs) * per_token
        al = statistics.median(o["train"]["alloc_bytes_per_step"] for o in ours_runs)
        cells.append(f"{gf:.1f} ({gf / peak:.0%}) \\| {tg:.1f} ({tg / peak:.0%})")
        cells.append(f"{al / 1024:.0f} KiB")
        print(f"| {c} | {a} | " + " | ".join(cells) + " |")
print("✗ = goal not met in this run.")

# What each goal asks of this machine: Attend's own work per target token (training) or per sentence (decoding,
# `Attend.Bench peer --list-work`) at the goal's multiple of PyTorch's rate.
work = {}
for line in open(f"{out}/work.txt"):
    c, a, cell, g, b, mb = line.split()
    work[(c, a, cell)] = (float(g), float(b), float(mb))
bw = {(r["mb_per_thread"] > 100, r["threads"]): r["read_gb_per_s"] for r in json.loads(open(f"{out}/bandwidth.jsonl").read())["bandwidth"]}
dram, cached = bw[(True, 2)], bw[(False, 2)]
cell = sys.argv[6]
if work:
    print()
    print(f"What each goal asks of this machine (Attend's own work at the goal's rate; FMA ceiling {peak:.0f} GFLOP/s,"
          f" read bandwidth of 2 threads {dram:.1f} GB/s from DRAM, {cached:.1f} GB/s for 29 MB a thread):")
    print("| config | attention | training at 2× | greedy at 3× | batched beam at 2× | beam-1 at 5× (weights streamed) |")
    print("|---|---|---|---|---|---|")
    for c in configs:
        for a in atts:
            ours_runs = [load("ours", r, c, a) for r in range(1, rounds + 1)]
            torch_runs = [load("torch", r, c, a) for r in range(1, rounds + 1)]
            med = lambda f: statistics.median(f(t) for t in torch_runs)
            g, b, mb = work[(c, a, cell)]
            per_token = statistics.median(o["train"]["gflop_per_step"] / o["train"]["tgt_tokens_per_step"] for o in ours_runs)
            need = [2 * med(lambda t: t["train"]["tgt_tokens_per_s"]) * per_token,
                    3 * med(lambda t: t["greedy"]["sent_per_s"]) * g,
                    2 * med(lambda t: t["beam_batched"]["sent_per_s"]) * b]
            cells = [f"{x:.0f} GFLOP/s ({x / peak:.0%})" for x in need]
            gbs = 5 * med(lambda t: t["beam_batch1"]["sent_per_s"]) * mb / 1e3
            cells.append(f"{gbs:.1f} GB/s ({gbs / dram:.0%} of DRAM's, {gbs / cached:.0%} of 29 MB's)")
            print(f"| {c} | {a} | " + " | ".join(cells) + " |")

precision = sys.argv[7]
if precision != "fp32":
    # Decoding only (the weights are quantized after training): Attend in int8/bf16 against PyTorch fp32, and against
    # PyTorch's own int8 where it ran.
    decode = [("greedy", lambda r: r.get("greedy", {}).get("sent_per_s"), 3),
              ("beam-1", lambda r: r.get("beam_batch1", {}).get("sent_per_s"), 5),
              ("batched beam", lambda r: r.get("beam_batched", {}).get("sent_per_s"), 2.5)]
    has_q = os.path.exists(f"{out}/torchq.1.{configs[0]}.{atts[0]}.json")
    print()
    print(f"Decoding with Attend's {precision} weights, sent/s ratio Attend {precision} / PyTorch fp32"
          + (" and / PyTorch int8 (quantize_dynamic, onednn)" if has_q else "")
          + " (median of per-round ratios). Goals: greedy ≥ 3×, beam-1 ≥ 5×, batched beam ≥ 2.5× fp32"
          + ("; ≥ 1.5× PyTorch int8" if has_q else "") + ".")
    head = " | ".join(f"{n} ×fp32" + (f" | {n} ×int8" if has_q else "") for n, _, _ in decode)
    print(f"| config | attention | {head} | sent/s Attend {precision} \\| PyTorch fp32" + (" \\| PyTorch int8" if has_q else "") + " (greedy, beam-1, batched) |")
    print("|---|---|" + "---|" * (len(decode) * (2 if has_q else 1) + 1))
    for c in configs:
        for a in atts:
            o_runs = [load("ours", r, c, a) for r in range(1, rounds + 1)]
            t_runs = [load("torch", r, c, a) for r in range(1, rounds + 1)]
            q_runs = [load("torchq", r, c, a) for r in range(1, rounds + 1)] if has_q else []
            cells, rates = [], []
            for name, f, goal in decode:
                for runs, g in [(t_runs, goal)] + ([(q_runs, 1.5)] if has_q else []):
                    pairs = [(f(o), f(t)) for o, t in zip(o_runs, runs)]
                    if any(x is None or y is None or y == 0 for x, y in pairs):
                        cells.append("–")
                        continue
                    ratio = statistics.median(x / y for x, y in pairs)
                    cells.append(f"**{ratio:.2f}**{'' if ratio >= g else ' ✗'}")
                med = lambda runs: statistics.median(f(r) for r in runs) if runs and all(f(r) is not None for r in runs) else float("nan")
                rates.append(" \\| ".join(f"{med(runs):.1f}" for runs in [o_runs, t_runs] + ([q_runs] if has_q else [])))
            print(f"| {c} | {a} | " + " | ".join(cells) + " | " + "; ".join(rates) + " |")
PY
