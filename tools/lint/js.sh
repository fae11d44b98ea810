#!/usr/bin/env bash
# Lints the HTML page's JavaScript (Sources/LanesRender/Page/*.js) with ESLint (Debian's `eslint` package,
# offline) under tools/lint/eslintrc.json: eslint:recommended plus strict equality, no var, no implicit
# globals. ESLint parses the file first, so a syntax error fails here too.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Debian's ESLint finds its modules in /usr/share/nodejs, which a Node.js not from Debian does not search.
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
eslint --no-eslintrc -c tools/lint/eslintrc.json --max-warnings 0 Sources/LanesRender/Page/*.js
echo "eslint: $(ls Sources/LanesRender/Page/*.js | wc -l) file(s) clean"
