#!/bin/sh
# ensure-deps.sh - makes sure the build's pkg-config dependencies are present on a Debian machine.
# Usage: scripts/ensure-deps.sh PKG-CONFIG-NAME...   Installs what is missing when run as root (or through
# passwordless sudo); otherwise prints the exact apt-get command and fails.
set -u
debian_package() {
  case "$1" in
    sqlite3) echo libsqlite3-dev ;;
    libsodium) echo libsodium-dev ;;
    inih) echo libinih-dev ;;
    cmocka) echo libcmocka-dev ;;
    libmicrohttpd) echo libmicrohttpd-dev ;;
    *) echo "$1" ;;
  esac
}
missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
for dep in "$@"; do
  if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$dep"; then
    missing="$missing $(debian_package "$dep")"
  fi
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y$missing"
if [ "$(id -u)" = 0 ]; then
  echo "ensure-deps: installing missing build dependencies:$missing" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive $cmd) >&2 && exit 0
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  echo "ensure-deps: installing missing build dependencies with sudo:$missing" >&2
  (sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive $cmd) >&2 && exit 0
fi
echo "ensure-deps: missing build dependencies:$missing" >&2
echo "ensure-deps: run as root: apt-get update && $cmd" >&2
exit 1
