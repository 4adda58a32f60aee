#!/usr/bin/env bash
# Runs every test of Attend. Installs what the tests need first: NuGet packages via restore, and Debian's
# chromium for the browser test of the attention page (Playwright drives it; it never downloads a browser).
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Gemm]
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x /usr/bin/chromium ]; then
    echo "== installing chromium (apt) for the browser test"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
fi
dotnet restore Attend.slnx
dotnet build Attend.slnx -c Release --no-restore
dotnet test Attend.slnx -c Release --no-build "$@"
