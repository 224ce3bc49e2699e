#!/bin/sh
# run-panel.sh - what `make run` does once everything is built: prepares ./data (the data directory of
# sample-host/panel.ini, mode 0700) and starts the web panel in the foreground. The server prints the URL and
# how to log in (on the first run: user admin and a generated password, shown once). Ctrl-C stops it.
# Environment: B (build directory, default build), LISTEN (HOST:PORT, default [host] listen of panel.ini).
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
config=sample-host/panel.ini
# A checkout made with umask 002 leaves the config group-writable, which the host refuses (as ssh does).
chmod go-w "$config"
mkdir -p data
chmod 700 data
if [ "$B" != build ]; then
  echo "run-panel: note: $config loads the plugin from build/; with B=$B it may be missing" >&2
fi
if [ -n "${LISTEN:-}" ]; then
  exec "$B/sample-host" -c "$config" serve --listen "$LISTEN"
fi
exec "$B/sample-host" -c "$config" serve
