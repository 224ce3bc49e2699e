#!/bin/bash
# openapi.sh - the API's OpenAPI 3.1 description (issue 22, section 3): `sample-host openapi` regenerates
# docs/openapi.json byte for byte; Redocly CLI lints it with no errors (and fails a broken copy); every denial code
# the host and the API Keys provider answer (plugin/denials.c, host-api/auth.c, sample-host/api/*.c) is in it with
# its status; GET /api/v1/openapi.json serves it without a key; and the contract test (tests/npm-tools/
# openapi_contract.js, ajv) calls every documented operation on a running `sample-host serve` with its example and
# provokes each denial (401 missing/malformed/unknown, 403 scope/disabled, 400 bad body and conflicting
# credentials, 404, 405, 413, 414, 429 too_many_invalid, a leak report and 401 leaked), checking each answer's status, headers and body against
# the document.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../browser/server.sh"
source "$(dirname "$0")/../npm-tools/npm_tools.sh"
require_npm_tools
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
DOC="$PWD/docs/openapi.json"

CONFIG="$TMP/panel.ini"
write_config "$CONFIG" "$PLUGIN"
C=(-c "$CONFIG")

# ----- the committed document is what the routes say -------------------------------------------------------------
run "${C[@]}" openapi
printf '%s\n' "$OUT" >"$TMP/regenerated.json"
check '[ "$RC" = 0 ] && cmp -s "$TMP/regenerated.json" "$DOC"' \
  "sample-host openapi prints docs/openapi.json exactly (regenerate it with: build/sample-host openapi > docs/openapi.json)" \
  "$(diff "$DOC" "$TMP/regenerated.json" | head -20)"
# doc_has PYTHON_EXPR: the expression holds on docs/openapi.json (bound to j).
doc_has() { python3 -c "import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$DOC"; }
P='j["paths"]'
check 'doc_has "j[\"openapi\"] == \"3.1.0\""' "the document is OpenAPI 3.1"
check 'doc_has "sorted((p, m) for p in $P for m in $P[p]) == [(\"/api/v1/deliveries/ack\", \"post\"), (\"/api/v1/deliveries/pull\", \"post\"), (\"/api/v1/keys/revoke\", \"post\"), (\"/api/v1/openapi.json\", \"get\"), (\"/api/v1/ping\", \"get\"), (\"/api/v1/store\", \"get\"), (\"/api/v1/whoami\", \"get\"), (\"/healthz\", \"get\")]"' \
  "every route of the router is an operation with its method"
check 'doc_has "$P[\"/api/v1/deliveries/pull\"][\"post\"][\"security\"] == [{\"apiKey\": [\"deliveries.pull\"]}, {\"bearer\": [\"deliveries.pull\"]}]"' \
  "a route's scope is the role of both security schemes (X-API-Key and Bearer)"
check 'doc_has "$P[\"/api/v1/ping\"][\"get\"][\"security\"] == [{\"apiKey\": []}, {\"bearer\": []}] and $P[\"/healthz\"][\"get\"][\"security\"] == []"' \
  "a route for every key has an empty role list; /healthz needs no credential"
check 'doc_has "sorted(j[\"components\"][\"securitySchemes\"][\"apiKey\"][\"x-scopes\"]) == [\"deliveries.ack\", \"deliveries.pull\", \"store.read\"]"' \
  "the security schemes list the scope catalogue"
check 'doc_has "list($P[\"/api/v1/deliveries/pull\"][\"post\"][\"requestBody\"][\"content\"]) == [\"application/x-www-form-urlencoded\"] and $P[\"/api/v1/deliveries/ack\"][\"post\"][\"requestBody\"][\"content\"][\"application/json\"][\"example\"] == {\"ids\": [1, 2]}"' \
  "the request bodies (a form and JSON) have their media types and examples"
check 'doc_has "sorted(j[\"components\"][\"headers\"]) == [\"Deprecation\", \"Retry-After\", \"Sunset\"] and j[\"components\"][\"responses\"][\"Error429\"][\"headers\"][\"Retry-After\"][\"required\"]"' \
  "Retry-After (required on a 429), Sunset and Deprecation are documented headers"

