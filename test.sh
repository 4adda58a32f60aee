#!/usr/bin/env bash
# Runs every test of Attend. Installs what the tests need first (NuGet packages via restore).
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Gemm]
set -euo pipefail
cd "$(dirname "$0")"
dotnet restore Attend.slnx
dotnet build Attend.slnx -c Release --no-restore
dotnet test Attend.slnx -c Release --no-build "$@"
