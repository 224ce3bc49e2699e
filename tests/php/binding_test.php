<?php
// binding_test.php - the PHP binding's tests (plain PHP assertions): every method of Panel\Host on a config
// with the API Keys plugin and the `good` fixture, the refusals returned as values (permission, validation,
// confirmation, not found), the one-time secret returned once, the process-wide host reused across open()
// calls and reopened after closeProcess(), a change made by the CLI seen at the next open(), the static
// authenticateRequest() answering as authenticate() (and opening a fresh process's host itself), and the
// PanelException cases (missing library, bad config, a plugin of another ABI major) in child PHP processes.
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

// ----- the declarations match the ABI 1.0 layouts of plugin.h -----
check(class_exists(Host::class, false), 'the preload setup compiled Panel\Host (no autoloading needed)');
$scope = FFI::scope('panel');
$sizes = ['panel_caller_t' => 64, 'panel_menu_entry_t' => 48, 'panel_page_t' => 48, 'panel_field_t' => 72,
    'panel_table_t' => 48, 'panel_param_t' => 56, 'panel_result_t' => 40, 'panel_action_t' => 72,
    'panelhost_auth_outcome_t' => 360];
$wrong = [];
foreach ($sizes as $type => $size) {
    if (FFI::sizeof($scope->type($type)) !== $size) {
        $wrong[] = "$type " . FFI::sizeof($scope->type($type)) . " != $size";
    }
}
check($wrong === [], 'panel.h declares the ABI 1.0 struct sizes plugin.h asserts', implode('; ', $wrong));

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
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-Fixture' => 'letmein']);
check($a === ['allowed' => true, 'status' => 200, 'error' => null, 'message' => null, 'principal' => 'fixture:good'],
    'authenticate() allows what a provider allows, with its principal', json_encode($a));
$a = $host->authenticate('POST', '/api/v1/ping?x=1', '203.0.113.5', ['x-fixture' => ['nope']]);
check($a['allowed'] === false && $a['status'] === 401 && $a['error'] === 'fixture_denied' && $a['principal'] === null,
    "authenticate() returns a provider's denial (header names in any case, list values)", json_encode($a));
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', []);
check($a['allowed'] === false && $a['status'] === 401 && $a['error'] === 'missing', 'no credential is 401 "missing"', json_encode($a));
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => "sak_\0x"]);
check($a['allowed'] === false && $a['status'] === 400 && $a['error'] === 'bad_request', 'a NUL byte in a header is 400', json_encode($a));

$enable = $host->action('admin', 'settings/api-key', 'enable', clientAddr: '203.0.113.5');
$key = (string)$enable['secret'];
check($enable['ok'] === true && str_starts_with($key, 'sak_') && strlen($key) === 53, 'enable hands over a new key once', $enable['message']);
$pageText = json_encode($host->page('admin', 'settings/api-key'));
check($key !== '' && !str_contains((string)$pageText, $key) && !str_contains($enable['message'], $key),
    'the key is nowhere in the page or in the message');
$again = $host->action('admin', 'settings/api-key', 'enable');
check($again['secret'] === null, 'enabling again reveals no key', json_encode($again));
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $key]);
check($a['allowed'] === true && $a['principal'] === 'apikeys:site', 'the new key is allowed', json_encode($a));
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['Authorization' => "Bearer $key"]);
check($a['allowed'] === true, 'the key is allowed as Authorization: Bearer', json_encode($a));
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => substr($key, 0, -1) . 'x']);
check($a['allowed'] === false && $a['status'] === 401 && $a['error'] === 'malformed' && !str_contains((string)$a['message'], $key),
    'a mistyped key is 401 "malformed" and the message does not echo it', json_encode($a));
$reset = $host->action('admin', 'settings/api-key', 'reset', ['grace' => '0'], confirmed: true, clientAddr: '203.0.113.5');
$newKey = (string)$reset['secret'];
check($reset['ok'] === true && $newKey !== '' && $newKey !== $key, 'a confirmed reset hands over a new key', $reset['message']);
$old = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $key]);
$new = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $newKey]);
check($old['status'] === 401 && $old['error'] === 'unknown' && $new['allowed'] === true, 'after the reset: old key 401, new key 200',
    json_encode([$old, $new]));
$s = Host::authenticateRequest($config, 'GET', '/api/v1/ping?x=1', '203.0.113.5', ['X-API-Key' => $newKey]);
check($s === $new, 'authenticateRequest() allows as authenticate() does, without a Host object', json_encode($s));
$s = Host::authenticateRequest($config, 'GET', '/api/v1/ping', '203.0.113.5', ['x-api-key' => [$key]]);
check($s === $old, 'authenticateRequest() denies as authenticate() does (any case, list values)', json_encode($s));
try {
    Host::authenticateRequest("$config\0.bak", 'GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $newKey]);
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
$disable = $host->action('admin', 'settings/api-key', 'disable');
$a = $host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => $newKey]);
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
$fixtureAuth = $later->authenticate('GET', '/api/v1/ping', '::1', ['X-Fixture' => 'letmein']);
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
    ['PANEL_LIBRARY' => "$dir/no-such-libpanelhost.so.1"]);
check(str_starts_with($text, 'E:cannot load libpanelhost') && str_contains($text, 'PANEL_LIBRARY'),
    'a missing library throws PanelException saying how to provide it', $text);
$text = child_php('try { Panel\Host::open(' . var_export($config, true) . '); echo "opened"; } catch (Panel\PanelException $e) { echo "E:", $e->getMessage(); }');
check($text === 'opened', 'without the preload setup (command line) the binding declares the library itself', $text);
$text = child_php('echo json_encode(Panel\Host::authenticateRequest(' . var_export($config, true)
    . ', "GET", "/api/v1/ping", "::1", ["X-Fixture" => "letmein"]));');
check($text === '{"allowed":true,"status":200,"error":null,"message":null,"principal":"fixture:good"}',
    "a process's first authenticateRequest() opens its host, then answers", $text);
try {
    Host::authenticateRequest("$dir/no-such/panel.ini", 'GET', '/api/v1/ping', '::1', []);
    check(false, 'authenticateRequest() on a missing config throws PanelException');
} catch (PanelException $e) {
    check(str_contains($e->getMessage(), 'no-such/panel.ini'), 'authenticateRequest() on a missing config throws PanelException as open() does',
        $e->getMessage());
}

echo "$passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
