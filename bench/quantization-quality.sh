#!/usr/bin/env bash
# Translation quality of int8 and bf16 weights next to fp32 (docs/quantization.md): for every run, greedy and
# beam-5 translations of a test set in each precision (`attend translate --precision`), BLEU and chrF
# (`attend evaluate`), and against fp32: the share of sentences translated identically and, over those, the share
# of target tokens whose attention argmax (the hard alignment `--alignments` prints) is the same source token.
#
# Usage: bench/quantization-quality.sh SRC REF OUT_DIR RUN...
#   SRC/REF: plain or .gz text files, one sentence a line; RUN: run directories or checkpoint folders.
#   Prints one markdown table; translations are kept in OUT_DIR/<run>/<search>-<precision>.txt.
# ATTEND=path/to/Attend.Cli.dll uses a saved build instead of building the tree.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 4 ] || { sed -n 2,10p "$0" >&2; exit 2; }
src=$1 ref=$2 out=$3
shift 3
if [ -z "${ATTEND:-}" ]; then
  dotnet build src/Attend.Cli -c Release -v quiet -nologo >/dev/null
  ATTEND=src/Attend.Cli/bin/Release/net10.0/Attend.Cli.dll
fi
attend() { dotnet "$ATTEND" "$@"; }
mkdir -p "$out"
plain() { case "$1" in *.gz) zcat "$1" > "$2" ;; *) cp "$1" "$2" ;; esac; }
plain "$src" "$out/src.txt"
plain "$ref" "$out/ref.txt"

echo "| run | search | precision | BLEU | chrF | ΔBLEU | ΔchrF | same output | same attention argmax |"
echo "|-----|--------|-----------|-----:|-----:|------:|------:|------------:|----------------------:|"
for run in "$@"; do
  name=$(basename "$(cd "$run" && pwd)")
  [ "$name" = best ] || [ "$name" = last ] && name=$(basename "$(dirname "$(cd "$run" && pwd)")")
  mkdir -p "$out/$name"
  for search in greedy beam5; do
    beam=1; [ $search = beam5 ] && beam=5
    for p in fp32 int8 bf16; do
      attend translate --model "$run" --precision $p --beam $beam --alignments --input "$out/src.txt" \
        --output "$out/$name/$search-$p.aligned"
      sed 's/ ||| .*$//' "$out/$name/$search-$p.aligned" > "$out/$name/$search-$p.txt"
      attend evaluate --hyp "$out/$name/$search-$p.txt" --ref "$out/ref.txt" --json > "$out/$name/$search-$p.json"
    done
    python3 - "$out/$name" "$search" "$name" <<'PY'
import json, sys
d, search, name = sys.argv[1:4]
def load(p):
    rows = [l.rstrip("\n").split(" ||| ") for l in open(f"{d}/{search}-{p}.aligned", encoding="utf-8")]
    return [(r[0], r[1] if len(r) > 1 else "") for r in rows]
def score(p):
    j = json.load(open(f"{d}/{search}-{p}.json"))
    s = j["systems"][0] if "systems" in j else j
    return float(s["bleu"]["score"] if isinstance(s["bleu"], dict) else s["bleu"]), float(s["chrf"]["score"] if isinstance(s["chrf"], dict) else s["chrf"])
base = load("fp32")
b0, c0 = score("fp32")
for p in ["fp32", "int8", "bf16"]:
    b, c = score(p)
    if p == "fp32":
        print(f"| {name} | {search} | fp32 | {b:.2f} | {c:.2f} | | | | |")
        continue
    other = load(p)
    same = [(x, y) for x, y in zip(base, other) if x[0] == y[0]]
    links = agree = 0
    for x, y in same:
        # Pharaoh "s-t" pairs, one per target token: the argmax source of each target position.
        ax = dict((t, s) for s, t in (a.split("-") for a in x[1].split()))
        ay = dict((t, s) for s, t in (a.split("-") for a in y[1].split()))
        links += len(ax)
        agree += sum(1 for t in ax if ay.get(t) == ax[t])
    att = f"{100 * agree / links:.2f}%" if links else "–"  # a model without attention prints no alignments
    print(f"| {name} | {search} | {p} | {b:.2f} | {c:.2f} | {b - b0:+.2f} | {c - c0:+.2f} | "
          f"{100 * len(same) / len(base):.1f}% | {att} |")
PY
  done
done
