#!/usr/bin/env bash
# Packs Attend.Tensors and Attend into a temporary feed, builds samples/Translate against those packages (not the
# projects) with zero warnings, trains configs/debug.yaml with the CLI of the built tree (./test.sh builds it) and
# checks that the sample translates "3/5/79" and prints an attention matrix whose rows sum to 1.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=src/Attend.Cli/bin/Release/net10.0/Attend.Cli.dll
[ -f "$cli" ] || { echo "sample.sh: $cli not found; build first (./test.sh or dotnet build Attend.slnx -c Release)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

dotnet pack src/Attend.Tensors/Attend.Tensors.csproj -c Release -o "$tmp/feed" --nologo -v quiet
dotnet pack src/Attend/Attend.csproj -c Release -o "$tmp/feed" --nologo -v quiet

# The sample's own copy, with a NuGet.config naming the local feed and this machine's sources, and a packages
# folder of its own so that an Attend 0.9.0 cached from an earlier pack is never used instead of this one.
cp -r samples "$tmp/samples"
{
    echo '<?xml version="1.0" encoding="utf-8"?>'
    echo '<configuration><packageSources>'
    echo "  <add key=\"attend-local\" value=\"$tmp/feed\" />"
    dotnet nuget list source --format short | awk '$1 ~ /^E/ { n++; print "  <add key=\"source" n "\" value=\"" $2 "\" />" }'
    echo '</packageSources></configuration>'
} > "$tmp/samples/NuGet.config"
dotnet restore "$tmp/samples/Translate/Translate.csproj" --configfile "$tmp/samples/NuGet.config" \
    --packages "$tmp/packages" -v quiet
build_log=$(dotnet build "$tmp/samples/Translate/Translate.csproj" -c Release --no-restore --nologo -v quiet 2>&1) \
    || { echo "$build_log"; exit 1; }
grep -q " 0 Warning(s)" <<<"$build_log" || { echo "$build_log"; echo "sample.sh: the sample builds with warnings" >&2; exit 1; }
grep -q "<ProjectReference" "$tmp/samples/Translate/Translate.csproj" && { echo "sample.sh: the sample must use the package" >&2; exit 1; }

dotnet "$cli" train configs/debug.yaml --set "training.run_dir=$tmp/run" --quiet
out=$(dotnet "$tmp/samples/Translate/bin/Release/net10.0/Translate.dll" "$tmp/run" "3/5/79")
echo "$out"
# Line 1: "3/5/79 -> TEXT"; line 2: a tab, then the source tokens; then one row per target token whose weights
# (one per source token) sum to 1.
awk -F'\t' '
    function fail(msg) { print "sample.sh: " msg > "/dev/stderr"; failed = 1; exit 1 }
    NR == 1 { if ($0 !~ /^3\/5\/79 -> ./) fail("no translation on line 1"); next }
    NR == 2 { cols = NF - 1; if (cols < 1) fail("no source tokens"); next }
    {
        if (NF - 1 != cols) fail("row " NR " has " NF - 1 " weights for " cols " source tokens")
        s = 0; for (i = 2; i <= NF; i++) s += $i
        if (s < 0.999 || s > 1.001) fail("row " NR " sums to " s)
        rows++
    }
    END { if (!failed && rows < 1) fail("no attention rows") }
' <<<"$out"
echo "== sample OK (package Attend 0.9.0 from a local feed)"
