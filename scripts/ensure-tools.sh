#!/bin/sh
# ensure-tools.sh - makes sure what the build, the tests or the benchmark need is on a Debian machine.
# Usage: scripts/ensure-tools.sh CHECK:PACKAGE...   where CHECK is a command name, dpkg=NAME (the package NAME
# itself is installed, for packages that bring no command) or pc=NAME (pkg-config knows the library NAME).
# Installs the packages of the failed checks when run as root (or through passwordless sudo); otherwise
# prints the exact apt-get command and fails.
set -u
missing=""
for item in "$@"; do
  what=${item%%:*} package=${item#*:}
  case "$what" in
    dpkg=*) dpkg -s "${what#dpkg=}" >/dev/null 2>&1 && continue ;;
    pc=*) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "${what#pc=}" && continue ;;
    *) command -v "$what" >/dev/null 2>&1 && continue ;;
  esac
  case " $missing " in *" $package "*) ;; *) missing="$missing $package" ;; esac
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y$missing"
if [ "$(id -u)" = 0 ]; then
  echo "ensure-tools: installing missing packages:$missing" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive $cmd) >&2 && exit 0
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  echo "ensure-tools: installing missing packages with sudo:$missing" >&2
  (sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive $cmd) >&2 && exit 0
fi
echo "ensure-tools: missing:$missing" >&2
echo "ensure-tools: run as root: apt-get update && $cmd" >&2
exit 1
