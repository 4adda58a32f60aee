#!/usr/bin/env bash
# Two builds of Attend.Bench against each other on the `peer` suite (the PyTorch reference's benchmark), interleaved (base, new, base, new, …)
# so both see the same load, then medians per figure and the median of the per-round ratios new/base.
# Usage: bench/compare-builds.sh BASE.dll NEW.dll [rounds=3] ["config:attention …"="big:bahdanau small:luong-general"] [-- peer flags]
# Save a build first, e.g. cp -r bench/Attend.Bench/bin/Release/net10.0 /tmp/base, and pass /tmp/base/Attend.Bench.dll.
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,5p "$0" >&2; exit 2; }
base=$1; new=$2; rounds=${3:-3}; combos=${4:-"big:bahdanau small:luong-general"}
shift $(( $# < 4 ? $# : 4 ))
[ "${1:-}" = "--" ] && shift
for f in "$base" "$new"; do [ -f "$f" ] || { echo "compare-builds: $f not found" >&2; exit 2; }; done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq 1 "$rounds"); do
  for ca in $combos; do
    c=${ca%%:*}; a=${ca#*:}
    echo "== round $r/$rounds: $c $a (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    dotnet "$base" peer --config "$c" --attention "$a" "$@" | tail -n 1 >"$out/base.$r.$c.$a.json"
    dotnet "$new" peer --config "$c" --attention "$a" "$@" | tail -n 1 >"$out/new.$r.$c.$a.json"
  done
done
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); rounds: $rounds; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: bench/compare-builds.sh $base $new $rounds \"$combos\"${*:+ -- $*}"
python3 - "$out" "$rounds" "$combos" <<'PY'
import json, statistics, sys
out, rounds, combos = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
figs = [("train tok/s", lambda r: r["train"]["tgt_tokens_per_s"]), ("train GFLOP/s", lambda r: r["train"]["gflops_per_s"]),
        ("clip+Adam s", lambda r: r["train"]["clip_adam_s_median"]), ("greedy sent/s", lambda r: r.get("greedy", {}).get("sent_per_s")),
        ("beam-1 sent/s", lambda r: r.get("beam_batch1", {}).get("sent_per_s")), ("batched beam sent/s", lambda r: r.get("beam_batched", {}).get("sent_per_s")),
        ("peak RSS train MB", lambda r: r["peak_rss_train_mb"]), ("peak RSS total MB", lambda r: r["peak_rss_total_mb"])]
print("Each cell: base median → new median (median of per-round ratios new/base)")
print("| config | attention | " + " | ".join(n for n, _ in figs) + " |")
print("|---|---|" + "---|" * len(figs))
for ca in combos:
    c, a = ca.split(":")
    cells = []
    for _, f in figs:
        b = [f(json.load(open(f"{out}/base.{r}.{c}.{a}.json"))) for r in range(1, rounds + 1)]
        w = [f(json.load(open(f"{out}/new.{r}.{c}.{a}.json"))) for r in range(1, rounds + 1)]
        if any(x is None for x in b + w) or any(x == 0 for x in b):
            cells.append("–")
            continue
        cells.append(f"{statistics.median(b):.4g} → {statistics.median(w):.4g} ({statistics.median(x / y for x, y in zip(w, b)):.2f}×)")
    print(f"| {c} | {a} | " + " | ".join(cells) + " |")
PY
