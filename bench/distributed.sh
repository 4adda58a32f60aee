#!/usr/bin/env bash
# Data-parallel training on one machine: configs/multi30k-de-en/bahdanau.yaml with model.hidden_size=512 (45 MB of
# gradients) for a fixed number of updates, three ways, each process bound to its core(s) by mpirun:
#   1 rank  x 1 thread  (DOTNET_PROCESSOR_COUNT=1)
#   2 ranks x 1 thread  (mpirun -np 2 --bind-to core)
#   1 process x 2 threads
# and Open MPI's all-reduce of the same 45 MB alone: its default choice, the ring, the segmented ring (the trainer's).
# Prints one table: target tokens/s (all ranks, updates 11..STEPS), seconds per update, all-reduce ms per update,
# the speed-ups the goal names (2x1 / 1x1 >= 1.8, 2x1 / 1x2 >= 0.9), the load average and the CPU.
#
# Usage: bench/distributed.sh [steps=50] [work dir=/tmp/attend-distributed]
#   Needs data/multi30k (attend data get multi30k --out data/multi30k) and Open MPI (apt-get install openmpi-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-50}
work=${2:-/tmp/attend-distributed}
export TERM=dumb # mpirun gives rank 0 a pseudo-terminal; .NET would write keypad escapes into the output
mkdir -p "$work"
dotnet build src/Attend.Cli -c Release -v quiet -nologo >/dev/null
dotnet build bench/Attend.Bench -c Release -v quiet -nologo >/dev/null
cli=$PWD/src/Attend.Cli/bin/Release/net10.0/Attend.Cli.dll
benchdll=$PWD/bench/Attend.Bench/bin/Release/net10.0/Attend.Bench.dll
mpi=(mpirun --allow-run-as-root)
[ "$(nproc)" -lt 2 ] && mpi+=(--oversubscribe)

# The corpus with a 32-pair dev set: the validation every run ends with then costs seconds, not minutes.
data="$work/data"
mkdir -p "$data"
for f in train.de.gz train.en.gz test_2016_flickr.de.gz test_2016_flickr.en.gz; do ln -sf "$PWD/data/multi30k/$f" "$data/$f"; done
for l in de en; do (zcat "data/multi30k/val.$l.gz" || true) | head -n 32 > "$data/val.$l"; done # zcat ends on SIGPIPE

train() { # $1 = name; the rest: the launcher and its options
  local name=$1; shift
  "$@" dotnet "$cli" train configs/multi30k-de-en/bahdanau.yaml --quiet --set data.dir="$data" --set model.hidden_size=512 \
    --set training.max_steps="$steps" --set training.max_seconds=0 --set training.log_every=10 --set training.validate_every=100000 \
    --set training.run_dir="$work/$name" --set training.overwrite=true > "$work/$name.log" 2>&1
}
train 1x1 "${mpi[@]}" -np 1 --bind-to core -x DOTNET_PROCESSOR_COUNT=1 env DOTNET_PROCESSOR_COUNT=1
train 2x1 "${mpi[@]}" -np 2 --bind-to core -x DOTNET_PROCESSOR_COUNT=1 env DOTNET_PROCESSOR_COUNT=1
train 1x2 "${mpi[@]}" -np 1 --bind-to none -x DOTNET_PROCESSOR_COUNT=2 env DOTNET_PROCESSOR_COUNT=2

