#!/usr/bin/env bash
# Walks README.md as a new user would: the "Instrument your own code" example, copied out of the
# README, built as a package of its own that depends on this checkout by path (with the `package:`
# identity the README's rule gives), run; then the commands the README gives next on its trace.
# Usage: tools/readme/walk.sh [LANES_BINARY]   (default .build/debug/lanes)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
lanes=${1:-$root/.build/debug/lanes}
case "$lanes" in /*) ;; *) lanes="$PWD/$lanes" ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/lanes-readme-XXXXXX")
trap 'rm -rf "$work"' EXIT

# The identity of a path dependency: its folder's name, lowercased (README's rule).
identity=$(basename "$root" | tr '[:upper:]' '[:lower:]')
mkdir -p "$work/example/Sources/example"
# The first ```swift block after "## Instrument your own code" is the example.
awk '/^## Instrument your own code/ {on=1} on && /^```swift/ {grab=1; next} grab && /^```/ {exit} grab {print}' \
    "$root/README.md" > "$work/example/Sources/example/main.swift"
grep -q 'Recorder.start' "$work/example/Sources/example/main.swift" || { echo "walk: no example found in README.md" >&2; exit 1; }
cat > "$work/example/Package.swift" <<PKG
// swift-tools-version: 6.1
import PackageDescription
let package = Package(
    name: "example",
    dependencies: [.package(path: "$root")],
    targets: [.executableTarget(name: "example", dependencies: [.product(name: "LanesRecord", package: "$identity")])]
)
PKG
echo "walk: building the README's example against $root (package: \"$identity\")"
# Its own scratch path: a package by path shares nothing with this checkout's .build.
(cd "$work/example" && swift build -q 2>&1 | grep -v "unhandled; explicitly declare" || true)
[ -x "$work/example/.build/debug/example" ] || { echo "walk: the README's example did not build" >&2; exit 1; }
cd "$work"
out=$("$work/example/.build/debug/example")
echo "walk: example printed: $out"
[[ "$out" =~ ^[0-9]+\ spans,\ 0\ dropped$ ]] || { echo "walk: unexpected output from the example: $out" >&2; exit 1; }
[ -s run.lanes ] || { echo "walk: the example wrote no run.lanes" >&2; exit 1; }
# The commands the README gives next.
"$lanes" report run.lanes --html run.html --png run.png --markdown run.md --text >/dev/null
for f in run.html run.png run.md; do [ -s "$f" ] || { echo "walk: lanes report wrote no $f" >&2; exit 1; }; done
"$lanes" advise run.lanes > advise.txt
grep -q "^  use: " advise.txt || { echo "walk: lanes advise printed no recommendation" >&2; cat advise.txt >&2; exit 1; }
"$lanes" info run.lanes >/dev/null
echo "walk: the README's example and the commands after it work"
