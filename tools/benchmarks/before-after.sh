#!/usr/bin/env bash
# Before/after: the PNG, JSON import and HTML report benchmarks of two revisions, run interleaved in one run.
#
# Usage: bash tools/benchmarks/before-after.sh BEFORE_REV [AFTER_REV=HEAD]
#
# Checks out both revisions into worktrees of their own (.build/before-after/{before,after} in this checkout,
# kept so a second run builds incrementally; BEFORE_AFTER_CLEAN=1 removes them at the end), builds in release, one build at
# a time, each revision's lanes-png-benchmark, json-import-bench and `lanes`, then runs every benchmark
# before, after, before, after… (ROUNDS rounds, 5 unless set; the order within a round alternates so a machine
# that slows down over the run favours neither). The inputs are made once and shared: a 1M-event Chrome JSON
# trace (json_import_bench.py's) for the import, and a 100k-span trace (html_load_bench.py's) for
# `lanes report TRACE --html OUT`. Times compared:
#   png-100k, png-1m   the benchmark's own png-100k-ms / png-1m-ms (layout, paint, encode, write; medians of 7
#                      and 3 in one process)
#   json-import        the benchmark's own lanes-import-median-seconds (ChromeJSON.read of the 1M-event file, 5 reads)
#   html-report        the wall time of `lanes report TRACE --html OUT` (read, analyse, chart, page), the least
#                      of 3 runs (other load on a shared machine only ever adds time)
# Prints one line per benchmark, `NAME before/after: R`, R the median over rounds of after ÷ before time
# (above 1: the after revision is slower), with each revision's median time beside it.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 || "$1" == -h || "$1" == --help ]]; then
    echo "usage: before-after.sh BEFORE_REV [AFTER_REV=HEAD]" >&2
    exit 2
fi
ROUNDS=${ROUNDS:-5}
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "before-after.sh: ROUNDS must be a positive whole number" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
before=$(git -C "$repo" rev-parse --verify --quiet "$1^{commit}") || { echo "before-after.sh: no revision $1" >&2; exit 2; }
after=$(git -C "$repo" rev-parse --verify --quiet "${2:-HEAD}^{commit}") || { echo "before-after.sh: no revision ${2:-HEAD}" >&2; exit 2; }
if [[ -z "${2:-}" ]] && ! git -C "$repo" diff --quiet HEAD -- Sources Package.swift tools/benchmarks/Sources; then
    echo "before-after.sh: note: uncommitted changes are not measured (AFTER is HEAD, $(git -C "$repo" rev-parse --short HEAD))" >&2
fi

base="$repo/.build/before-after"
mkdir -p "$base"
work=$(mktemp -d /tmp/lanes-before-after.XXXXXX)
cleanup() {
    rm -rf "$work"
    if [[ "${BEFORE_AFTER_CLEAN:-0}" == 1 ]]; then
        for side in before after; do git -C "$repo" worktree remove --force "$base/$side" 2>/dev/null || true; done
    fi
}
trap cleanup EXIT

# A worktree per side ("before", "after"), detached at the revision; kept with its .build, so the next run
# builds incrementally even when the revision moved (unless BEFORE_AFTER_CLEAN=1).
checkout() {
    local side=$1 rev=$2 dir="$base/$1"
    if [[ ! -e "$dir/.git" ]]; then
        rm -rf "$dir"
        git -C "$repo" worktree add --detach --quiet "$dir" "$rev"
    else
        git -C "$dir" checkout --detach --force --quiet "$rev"
    fi
    echo "$dir"
}

# Release builds, one at a time (shared 2-core machines): the two benchmarks, and `lanes` itself, a product of
# the path dependency, built in the benchmark package so the Lanes modules are compiled once.
build() {
    local dir=$1 product
    for product in lanes-png-benchmark json-import-bench lanes; do
        echo "building $product at ${dir##*/} (release)…" >&2
        if ! swift build -c release --package-path "$dir/tools/benchmarks" --product "$product" >"$work/build.log" 2>&1; then
            tail -20 "$work/build.log" >&2
            echo "before-after.sh: the release build of $product at ${dir##*/} failed" >&2
            exit 1
        fi
    done
    swift build -c release --package-path "$dir/tools/benchmarks" --show-bin-path
}

before_dir=$(checkout before "$before")
after_dir=$(checkout after "$after")
before_bin=$(build "$before_dir")
after_bin=$(build "$after_dir")

echo "making the inputs…" >&2
python3 - "$here" "$work" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import html_load_bench, json_import_bench
json_import_bench.write_trace(sys.argv[2] + "/import.json", 1_000_000, 64, 4)
html_load_bench.write_trace(sys.argv[2] + "/html.json", 100_000)
EOF

now_ns() { date +%s%N; }

# One measurement of json-import or html-report with the binaries in $2; prints seconds.
measure() {
    local name=$1 bin=$2 out t0 t1
    case "$name" in
    json-import)
        out=$("$bin/json-import-bench" "$work/import.json" 5)
        awk '$1 == "lanes-import-median-seconds:" { print $2; found = 1 } END { exit !found }' <<<"$out"
        ;;
    html-report)
        local best=""
        for _ in 1 2 3; do
            rm -f "$work/report.html"
            t0=$(now_ns)
            "$bin/lanes" report "$work/html.json" --html "$work/report.html" >/dev/null
            t1=$(now_ns)
            [[ -s "$work/report.html" ]] || { echo "before-after.sh: lanes report wrote no page" >&2; return 1; }
            if [[ -z $best || $((t1 - t0)) -lt $best ]]; then best=$((t1 - t0)); fi
        done
        awk -v d="$best" 'BEGIN { printf "%.6f\n", d / 1e9 }'
        ;;
    esac
}

benchmarks=(png-100k png-1m json-import html-report)
# png-100k and png-1m come from one run of the PNG benchmark: it is run once per revision and round.
declare -A times
for ((round = 1; round <= ROUNDS; round++)); do
    echo "round $round of $ROUNDS…" >&2
    if ((round % 2)); then order=(before after); else order=(after before); fi
    for name in png json-import html-report; do
        for side in "${order[@]}"; do
            if [[ $side == before ]]; then bin=$before_bin; else bin=$after_bin; fi
            if [[ $name == png ]]; then
                out=$("$bin/lanes-png-benchmark" --no-matplotlib)
                for size in 100k 1m; do
                    t=$(awk -v key="png-$size-ms:" '$1 == key { printf "%.6f\n", $2 / 1000; found = 1 } END { exit !found }' <<<"$out") ||
                        { echo "before-after.sh: no png-$size-ms from lanes-png-benchmark ($side)" >&2; exit 1; }
                    times[png-$size.$side]+="$t "
                done
            else
                times[$name.$side]+="$(measure "$name" "$bin") "
            fi
        done
    done
done

echo "before: $(git -C "$repo" log -1 --format='%h %s' "$before" | cut -c1-80)"
echo "after:  $(git -C "$repo" log -1 --format='%h %s' "$after" | cut -c1-80)"
for name in "${benchmarks[@]}"; do
    # Per-round ratios after ÷ before, and each side's times; medians of each.
    python3 - "$name" "${times[$name.before]}" "${times[$name.after]}" <<'EOF'
import statistics, sys
name, b, a = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
ratios = [y / x for x, y in zip(b, a)]
print(f"{name} before/after: {statistics.median(ratios):.3f}   (median before {statistics.median(b) * 1000:.1f} ms, "
      f"after {statistics.median(a) * 1000:.1f} ms; ratios {' '.join(f'{r:.3f}' for r in ratios)})")
EOF
done
