#!/bin/bash
# secret_scanning.sh - scanners can find our keys (issue 22, section 2): the secretlint rule shipped at
# docs/secretlint/.secretlintrc.json (npm secretlint with @secretlint/secretlint-rule-pattern) finds a key the
# plugin generated, planted in a file (masked in its report), and finds none of the near misses (a key one character
# short or long, a key inside a longer word); the rule's expression is the one docs/secret-scanning.md gives; the
# page's checksum function accepts the generated keys and refuses a changed character; with another key_prefix the
# rule with that prefix finds its keys.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../npm-tools/npm_tools.sh"
require_npm_tools
RULE="$PWD/docs/secretlint/.secretlintrc.json"
PAGE="$PWD/docs/secret-scanning.md"

# scan RC FILE...: secretlint with the rule RC on the files (in $TMP/scan); sets RC, OUT.
scan() {
  local rc=$1; shift
  OUT=$(cd "$TMP/scan" && "$NPM_BIN/secretlint" --secretlintrc "$rc" "$@" 2>&1); RC=$?; ERR=""
}
mkdir -p "$TMP/scan"

# A key and a named key of a throwaway store, as the plugin makes them.
panel_ini "$TMP/panel.ini" "$TMP/data" "$PLUGIN" "${PANEL_OWNER[@]}"
run -c "$TMP/panel.ini" --json action settings/api-key enable
KEY=$(json_get 'j["secret"]')
run -c "$TMP/panel.ini" --json action settings/api-key create-key --param label=Bot --param scopes=store.read
NAMED=$(json_get 'j.get("secret","")')
check '[[ "$KEY" =~ ^sak_[0-9A-Za-z]{49}$ ]] && [[ "$NAMED" =~ ^sak_[0-9A-Za-z]{49}$ ]]' \
  "the plugin's site key and named key are sak_ and 49 base62 characters"

# ----- the rule is the page's expression --------------------------------------------------------------------------
RULE_RE=$(python3 -c 'import json, sys; p = json.load(open(sys.argv[1]))["rules"][0]["options"]["patterns"][0]["patterns"][0]; print(p[1:-1])' "$RULE")
check 'grep -qxF -- "$RULE_RE" "$PAGE"' "the rule's expression is the one docs/secret-scanning.md gives" "rule: $RULE_RE"

# ----- found: planted keys ----------------------------------------------------------------------------------------
printf 'store:\n  url: https://shop.example\n  api_key: "%s"\n' "$KEY" >"$TMP/scan/config.yml"
printf 'curl -H "Authorization: Bearer %s" https://shop.example/api/v1/ping\n' "$NAMED" >"$TMP/scan/chat.txt"
scan "$RULE" config.yml
check '[ "$RC" = 1 ] && printf "%s" "$OUT" | grep -q "config.yml" && printf "%s" "$OUT" | grep -Eq "^ +3:[0-9]+ +error"' \
  "secretlint finds the planted site key (exit 1, the file and line 3)"
check '! printf "%s" "$OUT" | grep -qF -- "${KEY:4}"' "its report masks the key"
scan "$RULE" chat.txt
check '[ "$RC" = 1 ] && printf "%s" "$OUT" | grep -q "chat.txt"' "secretlint finds a named key pasted as a Bearer header"

# ----- not found: near misses ---------------------------------------------------------------------------------------
printf 'api_key=%s\n' "${KEY:0:52}" >"$TMP/scan/short.env"
printf 'api_key=%sx\n' "$KEY" >"$TMP/scan/long.env"
printf 'id=x%s\n' "$KEY" >"$TMP/scan/word.env"
printf 'api_key=pk_%s\n' "${KEY:4}" >"$TMP/scan/other.env"
for f in short.env long.env word.env other.env; do
  scan "$RULE" "$f"
  check '[ "$RC" = 0 ]' "secretlint finds no key in $f (a near miss)"
done

# ----- the page's checksum function -------------------------------------------------------------------------------
python3 -c 'import re, sys; print(re.search(r"```python\n(.*?)```", open(sys.argv[1]).read(), re.S).group(1))' \
  "$PAGE" >"$TMP/check.py"
FLIP=${KEY:0:20}$( [ "${KEY:20:1}" = A ] && echo B || echo A )${KEY:21}
is_well_formed() { python3 -c "exec(open('$TMP/check.py').read()); import sys; print(is_well_formed(sys.argv[1], sys.argv[2]))" "$@"; }
check '[ "$(is_well_formed "$KEY" sak_) $(is_well_formed "$NAMED" sak_)" = "True True" ]' \
  "the page's checksum function accepts the plugin's keys"
check '[ "$(is_well_formed "$FLIP" sak_) $(is_well_formed "${KEY:0:52}" sak_)" = "False False" ]' \
  "it refuses a key with one character changed and a key one character short"

# ----- another prefix -------------------------------------------------------------------------------------------------
panel_ini "$TMP/acme.ini" "$TMP/acme" "$PLUGIN" "${PANEL_OWNER[@]}" '[plugin:apikeys]' 'key_prefix = acme_'
run -c "$TMP/acme.ini" --json action settings/api-key enable
ACME=$(json_get 'j["secret"]')
printf 'key: %s\n' "$ACME" >"$TMP/scan/acme.yml"
sed 's/sak_/acme_/' "$RULE" >"$TMP/acme-rule.json"
scan "$TMP/acme-rule.json" acme.yml
check '[[ "$ACME" =~ ^acme_ ]] && [ "$RC" = 1 ]' "with key_prefix = acme_ the rule with acme_ finds its keys"
check '[ "$(is_well_formed "$ACME" acme_)" = True ]' "the checksum function takes the prefix"
scan "$RULE" acme.yml
check '[ "$RC" = 0 ]' "the sak_ rule does not report an acme_ key"
