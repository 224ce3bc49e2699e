#!/bin/bash
# hostile_cli.sh - hostile input to the sample host's command line: NUL bytes, invalid UTF-8, control
# characters and oversized values on standard input (`set ... -`), page/table/action names with `..`, plugin
# paths with `..`, and config files with a 10 MB line, NUL bytes or binary garbage. Each gets a clear error and
# a defined exit status, never a crash, never the hostile bytes echoed back, and a refusal changes nothing.
source "$(dirname "$0")/lib.sh"

CONFIG="$TMP/panel.ini"
cat >"$CONFIG" <<CONFIG
[host]
data_dir = $TMP/data
plugins = $PLUGIN $FIXTURES/good.so

[role:owner]
permissions = *

[user:admin]
role = owner
CONFIG
chmod 600 "$CONFIG"
H=(-c "$CONFIG")
no_crash() { if [ "$RC" -lt 128 ]; then pass "$1 (exit $RC, no signal)"; else fail "$1: killed by a signal"; fi; }
err_small() { if [ "${#ERR}" -lt 2048 ]; then pass "$1"; else fail "$1 (stderr is ${#ERR} bytes)"; fi; }

run "${H[@]}" action settings/api-key enable
expect_rc 0 "enable creates a key"
run "${H[@]}" --json page settings/api-key
STATE_BEFORE=$OUT

# ----- hostile field values from standard input
set_key() { printf "$1" | $HOST "${H[@]}" set settings/api-key api_key - --yes >"$TMP/out" 2>"$TMP/err"; RC=$?
  OUT=$(cat "$TMP/out"); ERR=$(tr -d '\0' <"$TMP/err"); }
set_key 'imported\0key-0123456789012345678901234567890'
expect_rc 1 "a key with a NUL byte is refused (exit 1)"
expect_err 'NUL byte at position 9' "the refusal names the NUL byte's position"
set_key 'imported-\xff\xfe-0123456789012345678901234567890'
expect_rc 1 "a key with invalid UTF-8 is refused (exit 1)"
expect_err 'outside printable ASCII at position 10' "the refusal names the position of the invalid byte"
if grep -q $'\xff' "$TMP/err"; then fail "the invalid byte is echoed on stderr"; else pass "the invalid byte is not echoed"; fi
set_key 'imported-\xc3\xa9-0123456789012345678901234567890'
expect_rc 1 "a key with a non-ASCII letter is refused"
set_key 'imported-\x1b[31m-0123456789012345678901234567890'
expect_rc 1 "a key with an escape sequence is refused"
if grep -q $'\x1b' "$TMP/err"; then fail "the escape character is echoed on stderr"; else pass "the escape character is not echoed"; fi
set_key '\n\n\n'
expect_rc 1 "a value of only newlines is refused"
head -c 100000 /dev/urandom >"$TMP/random.bin"
$HOST "${H[@]}" set settings/api-key api_key - --yes <"$TMP/random.bin" >"$TMP/out" 2>"$TMP/err"; RC=$?; ERR=$(tr -d '\0' <"$TMP/err")
expect_rc 1 "100 KB of random bytes on standard input are refused (exit 1)"
expect_err 'longer than 4096 bytes' "the refusal says the value is too long"
err_small "the refusal does not echo the value"
run "${H[@]}" --json page settings/api-key
if [ "$OUT" = "$STATE_BEFORE" ]; then pass "after all refused values the page is unchanged"; else
  fail "the page changed after refused values"; fi

printf 'ab\xff\xfecd\xc0\x80ef' | $HOST "${H[@]}" set fixture/good text - >"$TMP/out" 2>"$TMP/err"; RC=$?
OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
no_crash "invalid UTF-8 in a text field is stored or refused"
run "${H[@]}" --json page fixture/good
expect_rc 0 "the page with that field still reads"
if printf '%s' "$OUT" | python3 -c 'import json,sys; json.loads(sys.stdin.buffer.read().decode("utf-8"))' 2>/dev/null; then
  pass "its --json output is valid UTF-8 JSON"; else fail "its --json output is not valid UTF-8 JSON"; fi
run "${H[@]}" page fixture/good
if printf '%s' "$OUT" | python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")' 2>/dev/null; then
  pass "its text output is valid UTF-8"; else fail "its text output is not valid UTF-8"; fi
