<?php

// Host.php - Panel\Host: a panel.ini's libpanelhost host seen from PHP. open() returns the process-wide host
// (panelhost_process_open: a php-fpm worker opens it and loads its plugins on its first request and reuses it
// for every later one; a later request's open() finds it with one FFI call, panelhost_process_host). This file
// holds the admin side: menu(), page(), table(), action(), available() and setField(), with the library's
// permission checks and the plugin's own messages (ABI 1.1: tables of records, row actions run with
// action(..., record:), the record an action created). authenticate() and the static authenticateRequest()
// (the API side, trait Authentication) ask the plugins' auth providers for a route's scope in one FFI call;
// reading a page's descriptors into arrays is trait Descriptors. Refusals are returned as values with the
// library's code and message; PanelException is only for what a developer must fix.
declare(strict_types=1);

namespace Panel;

use FFI;
use FFI\CData;

// resolved when compiled (no namespace fallback looked up on each request; strlen, is_string and count become
// single opcodes): open() runs on every request of a php-fpm worker
use function count;
use function implode;
use function is_string;
use function str_contains;
use function strlen;

final class Host
{
    use Authentication;
    use LeakReport;
    use Descriptors;

    /** The scope of a route that every valid key may call (ping, whoami): PANEL_SCOPE_NONE of host.h. */
    public const ANY_SCOPE = '*';

    /** The PANEL_E_* statuses of include/panel/plugin.h, as the 'code' of a refusal. */
    private const CODES = [
        -1 => 'invalid', -2 => 'denied', -3 => 'not_found', -4 => 'conflict', -5 => 'version', -6 => 'store',
        -7 => 'internal', -8 => 'nomem', -9 => 'confirm', -10 => 'state', -11 => 'unavailable',
    ];
    private const FIELD_TYPES = [1 => 'toggle', 2 => 'text', 3 => 'secret', 4 => 'readonly'];
    private const PARAM_TYPES = [1 => 'text', 2 => 'enum', 3 => 'list'];
    private const FLAG_DANGEROUS = 0x1;
    private const ORIGIN_CLI = 1;
    private const ORIGIN_WEB = 2;
    private const CLOSE_AT_EXIT = 0x1;       // PANELHOST_PROCESS_CLOSE_AT_EXIT
    private const VALUE_MAX = 4096;          // PANEL_VALUE_MAX
    private const SECRET_MAX = 256;          // PANEL_SECRET_MAX
    private const RECORD_MAX = 65;           // PANEL_RECORD_ID_MAX + 1
    private const REASON_MAX = 512;
    private const E_STATE = -10;             // PANEL_E_STATE
    private const MESSAGE_MAX = 4096;
    private const ERR_MAX = 1024;
    private const MENU_MAX = 256;
    private const TABLE_ROWS_DEFAULT = 20;   // rows page() shows of a table whose page_rows is 0
    private const TABLE_SIZE_1_3 = 80;       // sizeof(panel_table_t) since ABI 1.3: the time-series fields
    private const PAGE_SIZE_1_3 = 56;        // sizeof(panel_page_t) since ABI 1.3: status_summary_lines
    private const SERIES_STACKED = 0x1;      // PANEL_SERIES_STACKED

    /** The panelhost_t *, or null until the first admin call looks it up (host()). */
    private ?CData $handle = null;

    private function __construct(private readonly FFI $ffi, private readonly string $configPath)
    {
    }

    /**
     * The host of this config for this process: opened (and its enabled plugins loaded) on the first call in
     * a worker, the same one afterwards; changes other processes made to the enabled extensions are applied.
     * Throws PanelException when the config or data directory is refused, an enabled plugin does not load
     * (e.g. built for another ABI major), or libpanelhost cannot be loaded.
     */
    public static function open(string $configPath): self
    {
        try {
            $ffi = FFI::scope('panel'); // the preload setup (Native::ffi() says so, or declares it, otherwise)
        } catch (\Throwable) {
            $ffi = Native::ffi($configPath);
        }
        // Every request after a worker's first: one lookup by the path (a string compare, a mutex and one atomic
        // load in the library), which also applies the extension changes other processes made.
        if (!str_contains($configPath, "\0")) {
            $handle = $ffi->panelhost_process_host($configPath);
            if ($handle !== null) {
                $host = new self($ffi, $configPath);
                $host->handle = $handle;
                return $host;
            }
        }
        return self::openFirst($ffi, $configPath);
    }

