<?php
// index.php - the example panel's front controller: every request comes here (nginx try_files, or php -S with
// this file as router). Routes: GET /healthz; GET /api/v1/ping and /api/v1/store behind the plugins' auth
// providers (Panel\Host::authenticate, the sample host's JSON bodies and status codes); POST /api/v1/keys/revoke
// (a leaked key reported, Panel\Host::reportLeak; src/Revoke.php); the admin panel
// (/login, /logout, /admin, /admin/PAGE, POST /admin/PAGE/action/ID and /admin/PAGE/field/ID), rendered
// generically from what the plugins registered; HEAD wherever GET works, OPTIONS (204 with Allow) on every route.
// The config is $PANEL_CONFIG (default: the sample host's).
// GET /api/v1/whoami too: who the key is (the command the one-time secret box offers).
declare(strict_types=1);

use PhpPanel\Admin;
use PhpPanel\Api;
use PhpPanel\Revoke;

if (PHP_SAPI === 'cli-server' && is_file(__DIR__ . parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH))) {
    return false; // php -S: let it serve panel.css, panel.js and favicon.ico
}

require __DIR__ . '/../src/bootstrap.php';

header_remove('X-Powered-By'); // (php.ini's expose_php = Off does it too) the PHP version is nobody's business

$path = (string)parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';

/** The methods $path answers (RFC 9110: HEAD wherever GET works, OPTIONS everywhere), or null: no such route. */
function allowed_methods(string $path): ?string
{
    if (in_array($path, ['/healthz', '/api/v1/ping', '/api/v1/whoami', '/api/v1/store', '/', '/admin'], true)) {
        return 'GET, HEAD, OPTIONS';
    }
    if ($path === '/login') {
        return 'GET, HEAD, POST, OPTIONS';
    }
    if ($path === '/api/v1/keys/revoke') {
        return 'POST, OPTIONS';
    }
    if ($path === '/logout' || preg_match('#^/admin/.+?/(action|field)/[a-z0-9_-]+$#', $path)) {
        return 'POST, OPTIONS';
    }
    return preg_match('#^/admin/.+$#', $path) ? 'GET, HEAD, OPTIONS' : null;
}

if ($method === 'OPTIONS') {
    $allow = allowed_methods($path);
    if ($allow === null) {
        Api::json(404, ['error' => 'not_found', 'message' => 'no such route']);
    } else {
        http_response_code(204);
        header("Allow: $allow");
        header('Cache-Control: no-store');
    }
    return;
}
// HEAD is answered as GET without the body (the headers, Content-Length included, are the GET's)
$head = $method === 'HEAD';
if ($head) {
    $method = 'GET';
    ob_start();
}
if ($path === '/healthz') {
    Api::json(200, ['ok' => true]);
} elseif ($path === '/api/v1/keys/revoke') {
    Revoke::handle($method);
} elseif (str_starts_with($path, '/api/')) {
    Api::handle($method, $path);
} else {
    Admin::handle($method, $path);
}
if ($head) {
    ob_end_clean();
}
