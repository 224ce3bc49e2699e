#!/bin/bash
# abi11_host.sh - the sample host's rendering of ABI 1.1 (issue 12) with the abi11 fixture, in the CLI and over
# HTTP: row actions (`page` lists them under their table, `action --record ID`, one form per row on the web),
# availability (the reason beside the action; running anyway gets the action's own answer; a disabled button with
# the reason on the web), the created record ("record" in --json, on the web page), list parameters (checkboxes,
# a text box) and choice labels, Retry-After from a denial's retry_after, whoami's scopes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$FIXTURES/abi11.so" '[plugin:abi11]' 'case = good'
C=(-c "$CONFIG")

run "${C[@]}" page abi11/page
expect_out 'drop +Drop +\[row action of table rows: --record ID\]' "page marks a row action with its table and --record"
expect_out 'drop k2: not available now: k2 is locked' "page prints why a row action is not available for a record"
expect_no_out 'drop k1: not available' "an available record gets no reason"
expect_out 'items: a = Alpha; b = Beta; c = Gamma' "page lists a list parameter's choices with their labels"
expect_out 'choices: s = small; m = medium; l = large' "page lists an enum's choices with their labels"
run "${C[@]}" action abi11/page drop --record k1
expect_rc 0 "action --record runs a row action on that record"
expect_out 'dropped k1' "the row action's answer names the record"
run "${C[@]}" action abi11/page drop --record k2
expect_rc 0 "a row action not available for a record still runs and gives its own answer"
run "${C[@]}" action abi11/page drop
expect_rc 1 "a row action without --record is refused"
expect_err 'give the record id' "the refusal says to give the record id"
run "${C[@]}" action abi11/page make --record k1
expect_rc 1 "a page action with --record is refused"
run "${C[@]}" action abi11/page drop --record 'has space'
expect_rc 1 "a record id of another syntax is refused"
run "${C[@]}" --json action abi11/page make
[ "$(json_get 'j["record"]')" = k3 ] && pass "action --json names the record the action created" || fail "record in --json"
run "${C[@]}" action abi11/page make
expect_out '^Record: k3' "action prints the record it created"
run "${C[@]}" --json action abi11/page bad-record
[ "$(json_get '"record" in j')" = False ] && pass "an id that is not a record id is not shown" || fail "bad record shown"
run "${C[@]}" action abi11/page pick -p 'scopes=c, b' -p 'cidrs=10.0.0.0/8 , ::1'
expect_out 'scopes=\[c,b\] cidrs=\[10.0.0.0/8,::1\]' "list parameters arrive in canonical form (spaces trimmed)"
run "${C[@]}" action abi11/page pick -p 'scopes=a,z'
expect_rc 1 "a list item outside the choices is refused"
run "${C[@]}" --json page abi11/page
[ "$(json_get '[p["type"] for a in j["actions"] if a["id"]=="pick" for p in a["params"]]')" = "['list', 'list', 'enum']" ] \
  && pass "page --json gives list parameters their type" || fail "list type in --json"
[ "$(json_get '[p.get("choice_labels") for a in j["actions"] if a["id"]=="pick" for p in a["params"]][0]')" = "['Alpha', 'Beta', 'Gamma']" ] \
  && pass "page --json gives the choice labels" || fail "choice labels in --json"
[ "$(json_get '[(a["row_table"], a.get("available")) for a in j["actions"] if a["id"] in ("drop","unsure")]')" = "[('rows', None), (None, True)]" ] \
  && pass "page --json names a row action's table; an action whose availability cannot be told shows as available" \
  || fail "row_table/available in --json"
run "${C[@]}" call GET /api/v1/whoami -H 'X-Abi11: ok'
expect_out '"scopes":\["x","y"\]' "whoami lists the scopes the provider named"

if ! start_server "$CONFIG"; then fail "server starts"; exit 1; fi
http GET /api/v1/ping -H 'X-Abi11: slow'
[ "$CODE" = 429 ] && printf '%s\n' "$HEADERS" | grep -qi '^retry-after: 30$' && pass "serve: a denial with retry_after 30 sends Retry-After: 30" \
  || fail "Retry-After: $CODE $HEADERS"
http GET /api/v1/ping -H 'X-Abi11: huge'
printf '%s\n' "$HEADERS" | grep -qi '^retry-after: 86400$' && pass "serve: a huge retry_after is clamped to one day" || fail "clamp: $HEADERS"
http GET /api/v1/ping -H 'X-Abi11: ok'
! printf '%s\n' "$HEADERS" | grep -qi '^retry-after' && pass "serve: an allowed request has no Retry-After" || fail "Retry-After on 200"
JAR="$TMP/admin.jar"
login admin "$FIRST_PASSWORD" "$JAR"
http GET /admin/abi11/page -b "$JAR"
page=$BODY
printf '%s' "$page" | grep -q 'data-action="drop" data-record="k1"' && pass "web: a row action has a form on row k1" || fail "row form k1"
printf '%s' "$page" | grep -Eq 'name="_record" value="k2"><button type="submit" disabled aria-describedby="unavailable-drop-k2">Drop</button> <span class="unavailable" id="unavailable-drop-k2">k2 is locked</span>' \
  && pass "web: the row action on k2 is a disabled button with the reason beside it" || fail "disabled k2"
printf '%s' "$page" | grep -Eq '<option value="s">small</option>' && pass "web: an enum shows its choice labels" || fail "enum labels"
printf '%s' "$page" | grep -Eq 'type="checkbox" name="pc.scopes" value="a" checked> Alpha' && pass "web: a list with choices is checkboxes, the default checked" || fail "checkboxes"
printf '%s' "$page" | grep -Eq 'type="text" name="p.cidrs"' && pass "web: a free list is a text box" || fail "free list"
! printf '%s' "$page" | grep -q 'data-action="drop" id="action-drop"' && pass "web: a row action is not offered as a page action" || fail "row action as page action"
CSRF=$(csrf_of_body)
http POST /admin/abi11/page -b "$JAR" --data "_csrf=$CSRF&_op=action&_action=drop&_record=k2"; follow "$JAR"
[ "$POSTED" = 303 ] && [ "$CODE" = 200 ] && printf '%s' "$BODY" | grep -q 'dropped k2' && pass "web: posting the unavailable row action anyway gets its own answer" || fail "post k2: $CODE"
http POST /admin/abi11/page -b "$JAR" --data "_csrf=$CSRF&_op=action&_action=make"; follow "$JAR"
printf '%s' "$BODY" | grep -q 'made k3 <span id="created-record" hidden>k3</span>' && pass "web: the created record is named once (the message names it; the page keeps it for scripts)" || fail "web record"
http POST /admin/abi11/page -b "$JAR" --data "_csrf=$CSRF&_op=action&_action=pick&p.scopes=&pc.scopes=c&pc.scopes=b&p.cidrs=10.0.0.0/8&p.size=l"; follow "$JAR"
printf '%s' "$BODY" | grep -q 'scopes=\[c,b\] cidrs=\[10.0.0.0/8\] size=\[l\]' && pass "web: checked boxes are sent as one list" || fail "web list"
http POST /admin/abi11/page -b "$JAR" --data "_csrf=$CSRF&_op=action&_action=pick&p.scopes=&p.cidrs=&p.size=l"; follow "$JAR"
printf '%s' "$BODY" | grep -q 'scopes=\[\] ' && pass "web: no box checked sends the empty list" || fail "web empty list"
stop_server