    /** The worker's first open of configPath (or its failure, with the library's message). */
    private static function openFirst(FFI $ffi, string $configPath): self
    {
        if (str_contains($configPath, "\0")) {
            throw new PanelException('the config path contains a NUL byte');
        }
        $out = $ffi->new('panelhost_t*[1]');
        $err = $ffi->new('char[' . self::ERR_MAX . ']');
        $rc = $ffi->panelhost_process_open($configPath, self::CLOSE_AT_EXIT, $out, $err, self::ERR_MAX);
        if ($rc !== 0) {
            $message = FFI::string($err);
            $message = $message !== '' ? $message : "cannot open the host of $configPath (status $rc)";
            throw new PanelException($message, $rc);
        }
        $host = new self($ffi, $configPath);
        $host->handle = $out[0];
        return $host;
    }

    /**
     * Closes the process-wide hosts (their plugins run fini) - e.g. in a long-running worker before it exits
     * or re-reads its config. A worker that simply exits needs no call: the library closes them at exit.
     * Any Host object of this process must not be used afterwards; the next open() opens afresh.
     */
    public static function closeProcess(): void
    {
        Native::ffi()->panelhost_process_close();
    }

    /** True for what page(), table(), action() and setField() return when the request was refused. */
    public static function refused(array $result): bool
    {
        return array_key_exists('ok', $result) && $result['ok'] === false;
    }

    /** A value of the config ([section] key = value), or null when unset. */
    public function config(string $section, string $key): ?string
    {
        if (str_contains($section . $key, "\0")) {
            return null;
        }
        return $this->ffi->panelhost_config_get($this->host(), $section, $key);
    }

    /** The resolved data directory. */
    public function dataDir(): string
    {
        return (string)$this->ffi->panelhost_data_dir($this->host());
    }

    /**
     * The admin menu `user` may see: [['path' => 'Settings > API Key', 'page' => 'settings/api-key'], ...],
     * sorted as the library sorts it. An unknown user sees nothing.
     */
    public function menu(string $user, ?string $clientAddr = null): array
    {
        $caller = $this->caller($user, false, $clientAddr);
        if (isset($caller['refusal'])) {
            return [];
        }
        $entries = $this->ffi->new('const panel_menu_entry_t*[' . self::MENU_MAX . ']');
        $n = min(
            $this->ffi->panelhost_menu($this->host(), FFI::addr($caller['caller']), $entries, self::MENU_MAX),
            self::MENU_MAX
        );
        $menu = [];
        for ($i = 0; $i < $n; $i++) {
            $menu[] = ['path' => self::str($entries[$i]->path), 'page' => self::str($entries[$i]->page_id)];
        }
        return $menu;
    }

    /**
     * The permission a page requires (e.g. 'settings.api_key'; the library refuses the page and everything on
     * it to a role without it), or null when there is no such page. Calls no plugin: for a framework's own
     * authorization (a Laravel gate) before page() runs the plugin's callbacks.
     */
    public function permission(string $pageId): ?string
    {
        if (str_contains($pageId, "\0")) {
            return null;
        }
        $page = $this->ffi->panelhost_page($this->host(), $pageId);
        return self::isNull($page) ? null : self::str($page->permission);
    }

    /** Whether a role of the config grants a permission ('*', 'prefix.*' or the exact name), as the library decides. */
    public function roleAllows(string $role, string $permission): bool
    {
        if (str_contains($role . $permission, "\0")) {
            return false;
        }
        return $this->ffi->panelhost_role_allows($this->host(), $role, $permission) === 1;
    }

