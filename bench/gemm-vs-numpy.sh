#!/usr/bin/env bash
# Attend's GEMM against numpy/OpenBLAS, side by side: the same shapes and thread counts, runs
# interleaved (ours, numpy, ours, numpy, ...) so both see the same machine load, then a table of
# median GFLOP/s and the median of the per-round ratios ours/OpenBLAS.
# Usage: bench/gemm-vs-numpy.sh [rounds=3] [reps=5] [wall|cpu]
#   wall (default): wall-clock time, 1 and 2 threads.
#   cpu: one thread timed by its own CPU time, which a machine shared with other jobs disturbs less.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
reps=${2:-5}
clock=${3:-wall}
threads="1 2"
extra=()
if [ "$clock" = cpu ]; then threads=1; extra=(--cpu-time); fi

# OpenBLAS at its best (as bench/pytorch/README.md sets up PyTorch): Debian's numpy on the OpenMP
# build of OpenBLAS, with the image's forced core type unset so it picks its own kernel.
if ! /usr/bin/python3 -c "import numpy" 2>/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0 ] \
   || ! /usr/bin/python3 -c "import threadpoolctl" 2>/dev/null; then
  apt-get update && apt-get install -y --no-install-recommends python3-numpy libopenblas0-openmp python3-threadpoolctl
fi
numpy() {
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \
    /usr/bin/python3 bench/gemm_numpy.py "$@"
}

dotnet build bench/Attend.Bench -c Release -v quiet -nologo >/dev/null
ours() { dotnet bench/Attend.Bench/bin/Release/net10.0/Attend.Bench.dll gemm "$@"; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq 1 "$rounds"); do
  for t in $threads; do
    echo "== round $r/$rounds, $t thread(s), $clock clock" >&2
    ours --threads "$t" --reps "$reps" "${extra[@]}" | tail -n 1 >"$out/ours.$r.$t.json"
    numpy --threads "$t" --reps "$reps" "${extra[@]}" 2>"$out/blas.txt" | tail -n 1 >"$out/blas.$r.$t.json"
  done
done

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; clock: $clock; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "numpy side: $(head -c 600 "$out/blas.txt")"
/usr/bin/python3 - "$out" "$rounds" $threads <<'PY'
import json, statistics, sys
out, rounds, threads = sys.argv[1], int(sys.argv[2]), [int(t) for t in sys.argv[3:]]
def load(who):
    runs = {}
    for r in range(1, rounds + 1):
        for t in threads:
            for row in json.load(open(f"{out}/{who}.{r}.{t}.json"))["gemm"]:
                runs.setdefault((row["m"], row["k"], row["n"], row["threads"]), {})[r] = row["gflops"]
    return runs
ours, blas = load("ours"), load("blas")
print(f"| m×k·k×n | threads | Attend GFLOP/s | OpenBLAS GFLOP/s | ratio (median of per-round ratios) |")
print(f"|---|---|---|---|---|")
for key in sorted(ours, key=lambda k: (k[3], list(ours).index(k))):
    m, k, n, t = key
    ratio = statistics.median(ours[key][r] / blas[key][r] for r in ours[key])
    print(f"| {m}×{k}·{k}×{n} | {t} | {statistics.median(ours[key].values()):.1f} | "
          f"{statistics.median(blas[key].values()):.1f} | {ratio:.2f} |")
PY
