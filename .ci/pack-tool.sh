#!/usr/bin/env bash
# Packs the attend .NET tool, installs it into a temporary tool path from the local package, and runs
# `attend --help`, `attend train --help` and `attend serve --help`: the packaged tool must start on its own,
# ASP.NET Core (the server) included.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dotnet pack src/Attend.Cli/Attend.Cli.csproj -c Release -o "$tmp/nupkg" --nologo -v quiet
dotnet tool install --tool-path "$tmp/tools" --add-source "$tmp/nupkg" Attend.Cli >/dev/null
"$tmp/tools/attend" --help
"$tmp/tools/attend" train --help >/dev/null
"$tmp/tools/attend" serve --help | grep -q -- "--model"
echo "== packed tool OK"