    /**
     * Everything a template needs to render a page: ['ok' => true, 'id', 'title', 'description',
     * 'status' => [[label, value], ...], 'status_summary_lines' => int, 'fields' => [...], 'tables' => [...],
     * 'actions' => [...]]; or a refusal ['ok' => false, 'code' => 'denied'|'not_found'|..., 'message' => ...].
     * 'status_summary_lines' (ABI 1.3): 0 when every status line is for everyone, else how many leading lines are
     * the owner's summary; the lines after them are details a panel may fold behind "Details".
     * A field: ['id', 'label', 'type', 'value', 'error', 'help', 'dangerous', 'confirm', 'available' => bool,
     * 'reason' => ?string (why it cannot be set now: disable or hide the input and show this), 'note' => ?string
     * (the plugin's note on an available field)] (ABI 1.3 field availability; always available for older plugins).
     * A table: ['id', 'title', 'columns' => [titles], 'rows' => [[cells], ...], 'error' => ?string,
     * 'row_id_column' => ?string (the title of the column holding each row's record id; null when the rows are
     * not records), 'row_id_index' => ?int (that column's 0-based index, so a row's record id is
     * $row[$table['row_id_index']]), 'row_actions' => [ids of the actions offered per row], 'series' => null, or
     * for a time series a panel may draw (ABI 1.3) ['time_index', 'group_index' => ?int, 'series' => [column
     * index => title], 'stacked' => bool, 'unit' => ?string]].
     * An action: ['id', 'label', 'help', 'dangerous', 'confirm', 'params' => [...], 'row_table' => ?string (the
     * table whose rows it acts on: run it with action(..., record: $id); null for a page action), 'available'
     * => ?bool, 'reason' => ?string and 'note' => ?string (for a page action, whether it makes sense now and why
     * not, or the plugin's note beside an available action (ABI 1.3), as the plugin says, for rendering only;
     * null for a row action: ask available() per record)]. A parameter: ['id', 'label',
     * 'help', 'type' => 'text'|'enum'|'list', 'choices' => ?[values], 'choice_labels' => ?[labels, one per
     * choice, to show while sending the choice], 'default', 'required', 'edits_index' => ?int (a row action's
     * parameter: the index of the row's cell holding its current value, to fill the form from the row; ABI 1.3's
     * edits_column - 1, null when it names none)]. A list's value is its items joined by ','.
     */
    public function page(string $user, string $pageId, ?string $clientAddr = null): array
    {
        $caller = $this->caller($user, false, $clientAddr);
        if (isset($caller['refusal'])) {
            return $caller['refusal'];
        }
        if (str_contains($pageId, "\0")) {
            return self::refusal(-3, 'no such page');
        }
        $c = FFI::addr($caller['caller']);
        $err = $this->ffi->new('char[' . self::ERR_MAX . ']');
        $out = $this->ffi->new('panelhost_rows_t*[1]');
        $rc = $this->ffi->panelhost_page_status_rows($this->host(), $c, $pageId, $out, $err, self::ERR_MAX);
        if ($rc !== 0) {
            return self::refusal($rc, FFI::string($err));
        }
        $status = array_map(static fn(array $row): array => [$row[0] ?? '', $row[1] ?? ''], $this->takeRows($out[0]));
        $page = $this->ffi->panelhost_page($this->host(), $pageId);
        if (self::isNull($page)) {
            return self::refusal(-3, "no such page: $pageId (its plugin may have been disabled)");
        }
        return [
            'ok' => true,
            'id' => $pageId,
            'title' => self::str($page->title),
            'description' => self::text($page->description),
            'status' => $status,
            'status_summary_lines' => $page->struct_size >= self::PAGE_SIZE_1_3 ? $page->status_summary_lines : 0,
            'fields' => $this->fields($c, $pageId),
            'tables' => $this->tables($c, $pageId),
            'actions' => $this->actions($c, $pageId),
        ];
    }

