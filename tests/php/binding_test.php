<?php
// binding_test.php - the PHP binding's tests (plain PHP assertions): every method of Panel\Host on a config
// with the API Keys plugin and the `good` fixture, the refusals returned as values (permission, validation,
// confirmation, not found), the one-time secret returned once, the process-wide host reused across open()
// calls and reopened after closeProcess(), a change made by the CLI seen at the next open(), the static
// authenticateRequest() answering as authenticate() (and opening a fresh process's host itself), and the
// PanelException cases (missing library, bad config, a plugin of another ABI major) in child PHP processes;
// ABI 1.1: tables of records, row actions run with a record, the created record, choice labels and
// availability (the `abi11` fixture), and API Keys' named keys (create-key, edit, reset-key with grace,
// revoke) through the binding.
// Prints "PASS: ..." / "FAIL: ..." lines and "N passed, N failed"; exits 1 when anything failed.
// Environment: PANEL_TEST_DIR (a scratch folder), PANEL_TEST_PLUGIN (apikeys.so), PANEL_TEST_FIXTURES (folder
// of the fixture .so files), PANEL_TEST_SAMPLE_HOST (the sample host, for the CLI change), PANEL_TEST_CHILD_PHP
// (the php command line for the exception cases, without the preload setup).
declare(strict_types=1);

use Panel\Host;
use Panel\PanelException;

$passed = 0;
$failed = 0;

function check(bool $ok, string $what, string $detail = ''): void
{
    global $passed, $failed;
    if ($ok) {
        $passed++;
        echo "PASS: $what\n";
    } else {
        $failed++;
        echo "FAIL: $what\n" . ($detail !== '' ? "  $detail\n" : '');
    }
}

function env(string $name): string
{
    $value = getenv($name);
    if (!is_string($value) || $value === '') {
        fwrite(STDERR, "binding_test.php: set $name\n");
        exit(2);
    }
    return $value;
}

function write_config(string $path, string $plugins): void
{
    $dir = dirname($path);
    file_put_contents($path, "[host]\ndata_dir = $dir/data\nplugins = $plugins\nstore_name = Test Store\ncurrency = EUR\n"
        . "api_scopes = store.read: Read the store; deliveries.pull: Pull deliveries; deliveries.ack: Ack deliveries\n"
        . "[role:owner]\npermissions = *\n[role:support]\npermissions = orders.*, support.*\n"
        . "[role:fixtures]\npermissions = fixture.*\n"
        . "[user:admin]\nrole = owner\n[user:helpdesk]\nrole = support\n[user:tester]\nrole = fixtures\n");
    chmod($path, 0600);
}

/** Runs a PHP snippet in a child process (without the preload setup); returns its output. */
function child_php(string $code, array $env = []): string
{
    $prefix = '';
    foreach ($env as $k => $v) {
        $prefix .= $k . '=' . escapeshellarg($v) . ' ';
    }
    $cmd = $prefix . env('PANEL_TEST_CHILD_PHP') . ' -r ' . escapeshellarg(
        'require ' . var_export(__DIR__ . '/../../bindings/php/autoload.php', true) . ';' . $code) . ' 2>&1';
    return (string)shell_exec($cmd);
}

$dir = env('PANEL_TEST_DIR');
$plugin = env('PANEL_TEST_PLUGIN');
$fixtures = env('PANEL_TEST_FIXTURES');
$config = "$dir/a/panel.ini";
@mkdir("$dir/a", 0700, true);
write_config($config, "$plugin $fixtures/good.so");

// ----- the declarations match the ABI 1.2 layouts of plugin.h -----
check(class_exists(Host::class, false), 'the preload setup compiled Panel\Host (no autoloading needed)');
$scope = FFI::scope('panel');
$sizes = ['panel_caller_t' => 64, 'panel_menu_entry_t' => 48, 'panel_page_t' => 48, 'panel_field_t' => 72,
    'panel_table_t' => 56, 'panel_param_t' => 64, 'panel_result_t' => 56, 'panel_action_t' => 88];
$wrong = [];
foreach ($sizes as $type => $size) {
    if (FFI::sizeof($scope->type($type)) !== $size) {
        $wrong[] = "$type " . FFI::sizeof($scope->type($type)) . " != $size";
    }
}
check($wrong === [], 'panel.h declares the ABI 1.2 struct sizes plugin.h asserts', implode('; ', $wrong));

