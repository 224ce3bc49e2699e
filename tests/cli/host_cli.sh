#!/bin/bash
# host_cli.sh - command-line tests of build/sample-host against the fixture plugins (tests/fixtures): help
# and usage errors, plugins/menu/page/table/set/action with text and --json output, dangerous operations
# refused without --yes, permissions, plugin load failures (libm, every bad fixture), and `call` through the
# request router (healthz, authenticated ping: 200, 401, 503). Each run uses a temporary config and data dir.
. "$(dirname "$0")/lib.sh"

GOOD="$FIXTURES/good.so"
LIBM=/lib/x86_64-linux-gnu/libm.so.6
CONF="$TMP/panel.ini"
panel_ini "$CONF" data "" 'store_name = Fixture Store' 'currency = EUR' '[role:admin]' 'permissions = *' \
  '[role:viewer]' 'permissions = reports.*' '[user:admin]' 'role = admin' '[user:guest]' 'role = viewer' \
  '[plugin:good]' 'initial_text = from the config'
export PANEL_CONFIG="$CONF"   # the default config; -c is tested separately below

# ----- help and usage --------------------------------------------------------------------------------------
run --help
expect_rc 0 "--help exits 0"
expect_out '^Usage: sample-host' "--help shows the usage line"
expect_out 'call METHOD PATH' "--help lists the commands"
expect_no_out '--now' "--help does not show the hidden --now"
run page --help
expect_rc 0 "page --help exits 0"
expect_out 'sample-host \[OPTIONS\] page PAGE' "page --help shows the page synopsis"
run help action
expect_rc 0 "help action exits 0"
expect_out 'NAME=VALUE' "help action describes --param"
run
expect_rc 2 "no command is a usage error"
expect_err 'no command given' "no command says so"
run frobnicate
expect_rc 2 "an unknown command is a usage error"
expect_err "unknown command 'frobnicate'" "an unknown command is named"
run --bogus menu
expect_rc 2 "an unknown option is a usage error"
run page
expect_rc 2 "page without PAGE is a usage error"
expect_err 'usage: sample-host page PAGE' "page without PAGE shows its usage"
run menu --yes
expect_rc 2 "an option the command does not take is a usage error"
run --plugin "$GOOD" table fixture/good log --limit zero
expect_rc 2 "a non-numeric --limit is a usage error"
run --now yesterday plugins
expect_rc 2 "a --now that is not a Unix time is a usage error"
run --json frobnicate
expect_rc 2 "a usage error under --json exits 2"
if [ "$(json_get "j['error']")" = usage ]; then pass "a usage error under --json is {\"error\":\"usage\"}"
else fail "a usage error under --json is {\"error\":\"usage\"}"; fi

# ----- plugins and menu ------------------------------------------------------------------------------------
run --plugin "$GOOD" --json plugins
expect_rc 0 "plugins --json exits 0"
if [ "$(json_get "[(p['id'], p['version'], p['abi']) for p in j]")" = "[('good', '1.0.0', '1.3')]" ]; then
  pass "plugins --json lists the fixture with version and ABI"; else fail "plugins --json lists the fixture"; fi
if [ "$(json_get "j[0]['file']")" = "$GOOD" ]; then pass "plugins --json names the file"
else fail "plugins --json names the file"; fi
run --plugin "$GOOD" plugins
expect_out '^good  Good Fixture  version 1\.0\.0  ABI 1\.3' "plugins lists the fixture as text"

run --plugin "$GOOD" --json menu
expect_rc 0 "menu --json exits 0"
if [ "$(json_get "[(e['id'], e['path'], e['page'], e['order']) for e in j]")" = \
     "[('fixture-good', 'Tools > Good Fixture', 'fixture/good', 10)]" ]; then
  pass "menu --json shows the fixture's entry"; else fail "menu --json shows the fixture's entry"; fi
run --plugin "$GOOD" menu
expect_out 'Tools > Good Fixture +page fixture/good' "menu shows the fixture's entry as text"

# ----- page ------------------------------------------------------------------------------------------------
run --plugin "$GOOD" --json page fixture/good
expect_rc 0 "page --json exits 0"
if [ "$(json_get "(j['id'], j['title'], j['description'])")" = "('fixture/good', 'Good Fixture', 'A fixture page')" ]
then pass "page --json has id, title, description"; else fail "page --json has id, title, description"; fi
if [ "$(json_get "[(f['id'], f['type'], f['value']) for f in j['fields']]")" = \
     "[('text', 'text', 'from the config'), ('calls', 'readonly', '2'), ('enabled', 'toggle', '0')]" ]; then
  pass "page --json shows the fields with current values (the plugin read its config)"
