<?php
// Api.php - the API routes of the example panel: GET /api/v1/ping, GET /api/v1/whoami (who the key is: principal,
// label and scopes, as the sample host's; the command the one-time secret box offers) and GET /api/v1/store
// (scope store.read), each
// request asked of the plugins' auth providers through Panel\Host::authenticateRequest (one static call: no Host object is
// made for a request that only needs the verdict), answered with the sample host's bodies and
// status codes ({"ok":true}, {"store_name","currency"}, {"error","message"}, 401 with WWW-Authenticate:
// Bearer, 404, 405 with Allow: GET, HEAD, OPTIONS; index.php answers HEAD as GET without the body).
declare(strict_types=1);

namespace PhpPanel;

use Panel\Host;
use Panel\PanelException;

final class Api
{
    public static function handle(string $method, string $path): void
    {
        if ($path !== '/api/v1/ping' && $path !== '/api/v1/whoami' && $path !== '/api/v1/store') {
            self::json(404, ['error' => 'not_found', 'message' => 'no such route; the API offers GET /healthz, '
                . 'GET /api/v1/ping, GET /api/v1/whoami and GET /api/v1/store']);
            return;
        }
        if ($method !== 'GET') {
            header('Allow: GET, HEAD, OPTIONS');
            self::json(405, ['error' => 'method_not_allowed', 'message' => 'this route answers GET only; send a GET request']);
            return;
        }
        // The request headers the auth providers read, name => value: X-API-Key and Authorization (plugin/
        // auth_provider.c; both are passed when both are sent, so the provider answers conflicting_credentials),
        // read from $_SERVER as the SAPI set them - two lookups instead of getallheaders(), which copies and
        // renames every header on each API request. A panel whose providers read more headers lists them here.
        $headers = [];
        if (isset($_SERVER['HTTP_X_API_KEY'])) {
            $headers['X-API-Key'] = (string)$_SERVER['HTTP_X_API_KEY'];
        }
        if (isset($_SERVER['HTTP_AUTHORIZATION'])) {
            $headers['Authorization'] = (string)$_SERVER['HTTP_AUTHORIZATION'];
        }
        // $PANEL_CONFIG: php-fpm puts the worker's environment (its pool's env[]) into $_SERVER, so one lookup
        // replaces the call of panel_config() and getenv() on each request (php -S does not: it falls back)
        $config = (string)($_SERVER['PANEL_CONFIG'] ?? '');
        try {
            // the scope each route requires, as the sample host's routes do (/api/v1/ping needs none)
            $verdict = Host::authenticateRequest($config !== '' ? $config : \panel_config(), $method, $path,
                (string)($_SERVER['REMOTE_ADDR'] ?? 'unknown'), $headers,
                $path === '/api/v1/store' ? 'store.read' : Host::ANY_SCOPE);
        } catch (PanelException $e) {
            self::unavailable($e);
            return;
        }
        if (!$verdict['allowed']) {
            if ($verdict['status'] === 401) {
                header('WWW-Authenticate: Bearer');
            }
            if ($verdict['retry_after'] > 0) {
                header('Retry-After: ' . $verdict['retry_after']);
            }
            self::json($verdict['status'], ['error' => $verdict['error'], 'message' => $verdict['message']]);
            return;
        }
        // the key is going away: in its grace period after a reset, or expiring soon (RFC 9745, RFC 8594)
        if ($verdict['deprecation'] !== null) {
            header('Deprecation: @' . $verdict['deprecation']);
        }
        if ($verdict['sunset'] !== null) {
            header('Sunset: ' . gmdate(DATE_RFC7231, $verdict['sunset']));
        }
        if ($path === '/api/v1/ping') {
            self::json(200, ['ok' => true]);
            return;
        }
        if ($path === '/api/v1/whoami') { // label and scopes only when the provider named them, as the sample host
            self::json(200, ['principal' => $verdict['principal']]
                + ($verdict['label'] !== null ? ['label' => $verdict['label']] : [])
                + ($verdict['scopes'] !== [] ? ['scopes' => $verdict['scopes']] : []));
            return;
        }
        try {
            $host = Host::open(\panel_config()); // the worker's host, already open: found by one FFI call
        } catch (PanelException $e) {
            self::unavailable($e);
            return;
        }
        self::json(200, ['store_name' => $host->config('host', 'store_name'), 'currency' => $host->config('host', 'currency')]);
    }

    /** 503 when the host cannot be opened (the reason goes to the error log, not to the client). */
    private static function unavailable(PanelException $e): void
    {
        error_log('panel: ' . $e->getMessage());
        self::json(503, ['error' => 'auth_failed', 'message' => "the server could not check the request's credentials; try again later"]);
    }

    public static function json(int $status, array $body): void
    {
        http_response_code($status);
        header('Content-Type: application/json');
        header('Cache-Control: no-store');
        $text = (string)json_encode($body, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
        header('Content-Length: ' . strlen($text));
        echo $text;
    }
}