// ----- open, config, menu -----
$host = Host::open($config);
check($host->config('host', 'store_name') === 'Test Store' && $host->config('host', 'nope') === null,
    'config() reads panel.ini values (null when unset)');
check($host->dataDir() === realpath("$dir/a/data"), 'dataDir() is the resolved data directory', $host->dataDir());
$menu = $host->menu('admin');
check(in_array(['path' => 'Settings > API Key', 'page' => 'settings/api-key'], $menu, true)
    && in_array(['path' => 'Tools > Good Fixture', 'page' => 'fixture/good'], $menu, true),
    'menu() lists the entries with path and page', json_encode($menu));
check($host->menu('helpdesk') === [], 'a user without the permissions sees no menu entry', json_encode($host->menu('helpdesk')));
check($host->menu('nosuchuser') === [], 'an unknown user sees no menu');

// ----- page -----
$page = $host->page('admin', 'fixture/good');
check(($page['ok'] ?? null) === true && $page['title'] === 'Good Fixture', 'page() gives the title', json_encode($page));
check(isset($page['description']) || array_key_exists('description', $page), 'page() has a description key');
check(($page['status'][0] ?? null) === ['Calls', '1'], 'page() gives status lines as [label, value]', json_encode($page['status'] ?? null));
$fieldIds = array_column($page['fields'] ?? [], 'id');
check($fieldIds === ['text', 'calls', 'enabled'], 'page() lists the fields in order', json_encode($fieldIds));
$text = $page['fields'][0] ?? [];
check(($text['value'] ?? null) === 'hello' && $text['type'] === 'text' && $text['help'] === 'Any text',
    'a field carries its value, type and help', json_encode($text));
$toggle = $page['fields'][2] ?? [];
check(($toggle['dangerous'] ?? null) === true && is_string($toggle['confirm']) && $toggle['confirm'] !== '',
    'a dangerous field carries its confirmation text', json_encode($toggle));
$table = $page['tables'][0] ?? [];
check(($table['id'] ?? null) === 'log' && count($table['columns']) === 2 && count($table['rows']) > 0,
    'page() gives tables with columns and their first rows', json_encode($table));
$wipe = null;
foreach ($page['actions'] ?? [] as $a) {
    if ($a['id'] === 'wipe') {
        $wipe = $a;
    }
}
check($wipe !== null && $wipe['dangerous'] === true && $wipe['confirm'] !== null
    && ($wipe['params'][0]['type'] ?? null) === 'enum' && is_array($wipe['params'][0]['choices']),
    'page() gives actions with confirmation text and parameters (enum choices)', json_encode($wipe));
$denied = $host->page('helpdesk', 'fixture/good');
check(Host::refused($denied) && $denied['code'] === 'denied' && $denied['message'] !== '',
    'page() for a user without the permission is a refusal "denied"', json_encode($denied));
$missing = $host->page('admin', 'no/such-page');
check(Host::refused($missing) && $missing['code'] === 'not_found', 'an unknown page is a refusal "not_found"', json_encode($missing));
$ghost = $host->page('nosuchuser', 'fixture/good');
check(Host::refused($ghost) && $ghost['code'] === 'not_found', 'an unknown user is a refusal "not_found"', json_encode($ghost));

// ----- actions -----
$r = $host->action('admin', 'fixture/good', 'wipe', ['mode' => '0']);
check($r['ok'] === false && $r['code'] === 'confirm' && $r['message'] === $wipe['confirm'] && $r['secret'] === null,
    'a dangerous action without confirmed: true is refused with its confirmation text', json_encode($r));
$r = $host->action('admin', 'fixture/good', 'wipe', ['mode' => '24h', 'note' => 'n'], confirmed: true, clientAddr: '203.0.113.5');
check($r['ok'] === true && $r['code'] === null && str_contains($r['message'], 'mode 24h')
    && $r['secret'] === 'fixture-secret-24h', 'a confirmed action runs and hands over its secret', json_encode($r));