    /**
     * Runs an action with its parameters (name => value). Returns ['ok' => bool, 'code' => ?string,
     * 'message' => string, 'secret' => ?string, 'record' => ?string]: 'secret' holds a one-time secret (e.g. a
     * new API key) exactly this once - show it, never log or store it; the binding has wiped its C copy.
     * 'record' is the id of the record the action created (e.g. create-key's new key), else null. A dangerous
     * action without confirmed: true is refused with code 'confirm' and its confirmation text as the message.
     * record: the record id a row action acts on (a cell of its table's row_id_column); the library refuses a
     * row action without one and a page action with one ('invalid', its message saying what to give).
     */
    public function action(
        string $user,
        string $pageId,
        string $actionId,
        array $params = [],
        bool $confirmed = false,
        ?string $clientAddr = null,
        ?string $record = null
    ): array {
        $caller = $this->caller($user, $confirmed, $clientAddr);
        if (isset($caller['refusal'])) {
            return $caller['refusal'] + ['secret' => null, 'record' => null];
        }
        $names = [];
        $values = [];
        foreach ($params as $name => $value) {
            $names[] = (string)$name;
            $values[] = self::scalar($value, "parameter $name");
        }
        if (str_contains($pageId . $actionId . ($record ?? '') . implode('', $names) . implode('', $values), "\0")) {
            return self::refusal(-1, 'a page, action, record id, parameter name or value contains a NUL byte')
                + ['secret' => null, 'record' => null];
        }
        $n = count($names);
        [$namePtrs, $valuePtrs, $blob] = $n > 0 ? $this->pointers($names, $values) : [null, null, null];
        $message = $this->ffi->new('char[' . self::MESSAGE_MAX . ']');
        $secret = $this->ffi->new('char[' . self::SECRET_MAX . ']');
        $result = $this->ffi->new('panel_result_t');
        $result->struct_size = FFI::sizeof($result);
        $result->message = FFI::addr($message[0]);
        $result->message_len = self::MESSAGE_MAX;
        $result->secret = FFI::addr($secret[0]);
        $result->secret_len = self::SECRET_MAX;
        $created = $this->ffi->new('char[' . self::RECORD_MAX . ']');
        $result->record = FFI::addr($created[0]);
        $result->record_len = self::RECORD_MAX;
        // panelhost_action_run is this call with a NULL record
        $rc = $this->ffi->panelhost_action_run_record(
            $this->host(),
            FFI::addr($caller['caller']),
            $pageId,
            $actionId,
            $record,
            $namePtrs,
            $valuePtrs,
            $n,
            FFI::addr($result)
        );
        $revealed = FFI::string($secret);
        FFI::memset($secret, 0, self::SECRET_MAX);
        if ($blob !== null) {
            FFI::memset($blob, 0, FFI::sizeof($blob));
        }
        return [
            'ok' => $rc === 0,
            'code' => $rc === 0 ? null : self::code($rc),
            'message' => FFI::string($message),
            'secret' => $rc === 0 && $revealed !== '' ? $revealed : null,
            'record' => $rc === 0 && ($id = FFI::string($created)) !== '' ? $id : null,
        ];
    }

    /**
     * Whether an action makes sense now, for the page (record null) or for one record of its row table, as the
     * plugin says: ['available' => bool, 'reason' => ?string (why not, one line), 'note' => ?string (ABI 1.3: the
     * plugin's note on an available action, e.g. what running it now breaks; show it beside the button)]. For
     * rendering only (disable the button, show the reason): the action may still be run and then gives its own
     * answer. When the plugin cannot tell, it is shown as available with the plugin's message as 'reason'. The
     * library's refusals (unknown page or action, permission, a record id for a page action or none for a row
     * action) are returned as ['ok' => false, 'code', 'message'].
     */
    public function available(
        string $user,
        string $pageId,
        string $actionId,
        ?string $record = null,
        ?string $clientAddr = null
    ): array {
        $caller = $this->caller($user, false, $clientAddr);
        if (isset($caller['refusal'])) {
            return $caller['refusal'];
        }
        if (str_contains($pageId . $actionId . ($record ?? ''), "\0")) {
            return self::refusal(-1, 'a page, action or record id contains a NUL byte');
        }
        $reason = $this->ffi->new('char[' . self::REASON_MAX . ']');
        $rc = $this->ffi->panelhost_action_available(
            $this->host(),
            FFI::addr($caller['caller']),
            $pageId,
            $actionId,
            $record,
            $reason,
            self::REASON_MAX
        );
        return self::availability($rc, FFI::string($reason));
    }

