<?php
// index.php - the example panel's front controller: every request comes here (nginx try_files, or php -S with
// this file as router). Routes: GET /healthz; GET /api/v1/ping and /api/v1/store behind the plugins' auth
// providers (Panel\Host::authenticate, the sample host's JSON bodies and status codes); the admin panel
// (/login, /logout, /admin, /admin/PAGE, POST /admin/PAGE/action/ID and /admin/PAGE/field/ID), rendered
// generically from what the plugins registered. The config is $PANEL_CONFIG (default: the sample host's).
declare(strict_types=1);

use PhpPanel\Admin;
use PhpPanel\Api;

if (PHP_SAPI === 'cli-server' && is_file(__DIR__ . parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH))) {
    return false; // php -S: let it serve panel.css and panel.js
}

require __DIR__ . '/../src/bootstrap.php';

$path = (string)parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';

if ($path === '/healthz') {
    Api::json(200, ['ok' => true]);
} elseif (str_starts_with($path, '/api/')) {
    Api::handle($method, $path);
} else {
    Admin::handle($method, $path);
}