$r = $host->action('admin', 'fixture/good', 'wipe', ['mode' => 'nosuch'], confirmed: true);
check($r['ok'] === false && $r['code'] === 'invalid' && $r['secret'] === null, 'a value outside the enum is refused "invalid"', json_encode($r));
$r = $host->action('admin', 'fixture/good', 'echo', []);
check($r['ok'] === false && $r['code'] === 'invalid', 'a missing required parameter is refused "invalid"', json_encode($r));
$r = $host->action('admin', 'fixture/good', 'echo', ['text' => 'hi', 'bogus' => 'x']);
check($r['ok'] === false && $r['code'] === 'invalid', 'an unknown parameter is refused "invalid"', json_encode($r));
$r = $host->action('admin', 'fixture/good', 'echo', ['text' => 'héllo']);
check($r['ok'] === true && $r['message'] === 'echo: héllo' && $r['secret'] === null, 'an action without a secret gives secret null', json_encode($r));
$r = $host->action('helpdesk', 'fixture/good', 'echo', ['text' => 'hi']);
check($r['ok'] === false && $r['code'] === 'denied', 'an action without the permission is refused "denied"', json_encode($r));
$r = $host->action('admin', 'fixture/good', 'nosuch');
check($r['ok'] === false && $r['code'] === 'not_found', 'an unknown action is refused "not_found"', json_encode($r));

// ----- fields -----
$r = $host->setField('admin', 'fixture/good', 'text', 'trailing ');
check($r['ok'] === false && $r['code'] === 'invalid' && str_contains($r['message'], 'trailing space')
    && !array_key_exists('secret', $r), "setField() returns the validator's message (and no secret key)", json_encode($r));
$r = $host->setField('admin', 'fixture/good', 'text', "nul\0inside");
check($r['ok'] === false && $r['code'] === 'invalid', 'a value with a NUL byte reaches the validator whole (refused)', json_encode($r));
$r = $host->setField('admin', 'fixture/good', 'text', 'new text');
$after = $host->page('admin', 'fixture/good');
check($r['ok'] === true && $r['message'] === 'text saved by admin' && ($after['fields'][0]['value'] ?? null) === 'new text',
    'setField() stores the value', json_encode($r));
$r = $host->setField('admin', 'fixture/good', 'calls', '5');
check($r['ok'] === false && $r['code'] === 'invalid', 'a read-only field is refused "invalid"', json_encode($r));
$r = $host->setField('admin', 'fixture/good', 'enabled', '1');
check($r['ok'] === false && $r['code'] === 'confirm' && $r['message'] === $toggle['confirm'],
    'a dangerous field needs confirmed: true', json_encode($r));
$r = $host->setField('admin', 'fixture/good', 'enabled', '1', confirmed: true);
check($r['ok'] === true, 'a confirmed dangerous field is set', json_encode($r));
$r = $host->setField('helpdesk', 'fixture/good', 'text', 'x');
check($r['ok'] === false && $r['code'] === 'denied', 'setField() without the permission is refused "denied"', json_encode($r));

// ----- tables -----
$rows = $host->table('admin', 'fixture/good', 'log', offset: 1, limit: 2);
check($rows === [['4', 'event'], ['3', 'event']], 'table() gives rows with offset and limit', json_encode($rows));
$rows = $host->table('tester', 'fixture/good', 'log');
check(count($rows) === 5 && !Host::refused($rows), 'table() with the default limit gives every row', json_encode($rows));
$rows = $host->table('helpdesk', 'fixture/good', 'log');
check(Host::refused($rows) && $rows['code'] === 'denied', 'table() without the permission is a refusal', json_encode($rows));
$rows = $host->table('admin', 'fixture/good', 'log', offset: -1);
check(Host::refused($rows) && $rows['code'] === 'invalid', 'a negative offset is refused "invalid"', json_encode($rows));

// ----- authenticate (the fixture's provider, then API Keys) -----
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-Fixture' => 'letmein'], Host::ANY_SCOPE);
check($a === ['allowed' => true, 'status' => 200, 'error' => null, 'message' => null, 'retry_after' => 0,
    'principal' => 'fixture:good', 'label' => 'Good fixture', 'scopes' => ['fixture.read']],
    'authenticate() allows what a provider allows, with its principal, label and scopes', json_encode($a));
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-Fixture' => 'letmein'], 'fixture.write');
check($a['allowed'] === false && $a['status'] === 403 && $a['error'] === 'scope',
    "authenticate() hands the route's scope to the providers: a credential without it gets 403", json_encode($a));
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-Fixture' => 'letmein'], '');
check($a['allowed'] === false && $a['status'] === 400 && str_contains((string)$a['message'], 'scope'),
    'authenticate() with an empty scope is a 400 naming the missing scope', json_encode($a));