    /**
     * Sets a field to `value` exactly as given (a pasted key is not trimmed). Returns ['ok' => bool,
     * 'code' => ?string, 'message' => string]. A dangerous field needs confirmed: true (else code 'confirm').
     */
    public function setField(
        string $user,
        string $pageId,
        string $fieldId,
        string $value,
        bool $confirmed = false,
        ?string $clientAddr = null
    ): array {
        $caller = $this->caller($user, $confirmed, $clientAddr);
        if (isset($caller['refusal'])) {
            return $caller['refusal'];
        }
        if (str_contains($pageId . $fieldId, "\0")) {
            return self::refusal(-3, 'no such field');
        }
        $len = strlen($value);
        $copy = $this->ffi->new('char[' . ($len + 1) . ']');
        if ($len > 0) {
            FFI::memcpy($copy, $value, $len); // passed with its length: a NUL inside reaches the validator
        }
        $message = $this->ffi->new('char[' . self::MESSAGE_MAX . ']');
        $rc = $this->ffi->panelhost_field_set(
            $this->host(),
            FFI::addr($caller['caller']),
            $pageId,
            $fieldId,
            FFI::addr($copy[0]),
            $len,
            $message,
            self::MESSAGE_MAX
        );
        FFI::memset($copy, 0, $len + 1);
        return ['ok' => $rc === 0, 'code' => $rc === 0 ? null : self::code($rc), 'message' => FFI::string($message)];
    }

    /**
     * Up to `limit` rows of a table (newest first), skipping the `offset` newest: a list of rows, each a list of
     * cells (the column titles are in page()['tables']); or a refusal ['ok' => false, 'code', 'message'].
     */
    public function table(
        string $user,
        string $pageId,
        string $tableId,
        int $offset = 0,
        int $limit = 50,
        ?string $clientAddr = null
    ): array {
        $caller = $this->caller($user, false, $clientAddr);
        if (isset($caller['refusal'])) {
            return $caller['refusal'];
        }
        if ($offset < 0 || $limit < 0 || $limit > 0xFFFFFFFF) {
            return self::refusal(-1, 'offset and limit must be >= 0 (limit at most 4294967295)');
        }
        if (str_contains($pageId . $tableId, "\0")) {
            return self::refusal(-3, 'no such table');
        }
        return $this->tableRows(FFI::addr($caller['caller']), $pageId, $tableId, $offset, $limit);
    }

    // ----- internals ------------------------------------------------------------------------------------------

    /**
     * The panelhost_t * of this host: looked up by the config path on the first admin call of the request
     * (panelhost_process_host, which applies the extension changes other processes made).
     */
    private function host(): CData
    {
        return $this->handle ??= $this->ffi->panelhost_process_host($this->configPath)
            ?? throw new PanelException("the process-wide host of {$this->configPath} is closed "
                . '(Host::closeProcess()); open it again with Host::open()');
    }

    /**
     * A caller for `user`: ['caller' => CData, 'keep' => the C strings it points to] (keep both alive while it
     * is used), or ['refusal' => refusal]. Without clientAddr: the command line (PHP_SAPI cli) or the web
     * client's REMOTE_ADDR.
     */
    private function caller(string $user, bool $confirmed, ?string $clientAddr): array
    {
        if ($clientAddr === null && PHP_SAPI !== 'cli') {
            $clientAddr = (string)($_SERVER['REMOTE_ADDR'] ?? 'unknown');
        }
        if (str_contains($user . ($clientAddr ?? ''), "\0") || $user === '' || $clientAddr === '') {
            return ['refusal' => self::refusal(
                -1,
                'the user name and client address must be non-empty, without NUL bytes'
            )];
        }
        $keep = [$this->cString($user)];
        $origin = self::ORIGIN_CLI;
        $uid = getmyuid();
        $addr = null;
        if ($clientAddr !== null) {
            $keep[] = $this->cString($clientAddr);
            $addr = FFI::addr($keep[1][0]);
            $origin = self::ORIGIN_WEB;
            $uid = -1;
        }
        $caller = $this->ffi->new('panel_caller_t');
        $caller->struct_size = FFI::sizeof($caller);
        $err = $this->ffi->new('char[' . self::ERR_MAX . ']');
        $rc = $this->ffi->panelhost_caller_init(
            $this->host(),
            FFI::addr($caller),
            FFI::addr($keep[0][0]),
            $origin,
            $uid === false ? -1 : $uid,
            $addr,
            $confirmed ? 1 : 0,
            $err,
            self::ERR_MAX
        );
        if ($rc !== 0) {
            return ['refusal' => self::refusal($rc, FFI::string($err))];
        }
        return ['caller' => $caller, 'keep' => $keep];
    }

