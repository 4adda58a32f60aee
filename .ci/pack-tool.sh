#!/usr/bin/env bash
# Packs the attend .NET tool, installs it into a temporary tool path from the local package, and runs
# `attend --help` and `attend train --help`: the packaged tool must start on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dotnet pack src/Attend.Cli/Attend.Cli.csproj -c Release -o "$tmp/nupkg" --nologo -v quiet
dotnet tool install --tool-path "$tmp/tools" --add-source "$tmp/nupkg" Attend.Cli >/dev/null
"$tmp/tools/attend" --help
"$tmp/tools/attend" train --help >/dev/null
echo "== packed tool OK"