try {
    $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-Fixture' => 'letmein']);
    check(false, 'authenticate() without a scope does not run');
} catch (\ArgumentCountError $e) {
    check(true, 'authenticate() without a scope does not run (the scope has no default)');
}
try {
    Host::authenticateRequest($config, 'GET', '/api/v1/ping', '203.0.113.5', ['X-Fixture' => 'letmein']);
    check(false, 'authenticateRequest() without a scope does not run');
} catch (\ArgumentCountError $e) {
    check(true, 'authenticateRequest() without a scope does not run (the scope has no default)');
}
$a = $host->authenticate('POST', '/api/v1/ping?x=1', '203.0.113.5', ['x-fixture' => ['nope']], Host::ANY_SCOPE);
check($a['allowed'] === false && $a['status'] === 401 && $a['error'] === 'fixture_denied' && $a['principal'] === null,
    "authenticate() returns a provider's denial (header names in any case, list values)", json_encode($a));
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-Fixture' => ['letmein', 'nope']], Host::ANY_SCOPE);
check($a['allowed'] === false && $a['status'] === 401, 'a header sent twice with different values is one joined value, refused', json_encode($a));
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', [], Host::ANY_SCOPE);
check($a['allowed'] === false && $a['status'] === 401 && $a['error'] === 'missing', 'no credential is 401 "missing"', json_encode($a));
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => "sak_\0x"], Host::ANY_SCOPE);
check($a['allowed'] === false && $a['status'] === 400 && $a['error'] === 'bad_request', 'a NUL byte in a header is 400', json_encode($a));

$enable = $host->action('admin', 'settings/api-key', 'enable', clientAddr: '203.0.113.5');
$key = (string)$enable['secret'];
check($enable['ok'] === true && str_starts_with($key, 'sak_') && strlen($key) === 53, 'enable hands over a new key once', $enable['message']);
$pageText = json_encode($host->page('admin', 'settings/api-key'));
check($key !== '' && !str_contains((string)$pageText, $key) && !str_contains($enable['message'], $key),
    'the key is nowhere in the page or in the message');
$again = $host->action('admin', 'settings/api-key', 'enable');
check($again['secret'] === null, 'enabling again reveals no key', json_encode($again));
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $key], Host::ANY_SCOPE);
check($a['allowed'] === true && $a['principal'] === 'apikeys:site', 'the new key is allowed', json_encode($a));
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['Authorization' => "Bearer $key"], Host::ANY_SCOPE);
check($a['allowed'] === true, 'the key is allowed as Authorization: Bearer', json_encode($a));
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => substr($key, 0, -1) . 'x'], Host::ANY_SCOPE);
check($a['allowed'] === false && $a['status'] === 401 && $a['error'] === 'malformed' && !str_contains((string)$a['message'], $key),
    'a mistyped key is 401 "malformed" and the message does not echo it', json_encode($a));
$reset = $host->action('admin', 'settings/api-key', 'reset', ['grace' => '0'], confirmed: true, clientAddr: '203.0.113.5');
$newKey = (string)$reset['secret'];
check($reset['ok'] === true && $newKey !== '' && $newKey !== $key, 'a confirmed reset hands over a new key', $reset['message']);
$old = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $key], Host::ANY_SCOPE);
$new = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $newKey], Host::ANY_SCOPE);
check($old['status'] === 401 && $old['error'] === 'unknown' && $new['allowed'] === true, 'after the reset: old key 401, new key 200',
    json_encode([$old, $new]));