else fail "page --json shows the fields with current values"; fi
if [ "$(json_get "[(s['label'], s['value']) for s in j['status']]")" = "[('Calls', '1')]" ]; then
  pass "page --json shows the status lines"; else fail "page --json shows the status lines"; fi
if [ "$(json_get "[(a['id'], a['dangerous'], a['confirm'], [(p['id'], p.get('choices'), p['default']) for p in a['params']]) for a in j['actions']]")" = \
     "[('wipe', True, 'Wiping cannot be undone.', [('mode', ['0', '1h', '24h', '7d'], '0'), ('note', None, '')]), ('echo', False, None, [('text', None, None)])]" ]
then pass "page --json shows the action, its confirmation and its parameters"
else fail "page --json shows the action, its confirmation and its parameters"; fi
if [ "$(json_get "[(t['id'], t['columns'], t['rows']) for t in j['tables']]")" = \
     "[('log', ['N', 'What'], [['5', 'event'], ['4', 'event'], ['3', 'event']])]" ]; then
  pass "page --json shows the first page_rows rows of the table"
else fail "page --json shows the first page_rows rows of the table"; fi
run --plugin "$GOOD" page fixture/good
expect_rc 0 "page exits 0"
expect_out '^Good Fixture  \(page fixture/good\)' "page shows the title"
expect_out 'text +Text: from the config' "page shows the text field's value"
expect_out 'wipe +Wipe  \[dangerous: needs --yes\]' "page marks the dangerous action"
expect_out '--param mode=0\|1h\|24h\|7d \(default 0\)' "page shows the enum parameter and its default"
run --plugin "$GOOD" page no/such/page
expect_rc 2 "page of an unknown page exits 2"
expect_err "no page 'no/such/page'" "page of an unknown page says so"

# ----- table -----------------------------------------------------------------------------------------------
run --plugin "$GOOD" --json table fixture/good log --limit 2
expect_rc 0 "table --json exits 0"
if [ "$(json_get "j")" = "[{'N': '5', 'What': 'event'}, {'N': '4', 'What': 'event'}]" ]; then
  pass "table --json gives --limit rows, newest first, keyed by column title"
else fail "table --json gives --limit rows, newest first"; fi
run --plugin "$GOOD" table fixture/good log
expect_rc 0 "table exits 0"
if [ "$(printf '%s\n' "$OUT" | wc -l)" -eq 6 ]; then pass "table shows a header and all 5 rows"
else fail "table shows a header and all 5 rows"; fi
run --plugin "$GOOD" table fixture/good nosuch
expect_rc 2 "an unknown table exits 2"
expect_err "its tables: log" "an unknown table lists the page's tables"

# ----- set -------------------------------------------------------------------------------------------------
run --plugin "$GOOD" set fixture/good text "new text"
expect_rc 0 "set of a text field exits 0"
expect_out '^text saved by admin$' "set prints the plugin's message"
run --plugin "$GOOD" set fixture/good text "trailing "
expect_rc 1 "set with a value the validator refuses exits 1"
expect_err 'trailing space' "set shows the validator's message"
run_stdin "from stdin" --plugin "$GOOD" --json set fixture/good text -
expect_rc 0 "set - reads the value from stdin"
if [ "$(json_get "(j['ok'], j['message'])")" = "(True, 'text saved by admin')" ]; then
  pass "set --json gives ok and message"; else fail "set --json gives ok and message"; fi