    /** A NUL-terminated C copy of s (owned by PHP: freed with the CData). */
    private function cString(string $s): CData
    {
        $buf = $this->ffi->new('char[' . (strlen($s) + 1) . ']');
        if ($s !== '') {
            FFI::memcpy($buf, $s, strlen($s));
        }
        return $buf;
    }

    /** Two arrays of C string pointers into one buffer holding every name and value: [names, values, buffer]. */
    private function pointers(array $names, array $values): array
    {
        $blob = implode("\0", $names) . "\0" . implode("\0", $values) . "\0";
        $buf = $this->ffi->new('char[' . strlen($blob) . ']');
        FFI::memcpy($buf, $blob, strlen($blob));
        $n = count($names);
        $namePtrs = $this->ffi->new("const char*[$n]");
        $valuePtrs = $this->ffi->new("const char*[$n]");
        $at = 0;
        foreach ($names as $i => $name) {
            $namePtrs[$i] = FFI::addr($buf[$at]);
            $at += strlen($name) + 1;
        }
        foreach ($values as $i => $value) {
            $valuePtrs[$i] = FFI::addr($buf[$at]);
            $at += strlen($value) + 1;
        }
        return [$namePtrs, $valuePtrs, $buf];
    }

    /** The rows of a panelhost_rows_t as lists of cells; frees it. */
    private function takeRows(CData $rows): array
    {
        $list = [];
        $n = $this->ffi->panelhost_rows_count($rows);
        for ($i = 0; $i < $n; $i++) {
            $width = $this->ffi->panelhost_rows_width($rows, $i);
            $row = [];
            for ($j = 0; $j < $width; $j++) {
                $row[] = (string)$this->ffi->panelhost_rows_cell($rows, $i, $j);
            }
            $list[] = $row;
        }
        $this->ffi->panelhost_rows_free($rows);
        return $list;
    }

    private function tableRows(CData $caller, string $pageId, string $tableId, int $offset, int $limit): array
    {
        $err = $this->ffi->new('char[' . self::ERR_MAX . ']');
        $out = $this->ffi->new('panelhost_rows_t*[1]');
        $rc = $this->ffi->panelhost_table_rows(
            $this->host(),
            $caller,
            $pageId,
            $tableId,
            $offset,
            $limit,
            $out,
            $err,
            self::ERR_MAX
        );
        if ($rc !== 0) {
            return self::refusal($rc, FFI::string($err));
        }
        return $this->takeRows($out[0]);
    }

    /** A header's value that is not a string: a list counts by its first element ('' when empty). */
    private static function scalar(mixed $value, string $what): string
    {
        if (is_string($value)) {
            return $value;
        }
        if (is_int($value) || is_float($value)) {
            return (string)$value;
        }
        if (is_bool($value)) {
            return $value ? '1' : '0';
        }
        throw new PanelException("$what must be a string (got " . get_debug_type($value) . ')');
    }

    private static function code(int $rc): string
    {
        return self::CODES[$rc] ?? 'error';
    }

    private static function refusal(int $rc, string $message): array
    {
        return ['ok' => false, 'code' => self::code($rc), 'message' => $message];
    }
}