$s = Host::authenticateRequest($config, 'GET', '/api/v1/ping?x=1', '203.0.113.5', ['X-API-Key' => $newKey], Host::ANY_SCOPE);
check($s === $new, 'authenticateRequest() allows as authenticate() does, without a Host object', json_encode($s));
$s = Host::authenticateRequest($config, 'GET', '/api/v1/ping', '203.0.113.5', ['x-api-key' => [$key]], Host::ANY_SCOPE);
check($s === $old, 'authenticateRequest() denies as authenticate() does (any case, list values)', json_encode($s));
try {
    Host::authenticateRequest("$config\0.bak", 'GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $newKey], Host::ANY_SCOPE);
    check(false, 'authenticateRequest() refuses a config path with a NUL byte');
} catch (PanelException $e) {
    check(str_contains($e->getMessage(), 'NUL'), 'authenticateRequest() refuses a config path with a NUL byte', $e->getMessage());
}
$r = $host->setField('admin', 'settings/api-key', 'api_key', $newKey . "\n", confirmed: true);
check($r['ok'] === false && $r['code'] === 'invalid' && !str_contains($r['message'], $newKey),
    'a pasted key with a line break is refused without echoing it', json_encode($r));
$audit = $host->table('admin', 'settings/api-key', 'audit', offset: 0, limit: 50);
check(!Host::refused($audit) && count($audit) >= 2 && str_contains(implode(' ', array_merge(...$audit)), 'web 203.0.113.5'),
    'the audit table shows the actions with their web origin', json_encode(array_slice($audit, 0, 2)));
// ----- ABI 1.1: records and row actions (the abi11 fixture, on a config of its own) -----
@mkdir("$dir/d", 0700, true);
write_config("$dir/d/panel.ini", "$fixtures/abi11.so");
file_put_contents("$dir/d/panel.ini", "[plugin:abi11]\ncase = good\n", FILE_APPEND);
$h11 = Host::open("$dir/d/panel.ini");
$p11 = $h11->page('tester', 'abi11/page');
$byId = static fn(array $list): array => array_column($list, null, 'id');
$t11 = $byId($p11['tables'] ?? []);
$a11 = $byId($p11['actions'] ?? []);
check(($t11['rows']['row_id_column'] ?? null) === 'Id' && $t11['rows']['row_id_index'] === 0
    && $t11['rows']['row_actions'] === ['drop'] && $t11['rows']['rows'][0][0] === 'k1',
    "page() names a records table's row-id column (title and index) and its row actions", json_encode($t11['rows'] ?? null));
check(array_key_exists('row_id_column', $table) && $table['row_id_column'] === null && $table['row_id_index'] === null
    && $table['row_actions'] === [] && array_key_exists('row_table', $wipe) && $wipe['row_table'] === null,
    "a 1.0 plugin's table has row_id_column null and no row actions, its actions row_table null", json_encode($table));
check(($a11['drop']['row_table'] ?? '') === 'rows' && $a11['drop']['available'] === null
    && array_key_exists('make', $a11) && $a11['make']['row_table'] === null && $a11['make']['available'] === true,
    'page() gives row_table (null for a page action) and page actions\' availability', json_encode([$a11['drop'] ?? null, $a11['make'] ?? null]));
$pick = $byId($a11['pick']['params'] ?? []);
check(($pick['scopes']['type'] ?? null) === 'list' && $pick['scopes']['choices'] === ['a', 'b', 'c']
    && $pick['scopes']['choice_labels'] === ['Alpha', 'Beta', 'Gamma'] && $pick['size']['choice_labels'] === ['small', 'medium', 'large']
    && $pick['cidrs']['choices'] === null && $pick['cidrs']['choice_labels'] === null,
    'parameters carry their type list and choice_labels (null without choices)', json_encode($pick));
$r = $h11->action('tester', 'abi11/page', 'drop', record: 'k1');
check($r['ok'] === true && $r['message'] === 'dropped k1' && $r['record'] === null, 'a row action runs with its record', json_encode($r));
$r = $h11->action('tester', 'abi11/page', 'drop');
check($r['ok'] === false && $r['code'] === 'invalid' && str_contains($r['message'], "acts on one row of table 'rows'")
    && $r['secret'] === null && $r['record'] === null, "a row action without a record is refused with the library's message", json_encode($r));
$r = $h11->action('tester', 'abi11/page', 'drop', record: 'k9');
check($r['ok'] === false && $r['code'] === 'not_found' && $r['message'] === 'no row k9', "an unknown record is the plugin's not_found", json_encode($r));
$r = $h11->action('tester', 'abi11/page', 'drop', record: 'has space');
check($r['ok'] === false && $r['code'] === 'invalid', 'a record id of another syntax is refused "invalid"', json_encode($r));
$r = $h11->action('tester', 'abi11/page', 'make', record: 'k1');
check($r['ok'] === false && $r['code'] === 'invalid' && str_contains($r['message'], 'page action'), 'a page action with a record is refused', json_encode($r));
$r = $h11->action('tester', 'abi11/page', 'make');
check($r['ok'] === true && $r['record'] === 'k3', "'record' names the record the action created", json_encode($r));
$r = $h11->action('tester', 'abi11/page', 'bad-record');
check($r['ok'] === true && $r['record'] === null, 'a created record id of another syntax is dropped', json_encode($r));
$r = $h11->action('tester', 'abi11/page', 'pick', ['scopes' => 'c, a', 'cidrs' => '', 'size' => 'l']);
check($r['ok'] === true && $r['message'] === 'scopes=[c,a] cidrs=[] size=[l]', 'a list parameter is passed in canonical form', json_encode($r));
$r = $h11->action('tester', 'abi11/page', 'pick', ['scopes' => 'a,zz']);
check($r['ok'] === false && $r['code'] === 'invalid', 'a list item outside the choices is refused "invalid"', json_encode($r));
check($h11->available('tester', 'abi11/page', 'drop', 'k1') === ['available' => true, 'reason' => null]
    && $h11->available('tester', 'abi11/page', 'drop', 'k2') === ['available' => false, 'reason' => 'k2 is locked'],
    "available() gives the plugin's answer per record, with its reason", json_encode($h11->available('tester', 'abi11/page', 'drop', 'k2')));
$u = $h11->available('tester', 'abi11/page', 'unsure');
check(($u['available'] ?? null) === true && is_string($u['reason']), 'when the plugin cannot tell, available() says available, with its message', json_encode($u));
$u = $h11->available('tester', 'abi11/page', 'drop');
check(Host::refused($u) && $u['code'] === 'invalid', 'available() of a row action without a record is a refusal', json_encode($u));
$u = $h11->available('helpdesk', 'abi11/page', 'make');
check(Host::refused($u) && $u['code'] === 'denied', 'available() without the permission is a refusal "denied"', json_encode($u));
$r = $h11->action('helpdesk', 'abi11/page', 'drop', record: 'k1');
check($r['ok'] === false && $r['code'] === 'denied', 'a row action without the permission is refused "denied"', json_encode($r));

// ----- API Keys' named keys: create-key (record), edit and reset-key with grace on it, revoke -----
$ak = $host->page('admin', 'settings/api-key');
$akTables = $byId($ak['tables'] ?? []);
$akActions = $byId($ak['actions'] ?? []);
check(isset($akTables['keys']),
    'the API Keys page has its named keys table (the process host gives plugins the [host] api_scopes catalogue)',
    'tables: ' . json_encode(array_keys($akTables)) . ' - libpanelhost\'s panelhost_process_open must set the scope catalogue of [host] api_scopes before loading, as the sample host does');
if (isset($akTables['keys'])) {
    check($akTables['keys']['row_id_column'] === 'ID' && $akTables['keys']['row_id_index'] === 0
        && $akTables['keys']['row_actions'] === ['revoke', 'reset-key', 'edit'] && $akTables['audit']['row_id_column'] === null,
        'page() names the keys table\'s ID column and its row actions revoke, reset-key, edit', json_encode($akTables['keys']));
    check(array_key_exists('row_table', $akActions['create-key'] ?? []) && $akActions['create-key']['row_table'] === null && $akActions['revoke']['row_table'] === 'keys'
        && $akActions['reset-key']['row_table'] === 'keys' && $akActions['edit']['row_table'] === 'keys'
        && $akActions['revoke']['dangerous'] === true, 'create-key is a page action, revoke/reset-key/edit row actions of keys',
        json_encode(array_map(static fn($a) => $a['row_table'], $akActions)));
    $ckParams = $byId($akActions['create-key']['params']);
    check($ckParams['scopes']['type'] === 'list' && in_array('store.read', $ckParams['scopes']['choices'], true)
        && count($ckParams['expires']['choice_labels'] ?? []) === count($ckParams['expires']['choices']),
        "create-key's scopes are a list of the catalogue's scopes, its expiry choices have labels", json_encode($ckParams));
    $created = $host->action('admin', 'settings/api-key', 'create-key', ['label' => 'Minecraft server',
        'scopes' => 'store.read,deliveries.pull', 'expires' => '90d', 'allowed_ips' => '', 'rate_limit' => '0'],
        clientAddr: '203.0.113.5');
    $id = (string)$created['record'];
    $named = (string)$created['secret'];
    check($created['ok'] === true && preg_match('/^[0-9]+$/', $id) === 1 && str_starts_with($named, 'sak_')
        && !str_contains($created['message'], $named), "create-key returns the new key's record id and its value once", json_encode($created['message']));
    $keyRows = $host->table('admin', 'settings/api-key', 'keys');
    $row = array_values(array_filter($keyRows, static fn($r) => $r[0] === $id))[0] ?? [];
    check(($row[1] ?? null) === 'Minecraft server' && str_contains($row[2] ?? '', 'deliveries.pull')
        && !str_contains(json_encode($keyRows), $named), 'the keys table lists the new key by its record id (never its value)', json_encode($row));
    $a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $named], Host::ANY_SCOPE);
    check($a['allowed'] === true && $a['principal'] === "apikeys:key:$id", 'the named key is allowed as its own principal', json_encode($a));
    // the route's scope: one the key holds lets it in, another is refused with 403 scope naming it
    $a = $host->authenticate('GET', '/api/v1/store', '203.0.113.5', ['X-API-Key' => $named], scope: 'store.read');
    check($a['allowed'] === true, 'authenticate(scope: store.read) lets in a named key that holds it', json_encode($a));
    $a = $host->authenticate('POST', '/api/v1/deliveries/ack', '203.0.113.5', ['X-API-Key' => $named], scope: 'deliveries.ack');
    check($a['allowed'] === false && $a['status'] === 403 && $a['error'] === 'scope' && str_contains((string)$a['message'], 'deliveries.ack'),
        'authenticate(scope: deliveries.ack) refuses a named key without it: 403 scope, naming the scope', json_encode($a));
    $a = Host::authenticateRequest($config, 'POST', '/api/v1/deliveries/ack', '203.0.113.5', ['X-API-Key' => $named], 'deliveries.ack');
    check($a['allowed'] === false && $a['error'] === 'scope', 'authenticateRequest() with a scope refuses it the same way', json_encode($a));
    $a = Host::authenticateRequest($config, 'GET', '/api/v1/whoami', '203.0.113.5', ['X-API-Key' => $named], Host::ANY_SCOPE);
    check($a['allowed'] === true && $a['principal'] === "apikeys:key:$id" && $a['label'] === 'Minecraft server'
        && in_array('deliveries.pull', $a['scopes'], true), 'authenticateRequest(ANY_SCOPE) lets the named key in, with its label and scopes', json_encode($a));
    check($host->available('admin', 'settings/api-key', 'revoke', $id) === ['available' => true, 'reason' => null],
        'available() says revoke is available for the new key');
    $r = $host->action('admin', 'settings/api-key', 'edit', ['label' => 'Minecraft', 'scopes' => 'store.read',
        'allowed_ips' => 'any', 'rate_limit' => 'keep'], record: $id);
    $row = array_values(array_filter($host->table('admin', 'settings/api-key', 'keys'), static fn($r) => $r[0] === $id))[0] ?? [];
    check($r['ok'] === true && $r['secret'] === null && ($row[1] ?? null) === 'Minecraft' && ($row[2] ?? null) === 'store.read',
        'edit with the record changes the label and scopes', json_encode([$r, $row]));
    $r = $host->action('admin', 'settings/api-key', 'edit', ['label' => 'x'], record: '999999');
    check($r['ok'] === false && $r['code'] === 'not_found', "edit of an unknown record is the plugin's not_found", json_encode($r));
    $r = $host->action('admin', 'settings/api-key', 'reset-key', ['grace' => '1h'], record: $id);
    check($r['ok'] === false && $r['code'] === 'confirm' && $r['message'] === $akActions['reset-key']['confirm'] && $r['secret'] === null,
        'reset-key without confirmed: true is refused with its confirmation text', json_encode($r));
    $r = $host->action('admin', 'settings/api-key', 'reset-key', ['grace' => '1h'], confirmed: true, record: $id);
    $rolled = (string)$r['secret'];
    $old = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $named], Host::ANY_SCOPE);
    $new = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $rolled], Host::ANY_SCOPE);
    check($r['ok'] === true && str_starts_with($rolled, 'sak_') && $rolled !== $named && $old['allowed'] === true
        && $new['allowed'] === true, 'reset-key with grace 1h on the record: a new value once, the old one still works',
        json_encode([$r['message'], $old, $new]));
    $r = $host->action('admin', 'settings/api-key', 'revoke', confirmed: true);
    check($r['ok'] === false && $r['code'] === 'invalid' && str_contains($r['message'], "acts on one row of table 'keys'"),
        "revoke without a record is refused with the library's message", json_encode($r));
    $r = $host->action('admin', 'settings/api-key', 'revoke', confirmed: true, record: $id);
    $old = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $named], Host::ANY_SCOPE);
    $new = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $rolled], Host::ANY_SCOPE);
    $left = array_filter($host->table('admin', 'settings/api-key', 'keys'), static fn($r) => $r[0] === $id);
    check($r['ok'] === true && $old['status'] === 401 && $new['status'] === 401 && $left === [],
        'revoke with the record: both values get 401, the key leaves the table', json_encode([$r, $old, $new]));
}