floats=$(python3 -c "
import json, math, struct
b = open('$work/1x1/last/model.safetensors', 'rb').read(); n = struct.unpack('<Q', b[:8])[0]
print(sum(math.prod(v['shape']) for k, v in json.loads(b[8:8 + n]).items() if k != '__metadata__'))")
allreduce() { # $@ = MCA settings as -x NAME=VALUE
  "${mpi[@]}" -np 2 --bind-to core "$@" dotnet "$benchdll" allreduce --floats "$floats" --reps 20 | sed 's/.*median \([0-9.]*\) ms.*/\1/'
}
ar_default=$(allreduce -x OMPI_MCA_coll_tuned_use_dynamic_rules=0)
ar_ring=$(allreduce -x OMPI_MCA_coll_tuned_use_dynamic_rules=1 -x OMPI_MCA_coll_tuned_allreduce_algorithm=4)
ar_segring=$(allreduce)

python3 - "$work" "$steps" "$floats" "$ar_default" "$ar_ring" "$ar_segring" <<'PY'
import json, sys
work, steps, floats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ar_default, ar_ring, ar_segring = map(float, sys.argv[4:7])
rows = {}
for name in ["1x1", "2x1", "1x2"]:
    lines = [json.loads(l) for l in open(f"{work}/{name}/metrics.jsonl")]
    train = [l for l in lines if l["kind"] == "train"]
    # Updates 11..steps: the first ten warm the JIT and the buffer pool.
    window = [(a, b) for a, b in zip(train, train[1:]) if a["step"] >= 10]
    seconds = sum(b["elapsed_s"] - a["elapsed_s"] for a, b in window)
    updates = sum(b["step"] - a["step"] for a, b in window)
    tokens = sum(b["tgt_tokens_per_s"] * (b["elapsed_s"] - a["elapsed_s"]) for a, b in window)
    ar = [b.get("allreduce_ms") for a, b in window if "allreduce_ms" in b]
    rows[name] = (tokens / seconds, seconds / updates, sum(ar) / len(ar) if ar else None, train[-1]["ranks"])
print(f"model: bahdanau hidden 512, {floats * 4 / 1e6:.1f} MB of gradients; updates 11..{steps}, batch 64")
print(f"{'run':<22}{'ranks':>6}{'tgt tok/s':>11}{'s/update':>10}{'allreduce ms':>14}")
for name, label in [("1x1", "1 rank x 1 thread"), ("2x1", "2 ranks x 1 thread"), ("1x2", "1 process x 2 threads")]:
    tps, spu, ar, ranks = rows[name]
    print(f"{label:<22}{ranks:>6}{tps:>11.0f}{spu:>10.3f}{(f'{ar:.1f}' if ar is not None else '-'):>14}")
print(f"2x1 / 1x1 = {rows['2x1'][0] / rows['1x1'][0]:.2f} (goal >= 1.8);  2x1 / 1x2 = {rows['2x1'][0] / rows['1x2'][0]:.2f} (goal >= 0.9)")
print(f"all-reduce of {floats * 4 / 1e6:.1f} MB on 2 ranks (median of 20): Open MPI default {ar_default:.1f} ms, "
      f"ring {ar_ring:.1f} ms, segmented ring 1 MB {ar_segring:.1f} ms")
# The scaling model: N machines, ring all-reduce t = 2(N-1)/N * bytes / bandwidth, not overlapped with compute.
# compute = this machine's 1 rank x 1 thread seconds per update of 64 pairs (a machine with C such cores scales it by
# its own measured speed-up); weak = 64 pairs per machine (global batch 64 N), strong = 64 pairs in all (64/N each).
compute, gbytes = rows["1x1"][1], floats * 4
print(f"scaling model: compute {compute:.3f} s per update of 64 pairs, {gbytes / 1e6:.1f} MB all-reduced per update")
print(f"{'N':>4}" + "".join(f"{f'ar ms @{g}G':>12}" for g in (10, 25, 100)) + "".join(f"{f'weak @{g}G':>11}" for g in (10, 25, 100))
      + "".join(f"{f'strong @{g}G':>13}" for g in (10, 25, 100)))
for n in (2, 4, 8, 16, 32, 64):
    t = [2 * (n - 1) / n * gbytes / (g * 1e9 / 8) for g in (10, 25, 100)]
    weak = [compute / (compute + x) for x in t]
    strong = [(compute / n) / (compute / n + x) for x in t]
    print(f"{n:>4}" + "".join(f"{x * 1e3:>12.1f}" for x in t) + "".join(f"{e:>11.0%}" for e in weak) + "".join(f"{e:>13.0%}" for e in strong))
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(lscpu | grep 'Model name' | sed 's/  */ /g'); $(date -u '+%Y-%m-%d %H:%M UTC')"
