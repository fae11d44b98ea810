#!/usr/bin/env bash
# Regenerates Reports/ as `lanes demo` writes it (release build, default scale): index.html,
# REPORT.md, one comparison PNG per scenario and the traces. Files of an earlier layout that the
# demo no longer writes are removed first, so Reports/ holds exactly what the README promises.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product lanes >/dev/null
rm -rf Reports
.build/release/lanes demo --out Reports "$@"
du -sh Reports