$disable = $host->action('admin', 'settings/api-key', 'disable');
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $newKey], Host::ANY_SCOPE);
check($disable['ok'] === true && $a['status'] === 403 && $a['error'] === 'disabled', 'after disable the key gets 403', json_encode($a));

// ----- the process-wide host -----
$calls = static fn(Host $h): string => (string)($h->page('admin', 'fixture/good')['fields'][1]['value'] ?? '');
$before = (int)$calls($host);
$same = Host::open($config);
check((int)$calls($same) > $before, 'open() again returns the same loaded host (the plugin state carries on)');
Host::closeProcess();
$fresh = Host::open($config);
check((int)$calls($fresh) <= 2, 'after closeProcess() the next open() loads the plugins afresh', $calls($fresh));
$sample = env('PANEL_TEST_SAMPLE_HOST');
exec(escapeshellarg($sample) . ' -c ' . escapeshellarg($config) . ' extension disable good --yes 2>&1', $out, $rc);
$later = Host::open($config);
$p = $later->page('admin', 'fixture/good');
$fixtureAuth = $later->authenticate('GET', '/api/v1/ping', '::1', ['X-Fixture' => 'letmein'], Host::ANY_SCOPE);
check($rc === 0 && Host::refused($p) && $p['code'] === 'not_found' && $fixtureAuth['allowed'] === false,
    'an extension disabled from the CLI is gone at the next open()', implode("\n", $out) . json_encode($p));