run_stdin "ends in space " --plugin "$GOOD" set fixture/good text -
expect_rc 1 "set - takes stdin exactly as given (a trailing space reaches the validator)"
head -c 5000 /dev/zero | tr '\0' x >"$TMP/big"
$HOST --plugin "$GOOD" set fixture/good text - <"$TMP/big" >"$TMP/out" 2>"$TMP/err"; RC=$?
OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
expect_rc 1 "set - refuses more than 4096 bytes on stdin"
expect_err 'longer than 4096 bytes' "set - says the input is too long"
run --plugin "$GOOD" set fixture/good calls 5
expect_rc 1 "set of a read-only field exits 1"
expect_err 'read-only' "set of a read-only field says so"
run --plugin "$GOOD" set fixture/good nosuch x
expect_rc 2 "set of an unknown field exits 2"
expect_err 'its fields: text, calls, enabled' "set of an unknown field lists the fields"
run --plugin "$GOOD" set fixture/good enabled 1
expect_rc 1 "set of a dangerous field without --yes exits 1"
expect_err 'Switching this changes everything\.' "set of a dangerous field without --yes shows the confirmation text"
expect_err '--yes' "set of a dangerous field without --yes says to add --yes"
expect_no_out 'enabled' "set of a dangerous field without --yes changes nothing"
run --plugin "$GOOD" set fixture/good enabled 1 --yes
expect_rc 0 "set of a dangerous field with --yes exits 0"
expect_out '^enabled$' "set of a dangerous field with --yes reaches the plugin"

# ----- action ----------------------------------------------------------------------------------------------
run --plugin "$GOOD" action fixture/good wipe --param mode=1h
expect_rc 1 "a dangerous action without --yes exits 1"
expect_err 'Wiping cannot be undone\.' "a dangerous action without --yes shows the confirmation text"
expect_err '--yes' "a dangerous action without --yes says to add --yes"
expect_no_out 'wiped|fixture-secret' "a dangerous action without --yes does not run"
run --plugin "$GOOD" action fixture/good wipe --yes --param mode=1h --param 'note=a b'
expect_rc 0 "a dangerous action with --yes exits 0"
expect_out "^wiped with mode 1h, note 'a b'$" "action prints the plugin's message"
expect_out 'shown only this once' "action labels the one-time secret"
expect_out '^    fixture-secret-1h$' "action prints the secret"
run --plugin "$GOOD" --json action fixture/good wipe --yes
expect_rc 0 "action --json exits 0"
if [ "$(json_get "(j['ok'], j['message'], j['secret'])")" = "(True, \"wiped with mode 0, note ''\", 'fixture-secret-0')" ]
then pass "action --json gives ok, message and secret (defaults filled)"
else fail "action --json gives ok, message and secret"; fi
run --plugin "$GOOD" action fixture/good wipe --yes --param mode=2h
expect_rc 1 "an enum value outside the choices exits 1"
expect_no_out 'fixture-secret' "an enum value outside the choices does not run the action"
run --plugin "$GOOD" action fixture/good wipe --yes --param colour=red
expect_rc 2 "an unknown parameter exits 2"
expect_err "no parameter 'colour'.*mode \(0\|1h\|24h\|7d\)" "an unknown parameter lists the parameters"
run --plugin "$GOOD" action fixture/good echo
expect_rc 1 "an action without its required parameter exits 1"
expect_err "needs parameter 'text'" "an action without its required parameter names it"
run --plugin "$GOOD" action fixture/good echo -p 'text=hi there'
expect_rc 0 "a non-dangerous action runs without --yes"
expect_out '^echo: hi there$' "a non-dangerous action prints the plugin's message"
expect_no_out 'shown only this once' "an action without a secret shows no secret label"
run --plugin "$GOOD" action fixture/good nosuch
expect_rc 2 "an unknown action exits 2"

# ----- users and permissions -------------------------------------------------------------------------------
run --plugin "$GOOD" --as guest --json menu
expect_rc 0 "menu as a user without the permission exits 0"
if [ "$(json_get "j")" = "[]" ]; then pass "a user without the permission sees no menu entry"
else fail "a user without the permission sees no menu entry"; fi
run --plugin "$GOOD" --as guest page fixture/good
expect_rc 1 "page as a user without the permission exits 1"
expect_err "needs permission 'fixture\.good'" "page as a user without the permission names the permission"
expect_no_out 'from the config' "page as a user without the permission shows nothing of the page"
run --plugin "$GOOD" --as guest set fixture/good text x
expect_rc 1 "set as a user without the permission exits 1"
run --plugin "$GOOD" --as guest action fixture/good wipe --yes
expect_rc 1 "action as a user without the permission exits 1"
expect_no_out 'fixture-secret' "action as a user without the permission does not run"
run --plugin "$GOOD" --json host-audit
if [ "$(json_get "sorted({(e['user'], e['action'], e['target'], e['outcome']) for e in j if e['user'] == 'guest'})")" = \
     "[('guest', 'page.open', 'fixture/good', 'denied')]" ] && json_get "j[0]['origin']" | grep -q '^cli uid='; then
  pass "refusals for lack of permission are in the host audit log (user, what was refused, origin)"
