#!/usr/bin/env bash
# Formats the Swift sources in place (default) or checks them (--lint) with the toolchain's swift-format.
#   tools/format.sh                 format every file
#   tools/format.sh --lint          check every file except those listed in tools/lint/format-pending.txt
#                                   (files written before the check ran in CI; remove a file from the list
#                                   once it is formatted: the check then keeps it so)
#   tools/format.sh --lint --all    check every file
#   tools/format.sh [--lint] FILE…  format or check the given files
set -euo pipefail
cd "$(dirname "$0")/.."
mode=format
[ "${1:-}" = "--lint" ] && { mode=lint; shift; }
all=no
[ "${1:-}" = "--all" ] && { all=yes; shift; }
config=(--configuration .swift-format)
if [ $# -gt 0 ]; then
    files=("$@")
else
    mapfile -t files < <(find Sources Tests tools/benchmarks/Sources -name '*.swift' | LC_ALL=C sort)
    if [ "$mode" = lint ] && [ "$all" = no ]; then
        mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -vxF -f tools/lint/format-pending.txt)
    fi
fi
if [ "$mode" = lint ]; then
    swift format lint --strict "${config[@]}" "${files[@]}"
    echo "swift-format: ${#files[@]} files clean"
else
    swift format format --in-place "${config[@]}" "${files[@]}"
fi