exec(escapeshellarg($sample) . ' -c ' . escapeshellarg($config) . ' extension enable good 2>&1', $out, $rc);
check(($Host = Host::open($config))->page('admin', 'fixture/good')['ok'] === true, 'enabled again, it is back at the next open()');

// ----- what a developer must fix: exceptions -----
try {
    Host::open("$dir/no-such/panel.ini");
    check(false, 'a missing config throws PanelException');
} catch (PanelException $e) {
    check(str_contains($e->getMessage(), 'no-such/panel.ini') && $e->getCode() < 0,
        'a missing config throws PanelException naming the file, with the library status', $e->getMessage());
}
@mkdir("$dir/b", 0700, true);
write_config("$dir/b/panel.ini", "$fixtures/good.so $fixtures/wrong_major.so");
try {
    Host::open("$dir/b/panel.ini");
    check(false, 'a plugin of another ABI major throws PanelException');
} catch (PanelException $e) {
    check(str_contains($e->getMessage(), 'wrong_major.so') && str_contains($e->getMessage(), 'ABI 2.0'),
        "a plugin of another ABI major throws PanelException with the loader's message", $e->getMessage());
}
@mkdir("$dir/c", 0700, true);
write_config("$dir/c/panel.ini", "$fixtures/good.so");
chmod("$dir/c/panel.ini", 0666);
try {
    Host::open("$dir/c/panel.ini");
    check(false, 'a config others may write throws PanelException');
} catch (PanelException $e) {
    check(str_contains($e->getMessage(), 'panel.ini'), 'a config others may write throws PanelException', $e->getMessage());
}
$text = child_php('try { Panel\Host::open("/x"); echo "opened"; } catch (Panel\PanelException $e) { echo "E:", $e->getMessage(); }',
    ['PANEL_LIBRARY' => "$dir/no-such-libpanelhost.so.2"]);
