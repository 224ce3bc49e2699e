#!/bin/bash
# abi_headers.sh - the public headers compile on their own as C11 and as C++11, warning-free under
# -Wall -Wextra -Wpedantic -Werror (gcc, g++, and clang/clang++ when installed): include/panel/plugin.h,
# include/panel/host.h and the frozen copies tests/fixtures/abi-1.0/panel/plugin.h and abi-1.2/panel/plugin.h.
# Each translation unit also uses the 1.1 additions (designated initialisers in C, PANEL_HAS_FIELD in both), so the layout asserts run.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; sed 's/^/  /' "$tmp/log"; }

cat >"$tmp/current.c" <<'SRC'
#include "panel/host.h"
int main(void)
{
    panel_args_t args = {sizeof args, 0, 0, 0};
    panelhost_auth_outcome_t out = {sizeof out, 0, 0, 0, 0, {0}, {0}, {0}, {0}, {0}, 0, 0};
    panelhost_header_t header = {"X-API-Key", "k"};
    panelhost_request_t rq = {"GET", "/api/v1/ping", "local", PANEL_SCOPE_NONE, &header, 1};
    return PANEL_HAS_FIELD(panel_args_t, &args, record_id) && out.struct_size && rq.n_headers == 1 &&
           PANEL_ABI_MINOR == 3u ? 0 : 1;
}
SRC
cp "$tmp/current.c" "$tmp/current.cpp"
cat >"$tmp/frozen.c" <<'SRC'
#include "panel/plugin.h"
int main(void) { return PANEL_ABI_MINOR == 0u && sizeof(panel_action_t) == 72 ? 0 : 1; }
SRC
cp "$tmp/frozen.c" "$tmp/frozen.cpp"
cat >"$tmp/frozen12.c" <<'SRC'
#include "panel/plugin.h"
int main(void) { return PANEL_ABI_MINOR == 2u && sizeof(panel_auth_result_t) == 96 ? 0 : 1; }
SRC
FLAGS="-Wall -Wextra -Wpedantic -Werror"

for cc in gcc clang; do
  command -v $cc >/dev/null || continue
  if $cc -std=c11 $FLAGS -Iinclude "$tmp/current.c" -o "$tmp/a" >"$tmp/log" 2>&1 && "$tmp/a"; then
    pass "$cc -std=c11: plugin.h and host.h (ABI 1.2)"; else fail "$cc -std=c11: plugin.h and host.h"; fi
  if $cc -std=c11 $FLAGS -Itests/fixtures/abi-1.0 "$tmp/frozen.c" -o "$tmp/b" >"$tmp/log" 2>&1 && "$tmp/b"; then
    pass "$cc -std=c11: the frozen 1.0 plugin.h"; else fail "$cc -std=c11: the frozen 1.0 plugin.h"; fi
  if $cc -std=c11 $FLAGS -Itests/fixtures/abi-1.2 "$tmp/frozen12.c" -o "$tmp/e" >"$tmp/log" 2>&1 && "$tmp/e"; then
    pass "$cc -std=c11: the frozen 1.2 plugin.h"; else fail "$cc -std=c11: the frozen 1.2 plugin.h"; fi
done
for cxx in g++ clang++; do
  command -v $cxx >/dev/null || continue
  if $cxx -std=c++11 $FLAGS -Iinclude "$tmp/current.cpp" -o "$tmp/c" >"$tmp/log" 2>&1 && "$tmp/c"; then
    pass "$cxx -std=c++11: plugin.h and host.h (ABI 1.2)"; else fail "$cxx -std=c++11: plugin.h and host.h"; fi
  if $cxx -std=c++11 $FLAGS -Itests/fixtures/abi-1.0 "$tmp/frozen.cpp" -o "$tmp/d" >"$tmp/log" 2>&1 && "$tmp/d"; then
    pass "$cxx -std=c++11: the frozen 1.0 plugin.h"; else fail "$cxx -std=c++11: the frozen 1.0 plugin.h"; fi
done
