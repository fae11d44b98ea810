#!/usr/bin/env bash
# Formats the Swift sources in place (default) or checks them (--lint) with the toolchain's swift-format.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=format
[ "${1:-}" = "--lint" ] && mode=lint
args=(--configuration .swift-format --recursive Sources Tests tools/benchmarks/Sources)
if [ "$mode" = lint ]; then
    swift format lint --strict "${args[@]}"
else
    swift format format --in-place "${args[@]}"
fi
