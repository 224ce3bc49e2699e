#!/bin/sh
# ensure-tools.sh - makes sure the programs the tests (or the benchmark) run are on a Debian machine.
# Usage: scripts/ensure-tools.sh COMMAND:PACKAGE...   (a COMMAND of the form dpkg=NAME checks the package NAME
# itself, for packages that bring no command). Installs what is missing when run as root (or through
# passwordless sudo); otherwise prints the exact apt-get command and fails.
set -u
missing=""
for item in "$@"; do
  what=${item%%:*} package=${item#*:}
  case "$what" in
    dpkg=*) dpkg -s "${what#dpkg=}" >/dev/null 2>&1 && continue ;;
    *) command -v "$what" >/dev/null 2>&1 && continue ;;
  esac
  case " $missing " in *" $package "*) ;; *) missing="$missing $package" ;; esac
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y$missing"
if [ "$(id -u)" = 0 ]; then
  echo "ensure-tools: installing what the tests need:$missing" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive $cmd) >&2 && exit 0
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  echo "ensure-tools: installing what the tests need, with sudo:$missing" >&2
  (sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive $cmd) >&2 && exit 0
fi
echo "ensure-tools: missing:$missing" >&2
echo "ensure-tools: run as root: apt-get update && $cmd" >&2
exit 1
