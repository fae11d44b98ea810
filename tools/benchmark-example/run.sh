#!/usr/bin/env bash
# Runs this package's benchmarks (or another package-benchmark package's) in two passes:
#   1. measured: package-benchmark's own results, exported as jsonSmallerIsBetter into OUT/results;
#   2. traced: LANES_TRACE_DIR=OUT/traces, so that every benchmark using LanesRecord's BenchmarkTrace leaves
#      OUT/traces/<benchmark>.lanes. Tracing never runs in the measured pass.
# Usage: run.sh OUT [PACKAGE_DIR] [--traced-only]
# Compare two runs:  lanes compare --baseline A/traces/*.lanes --candidate B/traces/*.lanes --markdown out.md
set -euo pipefail
if [ $# -lt 1 ]; then
    echo "usage: run.sh OUT [PACKAGE_DIR] [--traced-only]" >&2
    exit 2
fi
out=$1
package=${2:-$(dirname "$0")}
measure=1
if [ "${3:-}" = "--traced-only" ]; then measure=0; fi
mkdir -p "$out/results" "$out/traces"
out=$(cd "$out" && pwd)
rm -f "$out"/traces/*.lanes

start=$(date +%s)
if [ "$measure" = 1 ]; then
    swift package --package-path "$package" --allow-writing-to-directory "$out" benchmark \
        --no-progress --format jsonSmallerIsBetter --path "$out/results"
fi
LANES_TRACE_DIR="$out/traces" swift package --package-path "$package" benchmark --no-progress --quiet
shopt -s nullglob
traces=("$out"/traces/*.lanes)
if [ ${#traces[@]} -eq 0 ]; then
    echo "run.sh: no trace in $out/traces: does each benchmark call BenchmarkTrace?" >&2
    exit 1
fi
echo "run.sh: ${#traces[@]} traces in $out/traces ($(( $(date +%s) - start )) s)"