check(str_starts_with($text, 'E:cannot load libpanelhost') && str_contains($text, 'PANEL_LIBRARY'),
    'a missing library throws PanelException saying how to provide it', $text);
$text = child_php('try { Panel\Host::open(' . var_export($config, true) . '); echo "opened"; } catch (Panel\PanelException $e) { echo "E:", $e->getMessage(); }');
check($text === 'opened', 'without the preload setup (command line) the binding declares the library itself', $text);
$text = child_php('echo json_encode(Panel\Host::authenticateRequest(' . var_export($config, true)
    . ', "GET", "/api/v1/ping", "::1", ["X-Fixture" => "letmein"], Panel\Host::ANY_SCOPE));');
check($text === '{"allowed":true,"status":200,"error":null,"message":null,"retry_after":0,"principal":"fixture:good",'
    . '"label":"Good fixture","scopes":["fixture.read"]}',
    "a process's first authenticateRequest() opens its host, then answers", $text);
try {
    Host::authenticateRequest("$dir/no-such/panel.ini", 'GET', '/api/v1/ping', '::1', [], Host::ANY_SCOPE);
    check(false, 'authenticateRequest() on a missing config throws PanelException');
} catch (PanelException $e) {
    check(str_contains($e->getMessage(), 'no-such/panel.ini'), 'authenticateRequest() on a missing config throws PanelException as open() does',
        $e->getMessage());
}

echo "$passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
