#!/usr/bin/env bash
# Runs every test of Attend. Installs what the tests need first: NuGet packages via restore, Debian's
# chromium for the browser test of the attention page (Playwright drives it; it never downloads a browser),
# and Debian's Open MPI (openmpi-bin, which brings libopenmpi3) for the tests that run `mpirun -np 2/3 attend`.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Gemm]
set -euo pipefail
cd "$(dirname "$0")"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v mpirun >/dev/null || missing+=(openmpi-bin)
if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]} (apt) for the browser and MPI tests"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
fi
dotnet restore Attend.slnx
dotnet build Attend.slnx -c Release --no-restore
dotnet test Attend.slnx -c Release --no-build "$@"
