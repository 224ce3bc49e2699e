<?php

// index.php - the test application's front controller (nginx try_files sends every request here): Composer's
// autoloader (the application, panel/laravel, panel/host), Debian's autoloader of php-laravel-framework, then
// Laravel's HTTP kernel.

declare(strict_types=1);

define('LARAVEL_START', microtime(true));

// Debian's /etc/nginx/fastcgi_params sets HTTP_HOST to nginx's $host, which drops the port: the test serves on a
// random loopback port, so Laravel's redirects and URLs need it put back
if (isset($_SERVER['HTTP_HOST'], $_SERVER['SERVER_PORT']) && !str_contains($_SERVER['HTTP_HOST'], ':')
    && !in_array($_SERVER['SERVER_PORT'], ['80', '443'], true)) {
    $_SERVER['HTTP_HOST'] .= ':' . $_SERVER['SERVER_PORT'];
}

require __DIR__ . '/../vendor/autoload.php';
require 'Illuminate/autoload.php'; // /usr/share/php, on PHP's include_path

$app = require __DIR__ . '/../bootstrap/app.php';
$kernel = $app->make(Illuminate\Contracts\Http\Kernel::class);
$response = $kernel->handle($request = Illuminate\Http\Request::capture());
$response->send();
$kernel->terminate($request, $response);