# Every code the code answers, with its status, is a denial of the document (DenialCode's x-status).
{
  grep -Eo '\{T\("[a-z_]+"\), [0-9]+' plugin/denials.c | sed -E 's/\{T\("([a-z_]+)"\), ([0-9]+)/\1 \2/'
  grep -Eo 'deny\(outcome, [0-9]+, "[a-z_]+"' host-api/auth.c | sed -E 's/.*, ([0-9]+), "([a-z_]+)"/\2 \1/'
  grep -Eo '(route_error\(body|answer_error\(out), [0-9]+, "[a-z_]+"' sample-host/api/*.c \
    | sed -E 's/.*, ([0-9]+), "([a-z_]+)"/\2 \1/'
} | sort -u >"$TMP/codes"
missing_codes=$(python3 -c '
import json, sys
doc = json.load(open(sys.argv[2]))["components"]["schemas"]["DenialCode"]["x-status"]
for line in open(sys.argv[1]):
    code, status = line.split()
    if doc.get(code) != int(status):
        print(code, status, "document:", doc.get(code))' "$TMP/codes" "$DOC")
check '[ "$(wc -l <"$TMP/codes")" -ge 20 ] && [ -z "$missing_codes" ]' \
  "each of the $(wc -l <"$TMP/codes") denial codes of plugin/denials.c, host-api/auth.c and the router is in the document with its status" \
  "missing or with another status: $missing_codes"

run "${C[@]}" call GET /api/v1/nope
unlisted=$(printf '%s' "$OUT" | sed -n '2,$p' | python3 -c '
import json, sys
message = json.load(sys.stdin)["message"]
doc = json.load(open(sys.argv[1]))
print(" ".join(m.upper() + " " + p for p in doc["paths"] for m in doc["paths"][p] if m.upper() + " " + p not in message))' "$DOC")
check '[ "$RC" = 1 ] && [ -z "$unlisted" ]' "a 404 names every operation of the document (both come from the route table)" \
  "not named: $unlisted"

# ----- Redocly CLI -----------------------------------------------------------------------------------------------
lint() { (cd "$TMP" && "$NPM_BIN/redocly" lint "$1" --format=stylish) >"$TMP/lint.out" 2>&1; LINT_RC=$?; }
lint "$DOC"
check '[ "$LINT_RC" = 0 ] && grep -q "Your API description is valid" "$TMP/lint.out" && ! grep -Eq "^ +[0-9]+:[0-9]+ +error" "$TMP/lint.out"' \
  "Redocly CLI lints docs/openapi.json with no errors" "$(grep -v '║' "$TMP/lint.out" | tail -20)"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); del d["paths"]["/api/v1/ping"]["get"]["responses"]; del d["info"]["title"]
json.dump(d, open(sys.argv[2], "w"))' "$DOC" "$TMP/broken.json"
lint "$TMP/broken.json"
check '[ "$LINT_RC" != 0 ] && grep -Eq "error" "$TMP/lint.out"' "Redocly CLI fails a copy without an operation's responses and the title"

# ----- the contract test on a running server ----------------------------------------------------------------------
run "${C[@]}" --json action settings/api-key enable
KEY=$(json_get 'j["secret"]')
run "${C[@]}" --json action settings/api-key create-key --param label=Reader --param scopes=store.read
READER=$(json_get 'j.get("secret","")')
check '[ -n "$KEY" ] && [ -n "$READER" ]' "the API is enabled with a site key and a named key with scope store.read only"
run "${C[@]}" deliveries add Steve 'give Steve diamond 1'
start_server "$CONFIG" || { echo "FAIL: the server starts"; exit 1; }

http GET /api/v1/openapi.json
printf '%s' "$BODY" >"$TMP/served.json"
check '[ "$CODE" = 200 ] && python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))" "$TMP/served.json" "$DOC"' \
  "GET /api/v1/openapi.json without a key serves the document of docs/openapi.json"

contract() { node "$NPM_TOOLS/openapi_contract.js" "$DOC" "$SERVER_URL" "$1"; }
LONG=/api/v1/$(head -c 1100 /dev/zero | tr '\0' a)
BIG=limit=1$(head -c 17000 /dev/zero | tr '\0' 0)
cat >"$TMP/cases.json" <<EOF
[
 {"name": "healthz", "op": "healthz", "status": 200},
 {"name": "the document", "op": "getOpenapi", "status": 200},
 {"name": "ping", "op": "ping", "headers": {"X-API-Key": "$KEY"}, "status": 200},
 {"name": "whoami (Bearer)", "op": "whoami", "headers": {"Authorization": "Bearer $KEY"}, "status": 200},
 {"name": "whoami of a named key", "op": "whoami", "headers": {"X-API-Key": "$READER"}, "status": 200},
 {"name": "store", "op": "getStore", "headers": {"X-API-Key": "$KEY"}, "status": 200},
 {"name": "pull with its example", "op": "pullDeliveries", "headers": {"X-API-Key": "$KEY"}, "body": "example", "status": 200},
 {"name": "ack with its example", "op": "ackDeliveries", "headers": {"X-API-Key": "$KEY"}, "body": "example", "status": 200},
 {"name": "no key", "op": "getStore", "status": 401, "error": "missing"},
 {"name": "a malformed key", "op": "ping", "headers": {"X-API-Key": "sak_short"}, "status": 401, "error": "malformed"},
 {"name": "a key without the scope", "op": "pullDeliveries", "headers": {"X-API-Key": "$READER"}, "body": "example", "status": 403, "error": "scope"},
 {"name": "two keys", "op": "ping", "headers": {"X-API-Key": "$KEY", "Authorization": "Bearer $READER"}, "status": 400, "error": "conflicting_credentials"},
 {"name": "a bad form body", "op": "pullDeliveries", "headers": {"X-API-Key": "$KEY"}, "body": "limit=0", "contentType": "application/x-www-form-urlencoded", "status": 400, "error": "bad_request"},
 {"name": "a bad JSON body", "op": "ackDeliveries", "headers": {"X-API-Key": "$KEY"}, "body": "{\"ids\":\"x\"}", "contentType": "application/json", "status": 400, "error": "bad_request"},
 {"name": "a wrong method", "method": "GET", "path": "/api/v1/deliveries/pull", "headers": {"X-API-Key": "$KEY"}, "status": 405, "error": "method_not_allowed"},
 {"name": "a wrong method, no key", "method": "POST", "path": "/healthz", "status": 405, "error": "method_not_allowed"},
 {"name": "a body too large", "op": "pullDeliveries", "headers": {"X-API-Key": "$KEY"}, "body": "$BIG", "contentType": "application/x-www-form-urlencoded", "status": 413, "error": "body_too_large"},
 {"name": "no such route", "method": "GET", "path": "/api/v1/nope", "status": 404, "error": "not_found"},
 {"name": "a path too long", "method": "GET", "path": "$LONG", "status": 414, "error": "uri_too_long"},
 {"name": "a leak report with its example", "op": "revokeKey", "body": "example", "status": 200},
 {"name": "a leak report that cannot be read", "op": "revokeKey", "body": "{", "contentType": "application/json", "status": 400, "error": "bad_request"}
]
EOF
contract "$TMP/cases.json"

# A reset makes the old key unknown; a disabled API refuses the current one.
run "${C[@]}" --json action settings/api-key reset --yes
NEW=$(json_get 'j["secret"]')
run "${C[@]}" --json action settings/api-key disable --yes
check '[ -n "$NEW" ] && [ "$RC" = 0 ]' "the key is reset and the API disabled"
cat >"$TMP/cases2.json" <<EOF
[
 {"name": "a key that was reset", "op": "ping", "headers": {"X-API-Key": "$KEY"}, "status": 401, "error": "unknown"},
 {"name": "the API disabled", "op": "getStore", "headers": {"X-API-Key": "$NEW"}, "status": 403, "error": "disabled"},
 {"name": "a leak report of the named key (JSON)", "op": "revokeKey", "body": "{\"token\":\"$READER\",\"url\":\"https://x.test/a\"}", "contentType": "application/json", "status": 200},
 {"name": "a key reported as leaked", "op": "whoami", "headers": {"X-API-Key": "$READER"}, "status": 401, "error": "leaked"},
 {"name": "the 31st invalid key in a minute", "op": "ping", "headers": {"X-API-Key": "sak_wrong"}, "repeat": 31, "status": 429, "error": "too_many_invalid"}
]
EOF
contract "$TMP/cases2.json"
stop_server

# The contract test can fail: a document whose 200 of ping wants another body fails the same answer.
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
d["paths"]["/healthz"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["required"] = ["up"]
json.dump(d, open(sys.argv[2], "w"))' "$DOC" "$TMP/wrong.json"
start_server "$CONFIG" again || { echo "FAIL: the server starts again"; exit 1; }
echo '[{"name": "healthz", "op": "healthz", "status": 200}]' >"$TMP/one.json"
node "$NPM_TOOLS/openapi_contract.js" "$TMP/wrong.json" "$SERVER_URL" "$TMP/one.json" >"$TMP/wrong.out" 2>&1
WRONG_RC=$?
check '[ "$WRONG_RC" != 0 ] && grep -q "^FAIL: healthz" "$TMP/wrong.out" && grep -q "must have required property" "$TMP/wrong.out"' \
  "the contract test fails an answer that does not match the document" "$(cat "$TMP/wrong.out")"
stop_server
