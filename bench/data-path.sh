#!/usr/bin/env bash
# The data path at scale: a synthetic Zipfian corpus of N pairs (Attend.Bench corpus), prepared with
# `attend prepare` (pairs/s, peak RSS), then the same config trained for S seconds from the whole prepared
# corpus and from a 30,000-pair slice of it (peak RSS, target tokens/s): memory must not grow with the corpus.
#
# Usage: bench/data-path.sh [pairs=10000000] [seconds=120] [work dir=/tmp/attend-data-path]
#   The corpus (about 230 bytes a pair) and the prepared folders are kept in the work dir and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-10000000}
seconds=${2:-120}
work=${3:-/tmp/attend-data-path}
mkdir -p "$work"
dotnet build src/Attend.Cli -c Release -v quiet -nologo >/dev/null
dotnet build bench/Attend.Bench -c Release -v quiet -nologo >/dev/null
attend=(dotnet src/Attend.Cli/bin/Release/net10.0/Attend.Cli.dll)
rss() { awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$1"; }

corpus="$work/corpus-$pairs"
if [ ! -f "$corpus/test.trg" ]; then
  dotnet bench/Attend.Bench/bin/Release/net10.0/Attend.Bench.dll corpus --out "$corpus" --pairs "$pairs" --dev 3000
fi
slice="$work/slice-30000"
if [ ! -f "$slice/test.trg" ]; then
  mkdir -p "$slice"
  for s in src trg; do head -n 30000 "$corpus/train.$s" > "$slice/train.$s"; done
  cp "$corpus"/dev.* "$corpus"/test.* "$slice/"
fi

config() { # $1 = data dir, $2 = prepared dir, $3 = run dir
  cat <<YAML
name: data-path
seed: 1
data:
  source: files
  dir: $1
  train: train
  dev: dev
  test: test
  src: src
  trg: trg
  bpe_merges: 8000
  max_length: 150
  prepared: $2
model:
  embedding_size: 128
  hidden_size: 256
training:
  batch_size: 64
  max_seconds: $seconds
  validate_every: 100000
  log_every: 20
  run_dir: $3
  overwrite: true
YAML
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for name in full slice; do
  dir=$corpus; [ $name = slice ] && dir=$slice
  config "$dir" "$work/prepared-$name" "$work/run-$name" > "$work/$name.yaml"
  if [ ! -f "$work/prepared-$name/manifest.json" ]; then
    rm -rf "$work/prepared-$name"
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$work/prepare-$name.time" "${attend[@]}" prepare "$work/$name.yaml" --quiet > "$work/prepare-$name.out" 2> "$work/prepare-$name.err"
    end=$(date +%s.%N)
    read_pairs=$(( $(wc -l < "$dir/train.src") ))
    echo "prepare $name: $read_pairs pairs in $(echo "$end - $start" | bc) s = $(echo "$read_pairs / ($end - $start)" | bc) pairs/s, peak RSS $(rss "$work/prepare-$name.time") MB"
    grep '^train:' "$work/prepare-$name.out"
  fi
done
for name in full slice; do
  sed -i 's/^  source: files$/  source: prepared/' "$work/$name.yaml"
  /usr/bin/time -v -o "$work/train-$name.time" "${attend[@]}" train "$work/$name.yaml" --quiet > /dev/null 2> "$work/train-$name.err"
  # Target tokens/s: the mean over the train lines after the first minute's warm-up tenth.
  tps=$(python3 -c "
import json,sys
rows=[json.loads(l) for l in open('$work/run-$name/metrics.jsonl') if '\"train\"' in l]
rows=rows[len(rows)//10:]
print(round(sum(r['tgt_tokens_per_s'] for r in rows)/max(len(rows),1)))")
  echo "train $name: peak RSS $(rss "$work/train-$name.time") MB, $tps target tokens/s, $(grep -c '"train"' "$work/run-$name/metrics.jsonl") log lines"
done