else fail "refusals for lack of permission are in the host audit log"; fi
run --plugin "$GOOD" --as nobody menu
expect_rc 2 "--as an unknown user exits 2"
expect_err "no admin user 'nobody'" "--as an unknown user says so"

# ----- plugin load failures --------------------------------------------------------------------------------
run --plugin "$LIBM" plugins
expect_rc 2 "loading libm exits 2"
expect_err 'panel_plugin_entry' "loading libm names the missing entry symbol"
run --json --plugin "$LIBM" plugins
if [ "$(json_get "j['error']")" = plugin_load ]; then pass "a load failure under --json is {\"error\":\"plugin_load\"}"
else fail "a load failure under --json is {\"error\":\"plugin_load\"}"; fi
run --plugin "$TMP/missing.so" plugins
expect_rc 2 "loading a missing file exits 2"
run --plugin "$FIXTURES/no_entry.so" plugins
expect_err 'does not export the symbol panel_plugin_entry' "a library without the entry symbol is named as such"
run --plugin "$FIXTURES/wrong_major.so" plugins
expect_err 'built for ABI 2\.0; this host speaks ABI 1\.x' "a wrong ABI major names both versions"
run --plugin "$FIXTURES/init_fails.so" plugins
expect_err "storage is unreachable" "a failing init shows the plugin's message"
run --plugin "$FIXTURES/bad_duplicate_id.so" plugins
expect_err "field 'twice' refused" "a duplicate id names the refused registration"
run --plugin "$FIXTURES/newer_minor.so" --json plugins
expect_rc 0 "a plugin built for a newer minor loads"
if [ "$(json_get "j[0]['abi']")" = 1.99 ]; then pass "plugins shows the newer minor's ABI"
else fail "plugins shows the newer minor's ABI"; fi
run --plugin "$FIXTURES/abi10.so" --json plugins
expect_rc 0 "a plugin built against the frozen ABI 1.0 header loads in this 1.3 host"
[ "$(json_get "j[0]['abi']")" = 1.0 ] && pass "plugins shows its ABI as 1.0" || fail "plugins shows the 1.0 fixture's ABI"
for so in "$FIXTURES"/*.so; do
  name=$(basename "$so")
  case "$name" in good.so|newer_minor.so|abi10.so|abi11.so|abi12.so|fini_marker.so) continue ;; esac  # these load
  run --plugin "$so" plugins
  expect_rc 2 "loading fixture $name exits 2"
  expect_err "cannot load plugin $so: .{10,}" "loading fixture $name explains why"
done

# A config plugin that fails is reported and the command goes on with the rest.
sed -e "s|^data_dir = data|data_dir = data\nplugins = $TMP/missing.so $GOOD|" "$CONF" >"$TMP/with-plugins.ini"
chmod 600 "$TMP/with-plugins.ini"
run -c "$TMP/with-plugins.ini" --json plugins
expect_rc 0 "a failing config plugin does not stop the command"
expect_err "$TMP/missing.so" "a failing config plugin is reported on stderr"
if [ "$(json_get "[p['id'] for p in j]")" = "['good']" ]; then pass "the other config plugins load"
else fail "the other config plugins load"; fi

# ----- call (the request router) ---------------------------------------------------------------------------
run call GET /healthz
expect_rc 0 "call GET /healthz exits 0"
expect_out '^HTTP 200$' "call GET /healthz answers 200"
expect_out '^\{"ok":true\}$' "call GET /healthz answers {\"ok\":true}"
run --plugin "$GOOD" --json call GET /api/v1/ping -H 'x-fixture: letmein'
expect_rc 0 "call ping with the fixture's header exits 0"
if [ "$(json_get "(j['status'], j['body'])")" = "(200, {'ok': True})" ]; then
  pass "call ping with the fixture's header (any case) answers 200 {\"ok\":true}"
else fail "call ping with the fixture's header answers 200"; fi
run --plugin "$GOOD" --json call GET /api/v1/store -H 'X-Fixture: letmein'
if [ "$(json_get "j['body']")" = "{'store_name': 'Fixture Store', 'currency': 'EUR'}" ]; then
  pass "call /api/v1/store answers the config's store name and currency"
else fail "call /api/v1/store answers the config's store name and currency"; fi
run --plugin "$GOOD" --json call GET /api/v1/ping
expect_rc 1 "call ping without a credential exits 1"
if [ "$(json_get "(j['status'], j['body']['error'])")" = "(401, 'missing')" ]; then
  pass "call ping without a credential answers 401 missing (every provider abstained)"
else fail "call ping without a credential answers 401 missing"; fi
if [ "$(json_get "'X-Fixture header' in j['body']['message']")" = True ]; then
  pass "the 401 missing message lists the headers each provider reads (from its description)"
else fail "the 401 missing message lists the headers each provider reads"; fi
run --plugin "$GOOD" --json call GET /api/v1/ping -H 'X-Fixture: wrong'
if [ "$(json_get "(j['status'], j['body'])")" = "(401, {'error': 'fixture_denied', 'message': 'send X-Fixture: letmein'})" ]
then pass "a provider's denial is the body {\"error\",\"message\"} with its status"
else fail "a provider's denial is the body {\"error\",\"message\"} with its status"; fi
run --json call GET /api/v1/ping -H 'X-Fixture: letmein'
expect_rc 1 "call ping with no auth provider exits 1"
if [ "$(json_get "(j['status'], j['body']['error'])")" = "(503, 'no_auth_provider')" ]; then
  pass "call ping with no auth provider answers 503 no_auth_provider"
else fail "call ping with no auth provider answers 503 no_auth_provider"; fi
run call GET /nowhere
expect_rc 1 "call of an unknown path exits 1"
expect_out '^HTTP 404$' "call of an unknown path answers 404"
run call POST /healthz
expect_out '^HTTP 405$' "call with the wrong method answers 405"
run call GET healthz
expect_rc 2 "call with a path not starting with / is a usage error"
run call GET /healthz -H 'no colon here'
expect_rc 2 "call with a malformed -H is a usage error"

# ----- config ----------------------------------------------------------------------------------------------
unset PANEL_CONFIG
run -c "$CONF" --data-dir "$TMP/other-data" --plugin "$GOOD" --json menu
expect_rc 0 "-c FILE and --data-dir work"
if [ -d "$TMP/other-data" ] && [ "$(stat -c %a "$TMP/other-data")" = 700 ]; then
  pass "--data-dir is created with mode 0700"; else fail "--data-dir is created with mode 0700"; fi
run -c "$TMP/no-such.ini" menu
expect_rc 2 "a missing config file exits 2"

# ----- ownership (StrictModes, also as root) ---------------------------------------------------------------
OWN="$TMP/own-data"; mkdir -p "$OWN"; chmod 700 "$OWN"
printf 'x' >"$OWN/apikeys.secret"; chmod 600 "$OWN/apikeys.secret"
if [ "$(id -u)" = 0 ]; then
  chown 65534:65534 "$OWN/apikeys.secret"
  run -c "$CONF" --data-dir "$OWN" menu
  expect_rc 2 "a file in the data directory owned by another uid stops the host, also as root"
  expect_err "refusing the data directory's entry $OWN/apikeys.secret: it is owned by uid 65534 \(mode 0600\).*fix it with: chown 0 $OWN/apikeys.secret" \
    "the refusal names the path, its owner and mode, and the chown that fixes it"
  chown 0:0 "$OWN/apikeys.secret"
fi
chmod 660 "$OWN/apikeys.secret"
run -c "$CONF" --data-dir "$OWN" menu
expect_rc 2 "a group-writable file in the data directory stops the host"
expect_err "writable by its group \(mode 0660\).*fix it with: chmod go-w $OWN/apikeys.secret" "the refusal names the mode and the chmod"
chmod 600 "$OWN/apikeys.secret"
mkdir -p "$TMP/shared-plugins"; chmod 775 "$TMP/shared-plugins"; cp "$GOOD" "$TMP/shared-plugins/good.so"
run -c "$CONF" --data-dir "$OWN" --plugin "$TMP/shared-plugins/good.so" menu
expect_err "refusing the folder holding a plugin $TMP/shared-plugins: it is writable by its group \(mode 0775\)" \
  "a plugin in a group-writable folder is refused, naming the folder"
run -c "$CONF" --data-dir "$OWN" --plugin "$GOOD" menu
expect_rc 0 "with the modes fixed the host starts"
