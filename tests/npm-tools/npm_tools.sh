# npm_tools.sh - sourced by tests/cli/openapi.sh and secret_scanning.sh (after tests/cli/lib.sh): require_npm_tools
# prints a FAIL line and exits 1 unless Node.js and npm are there, and installs this folder's npm tools (Redocly
# CLI, ajv, secretlint and its pattern rule) with `npm ci` at the versions package-lock.json pins when they are
# not installed yet (from the npm registry only). Sets NPM_TOOLS (this folder) and NPM_BIN (its node_modules/.bin).
require_npm_tools() {
  NPM_TOOLS="$PWD/tests/npm-tools"
  NPM_BIN="$NPM_TOOLS/node_modules/.bin"
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "FAIL: Node.js and npm are installed (run: apt-get install -y nodejs npm)"; exit 1
  fi
  if [ ! -x "$NPM_BIN/redocly" ] || [ ! -x "$NPM_BIN/secretlint" ] || [ ! -d "$NPM_TOOLS/node_modules/ajv" ] \
     || [ ! -d "$NPM_TOOLS/node_modules/@secretlint/secretlint-rule-pattern" ]; then
    (cd "$NPM_TOOLS" && npm ci --no-audit --no-fund --silent) >"$TMP/npm.log" 2>&1 \
      || { echo "FAIL: npm ci installs the npm tools of tests/npm-tools"; cat "$TMP/npm.log"; exit 1; }
  fi
}
