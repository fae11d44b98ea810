#!/usr/bin/env bash
# Builds the libFuzzer targets (tools/fuzz) with -sanitize=fuzzer,address and runs each for the
# given number of seconds (default 60) on a copy of its seed corpus (tools/fuzz/corpus), so the
# committed corpus is never changed. Any crash, hang (over 10 s), or memory over 2 GiB fails the
# run; libFuzzer writes the input that did it to the working folder.
#   tools/fuzz.sh [SECONDS] [TARGET…]      targets: fuzz-lanes fuzz-chrome-json
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz-lanes fuzz-chrome-json)

log=$(mktemp)
if ! swift build --package-path tools/fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >"$log" 2>&1; then
    grep -vE "Cannot export local symbol" "$log" >&2
    rm -f "$log"
    echo "fuzz.sh: the fuzz targets did not build" >&2
    exit 1
fi
rm -f "$log"
bin=$(swift build --package-path tools/fuzz --show-bin-path)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in "${targets[@]}"; do
    case "$target" in
        fuzz-lanes) seeds=tools/fuzz/corpus/lanes ;;
        fuzz-chrome-json) seeds=tools/fuzz/corpus/json ;;
        *) echo "fuzz.sh: unknown target $target (fuzz-lanes, fuzz-chrome-json)" >&2; exit 2 ;;
    esac
    mkdir -p "$work/$target"
    cp "$seeds"/* "$work/$target/"
    echo "==> $target for ${seconds}s"
    status=0
    "$bin/$target" "$work/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$work/$target.log" 2>&1 || status=$?
    grep -E "^(#[0-9]+ +DONE|Done|==[0-9]+==ERROR|SUMMARY|stat::number_of_executed_units|INFO: seed corpus)" "$work/$target.log" || true
    if [ "$status" -ne 0 ]; then
        tail -40 "$work/$target.log" >&2
        echo "fuzz.sh: $target found a failing input (exit $status)" >&2
        exit 1
    fi
done
