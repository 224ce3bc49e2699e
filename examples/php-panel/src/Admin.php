<?php
// Admin.php - the admin side of the example panel: login and logout (CSRF-checked), the menu, a page rendered
// from Panel\Host::page(), actions (a dangerous one first shows its confirmation text, with each parameter's
// label and its choice's label), row actions of a table of records (the record id posted as _record, run with
// Host::action(..., record:)) and field changes. Every POST that reaches an action or a field is answered with
// 303 to the page (post/redirect/get: a reload repeats nothing); its outcome - the message, the one-time secret,
// the record it created, the confirmation step - waits in the session (Session::keepOutcome) for the next GET of that
// page, which takes it once. Every POST without this session's CSRF token (before login: the login form's) is
// refused with 403. Logins are throttled (LoginThrottle: 429 with Retry-After). Refusals from the library are
// shown with its message and matching status; a failure to open the host is logged, and people see only that
// the panel is unavailable.
declare(strict_types=1);

namespace PhpPanel;

use Panel\Host;
use Panel\PanelException;

final class Admin
{
    private const STATUS = ['denied' => 403, 'not_found' => 404, 'invalid' => 400, 'confirm' => 400, 'state' => 409,
        'store' => 503, 'unavailable' => 503];

    public static function handle(string $method, string $path): void
    {
        header('Cache-Control: no-store');
        header("Content-Security-Policy: default-src 'self'; form-action 'self'; frame-ancestors 'none'");
        header('X-Frame-Options: DENY');
        header('Referrer-Policy: no-referrer');
        header('X-Content-Type-Options: nosniff');
        try {
            $host = Host::open(panel_config());
        } catch (PanelException $e) {
            // the reason (paths, the config's errors) goes to the error log, not to someone who is not logged in
            error_log('panel: ' . $e->getMessage());
            View::error(500, 'The panel cannot start', 'The panel is not available; the reason is in the server\'s error log.');
            return;
        }
        Session::start($host);
        $user = Session::user();
        View::frame((string)$host->config('host', 'store_name'), $user === null ? null : $host->config("user:$user", 'role'));
        if ($method === 'POST' && !Session::csrfValid()) {
            View::error(403, 'Request refused', 'The form was stale or not sent by this panel; reload the page and try again.');
            return;
        }
        if ($path === '/login') {
            self::login($host, $method);
            return;
        }
        if ($path === '/logout' && $method === 'POST') {
            Session::logout();
            self::redirect('/login');
            return;
        }
        if ($user === null || $host->config("user:$user", 'role') === null) {
            self::redirect('/login');
            return;
        }
        $menu = $host->menu($user);
        if ($path === '/' || $path === '/admin') {
            View::render('home', ['user' => $user, 'menu' => $menu]);
            return;
        }
        if (preg_match('#^/admin/(.+?)/(action|field)/([a-z0-9_-]+)$#', $path, $m) && $method === 'POST') {
            self::change($host, $user, $menu, $m[1], $m[2], $m[3]);
            return;
        }
        if (preg_match('#^/admin/(.+)$#', $path, $m) && $method === 'GET') {
            self::page($host, $user, $menu, $m[1]);
            return;
        }
        View::error(404, 'Not found', 'There is no such page in this panel.', $user, $menu);
    }

    private static function login(Host $host, string $method): void
    {
        if ($method !== 'POST') {
            View::render('login', ['error' => null, 'user' => null, 'menu' => []]);
            return;
        }
        $name = is_string($_POST['user'] ?? null) ? $_POST['user'] : '';
        $password = is_string($_POST['password'] ?? null) ? $_POST['password'] : '';
        $device = $_COOKIE[LoginThrottle::DEVICE_COOKIE] ?? null;
        // the attempt is counted before the password is hashed (released when it was right)
        [$throttle, $wait] = LoginThrottle::reserve($host->dataDir(), substr($name, 0, 64),
            substr((string)($_SERVER['REMOTE_ADDR'] ?? 'unknown'), 0, 64), is_string($device) ? $device : null);
        if ($throttle === null) {
            http_response_code(429);
            header("Retry-After: $wait");
            View::render('login', ['error' => "Too many failed logins; try again in $wait seconds.", 'user' => null,
                'menu' => []]);
            return;
        }
        $ok = Passwords::verify($host, $name, $password);
        sodium_memzero($password);
        if (!$ok) {
            http_response_code(401);
            View::render('login', ['error' => 'Wrong user name or password.', 'user' => null, 'menu' => []]);
            return;
        }
        $throttle->succeeded();
        $token = LoginThrottle::deviceToken($host->dataDir(), $name);
        if ($token !== null) {
            setcookie(LoginThrottle::DEVICE_COOKIE, $token, ['expires' => time() + LoginThrottle::DEVICE_MAX_AGE,
                'path' => '/login', 'httponly' => true, 'samesite' => 'Strict', 'secure' => ($_SERVER['HTTPS'] ?? '') === 'on']);
        }
        Session::login($name);
        self::redirect('/admin');
    }

