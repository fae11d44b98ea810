#!/usr/bin/env bash
# Builds the DocC catalogue of LanesRecord (Sources/LanesRecord/LanesRecord.docc) with the docc in
# the Swift toolchain; warnings (broken symbol links, bad markup) are errors.
# Usage: tools/docs.sh [OUTPUT_DIR]   (default .build/docs/LanesRecord.doccarchive)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.build/docs/LanesRecord.doccarchive}
graphs=.build/docs/symbol-graphs
rm -rf "$graphs" && mkdir -p "$graphs.all"
swift build --target LanesRecord -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$PWD/$graphs.all" >/dev/null
mkdir -p "$graphs" && cp "$graphs.all"/LanesRecord*.symbols.json "$graphs"/
docc=$(command -v docc || echo "$(dirname "$(command -v swift)")/docc")
"$docc" convert Sources/LanesRecord/LanesRecord.docc --additional-symbol-graph-dir "$graphs" \
    --output-path "$out" --fallback-display-name LanesRecord --fallback-bundle-identifier org.lanes.LanesRecord \
    --warnings-as-errors >/dev/null
echo "documentation in $out (open with: docc preview Sources/LanesRecord/LanesRecord.docc --additional-symbol-graph-dir $graphs)"