printf 'ab\0cd' | $HOST "${H[@]}" set fixture/good text - >"$TMP/out" 2>"$TMP/err"; RC=$?; ERR=$(cat "$TMP/err")
expect_rc 1 "a NUL byte in a text field is refused by its validator"
run_stdin 'x' "${H[@]}" action fixture/good echo --param "text=$(printf 'a\xffb')"
no_crash "invalid UTF-8 in an action parameter"
expect_rc 1 "invalid UTF-8 in an action parameter is refused"

# ----- names with ..
for page in ../../etc/passwd settings/../settings/api-key settings/api-key/.. ../settings/api-key; do
  run "${H[@]}" page "$page"
  expect_rc 2 "page '$page' does not exist (exit 2)"
done
run "${H[@]}" table settings/api-key ../audit
expect_rc 2 "table '../audit' does not exist"
run "${H[@]}" action settings/api-key ../enable
expect_rc 2 "action '../enable' does not exist"
run "${H[@]}" set ../settings/api-key api_key x --yes
expect_rc 2 "set on page '../settings/api-key' does not exist"
run "${H[@]}" --plugin ../../../../nonexistent/evil.so plugins
expect_rc 2 "a --plugin path with .. that does not exist fails (exit 2)"
expect_err 'cannot load plugin' "and says the plugin cannot be loaded"

# ----- hostile config files
BIG="$TMP/big.ini"
{ printf '[host]\nlisten = 127.0.0.1:8080\nstore_name = '; head -c 10000000 /dev/zero | tr '\0' a; printf '\n'; } >"$BIG"
chmod 600 "$BIG"
run -c "$BIG" plugins
expect_rc 2 "a config with a 10 MB line is refused (exit 2)"
expect_err 'big\.ini:3: the line is [0-9]+ bytes long' "the error names the file, the line and its length"
err_small "the error does not echo the line"
printf '[host]\nlisten = 127.0.0.1:8080\x00\n' >"$TMP/nul.ini"; chmod 600 "$TMP/nul.ini"
run -c "$TMP/nul.ini" plugins
expect_rc 2 "a config with a NUL byte is refused"
expect_err 'nul\.ini:2: .*NUL byte' "the error names the file and line of the NUL byte"
head -c 65536 /dev/urandom >"$TMP/random.ini"; chmod 600 "$TMP/random.ini"
run -c "$TMP/random.ini" plugins
no_crash "a config of random bytes is refused"
expect_rc 2 "a config of random bytes is refused with exit 2"
err_small "and the error is short"
printf '[host]\ndata_dir = %s/../data-dotdot\n[role:owner]\npermissions = *\n[user:admin]\nrole = owner\n' "$TMP/sub" \
  >"$TMP/dotdot.ini"; chmod 600 "$TMP/dotdot.ini"; mkdir -p "$TMP/sub"
run -c "$TMP/dotdot.ini" plugins
no_crash "a data_dir with .. is handled"

# ----- text parameters: no control or bidirectional formatting character (a label that reads reversed in the
# audit trail), refused by libpanelhost before the plugin is called, naming the character
run "${H[@]}" --json table settings/api-key keys
KEYS_BEFORE=$OUT
run "${H[@]}" action settings/api-key create-key --param "label=Mine$(printf '\xe2\x80\xae')tfarc" --param scopes=store.read
expect_rc 1 "a label with U+202E is refused (exit 1)"
expect_err 'U\+202E \(RIGHT-TO-LEFT OVERRIDE\)' "the refusal names the bidirectional character"
run "${H[@]}" action settings/api-key create-key --param "label=two$(printf '\t')parts" --param scopes=store.read
expect_rc 1 "a label with a tab is refused (exit 1)"
expect_err 'control character U\+0009' "the refusal names the control character"
run "${H[@]}" --json table settings/api-key keys
if [ "$OUT" = "$KEYS_BEFORE" ]; then pass "the refused labels created no key"; else fail "a refused label created a key"; fi
run "${H[@]}" action settings/api-key create-key --param "label=Café — שלום" --param scopes=store.read
expect_rc 0 "a label in other scripts (accents, a dash, Hebrew) is accepted"
