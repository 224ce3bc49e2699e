#!/bin/sh
# ensure-deps.sh - makes sure the build's pkg-config dependencies are present on a Debian machine: maps each
# pkg-config name to its Debian package and lets ensure-tools.sh check and install them.
# Usage: scripts/ensure-deps.sh PKG-CONFIG-NAME...
set -u
debian_package() {
  case "$1" in
    sqlite3) echo libsqlite3-dev ;;
    libsodium) echo libsodium-dev ;;
    inih) echo libinih-dev ;;
    cmocka) echo libcmocka-dev ;;
    libmicrohttpd) echo libmicrohttpd-dev ;;
    libpq) echo libpq-dev ;;
    jansson) echo libjansson-dev ;;
    *) echo "$1" ;;
  esac
}
checks="pkg-config:pkg-config"
for dep in "$@"; do checks="$checks pc=$dep:$(debian_package "$dep")"; done
exec "$(dirname "$0")/ensure-tools.sh" $checks