    /** Renders a page with the outcome of the last change to it, if one waits in the session (taken once). */
    private static function page(Host $host, string $user, array $menu, string $pageId): void
    {
        $page = $host->page($user, $pageId);
        if (Host::refused($page)) {
            View::error(self::STATUS[$page['code']] ?? 500, $page['code'] === 'denied' ? 'Not allowed' : 'Not found',
                $page['message'], $user, $menu);
            return;
        }
        // (a HEAD leaves it for the GET: its answer is thrown away, and with it would go a one-time secret)
        $notice = ($_SERVER['REQUEST_METHOD'] ?? 'GET') === 'HEAD' ? [] : (Session::takeOutcome($pageId) ?? []);
        if (isset($notice['confirm'])) {
            self::confirmStep($user, $menu, $page, $notice['confirm']);
            return;
        }
        foreach ($page['actions'] as $action) { // the action that made a secret names the secret box
            if (($notice['action'] ?? null) === $action['id']) {
                $notice['source'] = $action['label'];
            }
        }
        // whether each row action makes sense for each record shown (the plugin's answer; rendering only)
        $available = [];
        foreach ($page['tables'] as $table) {
            if ($table['row_id_index'] === null) {
                continue;
            }
            foreach ($table['rows'] as $row) {
                $record = (string)($row[$table['row_id_index']] ?? '');
                foreach ($table['row_actions'] as $actionId) {
                    $answer = $host->available($user, $pageId, $actionId, $record);
                    $available[$table['id']][$record][$actionId] = Host::refused($answer)
                        ? ['available' => true, 'reason' => null] : $answer;
                }
            }
        }
        View::render('page', ['user' => $user, 'menu' => $menu, 'page' => $page, 'notice' => $notice,
            'available' => $available, 'apiUrl' => self::apiUrl($host), 'title' => $page['title'],
            'currentPage' => $pageId, 'charts' => Chart::forPage($host, $user, $page)]);
        if (isset($notice['secret'])) {
            sodium_memzero($notice['secret']);
        }
    }

    /**
     * The confirmation step of a dangerous action: its text, the record a row action acts on (its row's cells),
     * each parameter as its label and its choice's label.
     */
    private static function confirmStep(string $user, array $menu, array $page, array $pending): void
    {
        $action = null;
        foreach ($page['actions'] as $candidate) {
            if ($candidate['id'] === $pending['action']) {
                $action = $candidate;
            }
        }
        if ($action === null) {
            View::error(404, 'Not found', 'This action is no longer offered on the page.', $user, $menu);
            return;
        }
        $shown = [];
        foreach ($action['params'] as $param) {
            if (!array_key_exists($param['id'], $pending['params'])) {
                continue;
            }
            $value = (string)$pending['params'][$param['id']];
            if ($param['choices'] !== null) {
                $labels = $param['choice_labels'] ?? $param['choices'];
                $value = implode(', ', array_map(static function (string $item) use ($param, $labels): string {
                    $at = array_search($item, $param['choices'], true);
                    return $at === false ? $item : (string)($labels[$at] ?? $item);
                }, $value === '' ? [] : explode(',', $value)));
                $value = $value === '' ? 'none' : $value;
            }
            $shown[] = [$param['label'], $value];
        }
        $recordRow = []; // the record a row action acts on, as its table shows it (e.g. a key's label and hint)
        foreach ($page['tables'] as $table) {
            if ($table['id'] !== $action['row_table'] || $table['row_id_index'] === null) {
                continue;
            }
            foreach ($table['rows'] as $row) {
                if ((string)($row[$table['row_id_index']] ?? '') === $pending['record']) {
                    foreach ($table['columns'] as $i => $column) {
                        $recordRow[] = [$column, (string)($row[$i] ?? '')];
                    }
                }
            }
        }
        View::render('confirm', ['user' => $user, 'menu' => $menu, 'pageId' => $page['id'], 'action' => $action,
            'params' => $pending['params'], 'shown' => $shown, 'record' => $pending['record'], 'recordRow' => $recordRow,
            'text' => $pending['text'], 'title' => 'Confirm: ' . $action['label'], 'currentPage' => $page['id']]);
    }

