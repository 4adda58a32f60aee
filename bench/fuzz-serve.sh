#!/usr/bin/env bash
# Fuzzes a real `attend serve` from outside: trains the debug run if it is missing, serves it on
# 127.0.0.1, waits for /healthz (the warm-up), runs bench/fuzz_serve.py, stops the server, and prints the
# count of each status. Exit code 1 if any answer was a 5xx, not a problem document, or missing.
# Usage: bench/fuzz-serve.sh [seconds=30] [max-requests=200000] [seed=24] [extra serve flags, e.g. --batching]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
max=${2:-200000}
seed=${3:-24}
shift $(( $# < 3 ? $# : 3 ))
port=${ATTEND_FUZZ_PORT:-18734}

dotnet build src/Attend.Cli -c Release -v quiet -nologo >/dev/null
attend() { dotnet src/Attend.Cli/bin/Release/net10.0/Attend.Cli.dll "$@"; }
[ -e runs/debug/best ] || attend train configs/debug.yaml --quiet

log=$(mktemp)
# dotnet itself in the background (not through the function), so $! is the server's own pid.
dotnet src/Attend.Cli/bin/Release/net10.0/Attend.Cli.dll serve --model runs/debug --urls "http://127.0.0.1:$port" "$@" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 120); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 $server 2>/dev/null || { cat "$log"; exit 2; }
  sleep 0.5
done
status=0
python3 bench/fuzz_serve.py "$port" "$seconds" "$max" "$seed" debug || status=$?
exit $status
