#!/usr/bin/env bash
# Regenerates the example charts under Reports/ from real runs of the scenario catalog on this
# machine (release build). `lanes demo` will take this over; until then this is how Reports/ is made.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p Reports
swift build -c release --product lanes >/dev/null
lanes=.build/release/lanes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$lanes" run cpu-primes --model sequential threads processes async gil --workers 2 --scale 3 --out "$tmp" 2>/dev/null | tee Reports/cpu-primes.txt
"$lanes" compare "$tmp"/cpu-primes-{sequential,threads,processes,async,gil}.lanes --png Reports/cpu-primes.png

"$lanes" run file-hash --model gil --out "$tmp" 2>/dev/null >/dev/null
"$lanes" report "$tmp/file-hash-gil.lanes" --png Reports/file-hash-gil.png
ls -l Reports