    /** The address the store's API answers at: [host] public_url, else this request's scheme, host and port. */
    private static function apiUrl(Host $host): string
    {
        $configured = rtrim((string)$host->config('host', 'public_url'), '/');
        if ($configured !== '') {
            return $configured;
        }
        $name = (string)($_SERVER['HTTP_HOST'] ?? $_SERVER['SERVER_NAME'] ?? 'localhost');
        if (!preg_match('/^[A-Za-z0-9.:\[\]-]{1,255}$/', $name)) { // the command is pasted into a shell
            $name = 'localhost';
        }
        $https = ($_SERVER['HTTPS'] ?? '') === 'on';
        $port = (string)($_SERVER['SERVER_PORT'] ?? '');
        if (!preg_match('/:[0-9]+$/', $name) && ctype_digit($port) && $port !== ($https ? '443' : '80')) {
            $name .= ':' . $port; // (nginx passes the Host header without its port)
        }
        return ($https ? 'https' : 'http') . '://' . $name;
    }

    /** Runs an action or sets a field, keeps the outcome for the next GET of the page, and answers 303 to it. */
    private static function change(Host $host, string $user, array $menu, string $pageId, string $kind, string $id): void
    {
        $confirmed = ($_POST['confirmed'] ?? '') === '1';
        $record = null;
        if ($kind === 'action') {
            $params = [];
            foreach ((array)($_POST['param'] ?? []) as $name => $value) {
                if (is_string($value)) {
                    $params[(string)$name] = $value;
                }
            }
            // a list parameter's checkboxes (pc[ID][]): its items joined by ',' (none checked: the hidden param[ID] "")
            foreach ((array)($_POST['pc'] ?? []) as $name => $items) {
                if (is_array($items)) {
                    $params[(string)$name] = implode(',', array_filter($items, 'is_string'));
                }
            }
            $record = $_POST['_record'] ?? null;
            $record = is_string($record) && $record !== '' ? $record : null;
            $result = $host->action($user, $pageId, $id, $params, confirmed: $confirmed, record: $record);
            if ($result['code'] === 'confirm') {
                Session::keepOutcome($pageId, ['confirm' => ['action' => $id, 'params' => $params,
                    'record' => $record, 'text' => $result['message']]]);
                self::redirect('/admin/' . $pageId);
                return;
            }
        } else {
            $value = (string)($_POST['value'] ?? '');
            $result = $host->setField($user, $pageId, $id, $value, confirmed: $confirmed);
            sodium_memzero($value);
        }
        if (!$result['ok'] && in_array($result['code'], ['denied', 'not_found'], true)) {
            // nothing changed and the page is not this user's (or not there): no page to go back to
            View::error(self::STATUS[$result['code']], $result['code'] === 'denied' ? 'Not allowed' : 'Not found',
                $result['message'], $user, $menu);
            return;
        }
        Session::keepOutcome($pageId, ['ok' => $result['ok'], 'message' => $result['message'],
            'secret' => $result['secret'] ?? null, 'record' => $result['record'] ?? null,
            'field' => $kind === 'field' ? $id : null, 'action' => $kind === 'action' ? $id : null]);
        if (isset($result['secret'])) {
            sodium_memzero($result['secret']);
        }
        self::redirect('/admin/' . $pageId);
    }

    private static function redirect(string $to): void
    {
        if (session_status() === PHP_SESSION_ACTIVE) {
            session_write_close(); // the outcome is on disk before the browser can ask for the page
        }
        http_response_code(303);
        header("Location: $to");
    }
}
