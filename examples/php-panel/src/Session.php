<?php
// Session.php - the admin session of the example panel: PHP's sessions (files in DATA_DIR/php-sessions, 0700;
// cookie HttpOnly, SameSite=Strict, Secure over HTTPS), a new session id at login, the logged-in user, and the
// CSRF token every form carries and every POST must send back.
declare(strict_types=1);

namespace PhpPanel;

use Panel\Host;

final class Session
{
    public static function start(Host $host): void
    {
        $dir = $host->dataDir() . '/php-sessions';
        if (!is_dir($dir)) {
            @mkdir($dir, 0700);
        }
        session_save_path($dir);
        session_name('panel_session');
        session_start([
            'cookie_httponly' => true,
            'cookie_samesite' => 'Strict',
            'cookie_secure' => ($_SERVER['HTTPS'] ?? '') === 'on',
            'use_strict_mode' => true,
        ]);
        $_SESSION['csrf'] ??= bin2hex(random_bytes(32));
    }

    public static function user(): ?string
    {
        return isset($_SESSION['user']) && is_string($_SESSION['user']) ? $_SESSION['user'] : null;
    }

    public static function login(string $user): void
    {
        session_regenerate_id(true);
        $_SESSION['user'] = $user;
        $_SESSION['csrf'] = bin2hex(random_bytes(32));
    }

    public static function logout(): void
    {
        $_SESSION = [];
        session_regenerate_id(true);
        $_SESSION['csrf'] = bin2hex(random_bytes(32));
    }

    public static function csrf(): string
    {
        return (string)$_SESSION['csrf'];
    }

    /** True when the POST carries this session's CSRF token. */
    public static function csrfValid(): bool
    {
        $sent = $_POST['_csrf'] ?? '';
        return is_string($sent) && $sent !== '' && hash_equals(self::csrf(), $sent);
    }
}
