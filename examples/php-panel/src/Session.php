<?php
// Session.php - the admin session of the example panel: PHP's sessions (files in DATA_DIR/php-sessions, 0700;
// cookie HttpOnly, SameSite=Strict, Secure over HTTPS), started only at login and resumed only when the browser
// presents a cookie naming an existing session file (an anonymous request writes nothing). The sample host's
// lifetimes (sample-host/admin_auth_session.h): 30 min idle, 12 h absolute, enforced here from the session's own
// timestamps; an expired session is destroyed, and expired session files are removed at each login. The CSRF
// token every form carries and every POST must send back: the session's, or before login the login form's
// (a random value in the panel_login cookie, the form field its MAC under DATA_DIR/php-device.secret).
// keepOutcome/takeOutcome: the outcome of a POST (its message, a one-time secret, the confirmation step) kept in
// the session's data on the server - never in the URL or a cookie's value - for the next GET of the page, which
// takes it once: it is removed from the session as it is read, and one older than OUTCOME_SECONDS is dropped. A
// secret is kept sealed under a key only the browser holds (cookie panel_outcome), so no file holds it readable.
declare(strict_types=1);

namespace PhpPanel;

use Panel\Host;

final class Session
{
    public const IDLE_SECONDS = 30 * 60;
    public const MAX_SECONDS = 12 * 60 * 60;
    private const TOUCH_INTERVAL = 60;   // last_seen is rewritten at most once a minute
    private const OUTCOME_SECONDS = 300; // an outcome not shown within 5 minutes is dropped (with its secret)
    private const NAME = 'panel_session';
    private const OUTCOME_COOKIE = 'panel_outcome';
    private const LOGIN_COOKIE = 'panel_login';

    private static string $dir = '';
    private static string $dataDir = '';
    private static ?string $loginToken = null;

    /** Resumes the browser's session, if it presents a live one; otherwise the request stays anonymous. */
    public static function start(Host $host): void
    {
        self::$dataDir = $host->dataDir();
        self::$dir = self::$dataDir . '/php-sessions';
        session_save_path(self::$dir);
        session_name(self::NAME);
        $id = $_COOKIE[self::NAME] ?? null;
        if ($id === null) {
            return;
        }
        if (!is_string($id) || !preg_match('/^[A-Za-z0-9,-]{22,256}$/', $id) || !is_file(self::$dir . "/sess_$id")) {
            self::forgetCookie(self::NAME, '/');
            return;
        }
        self::open();
        $now = time();
        $created = $_SESSION['created'] ?? null;
        $seen = $_SESSION['last_seen'] ?? null;
        if (self::user() === null || !is_int($created) || !is_int($seen) || $now - $seen > self::IDLE_SECONDS
            || $now - $created > self::MAX_SECONDS || $seen > $now + 300) {
            self::end();
            return;
        }
        if ($now - $seen >= self::TOUCH_INTERVAL) {
            $_SESSION['last_seen'] = $now;
        }
    }

    public static function user(): ?string
    {
        return session_status() === PHP_SESSION_ACTIVE && isset($_SESSION['user']) && is_string($_SESSION['user'])
            ? $_SESSION['user'] : null;
    }

    /** A new session (a new id) for $user; expired session files of others are removed first. */
    public static function login(string $user): void
    {
        self::collect();
        if (session_status() === PHP_SESSION_ACTIVE) {
            session_regenerate_id(true);
        } else {
            unset($_COOKIE[self::NAME]);
            self::open();
        }
        $_SESSION = ['user' => $user, 'csrf' => bin2hex(random_bytes(32)), 'created' => time(), 'last_seen' => time()];
        self::forgetCookie(self::LOGIN_COOKIE, '/login');
    }

    /**
     * Keeps the outcome of a change of page pageId for the next GET of that page (replacing an unread one). A
     * one-time secret is kept sealed (crypto_secretbox) under a fresh random key that only the browser holds, in
     * the cookie panel_outcome (HttpOnly, SameSite=Strict, path /admin): the session's file never holds the secret
     * readable, and the cookie holds a key, not the secret.
     */
    public static function keepOutcome(string $pageId, array $outcome): void
    {
        if (session_status() !== PHP_SESSION_ACTIVE) {
            return;
        }
        self::dropOutcome();
        if (isset($outcome['secret']) && is_string($outcome['secret'])) {
            $key = sodium_crypto_secretbox_keygen();
            $nonce = random_bytes(SODIUM_CRYPTO_SECRETBOX_NONCEBYTES);
            $outcome['sealed'] = base64_encode($nonce . sodium_crypto_secretbox($outcome['secret'], $nonce, $key));
            setcookie(self::OUTCOME_COOKIE, sodium_bin2hex($key), self::cookieOptions('/admin'));
            sodium_memzero($key);
            sodium_memzero($outcome['secret']);
        }
        unset($outcome['secret']);
        $_SESSION['outcome'] = ['page' => $pageId, 'at' => time(), 'data' => $outcome];
    }

    /**
     * The outcome kept for page pageId, or null; removed from the session once it is this page's (or too old).
     * Its secret is opened with the browser's key; without the key (another browser, a lost cookie) the secret
     * stays unreadable and 'secret_lost' says so.
     */
    public static function takeOutcome(string $pageId): ?array
    {
        $kept = $_SESSION['outcome'] ?? null;
        if (!is_array($kept)) {
            return null;
        }
        if (!is_int($kept['at'] ?? null) || time() - $kept['at'] > self::OUTCOME_SECONDS) {
            self::dropOutcome();
            return null;
        }
        if (($kept['page'] ?? null) !== $pageId || !is_array($kept['data'] ?? null)) {
            return null;
        }
        self::dropOutcome();
        $data = $kept['data'];
        if (isset($data['sealed'])) {
            $data['secret'] = self::unseal((string)$data['sealed']);
            $data['secret_lost'] = $data['secret'] === null;
            unset($data['sealed']);
        }
        return $data;
    }

    private static function unseal(string $sealed): ?string
    {
        $cookie = $_COOKIE[self::OUTCOME_COOKIE] ?? '';
        $box = base64_decode($sealed, true);
        if (!is_string($cookie) || !preg_match('/^[0-9a-f]{64}$/', $cookie) || $box === false
            || strlen($box) <= SODIUM_CRYPTO_SECRETBOX_NONCEBYTES) {
            return null;
        }
        $key = sodium_hex2bin($cookie);
        $secret = sodium_crypto_secretbox_open(substr($box, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES),
            substr($box, 0, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES), $key);
        sodium_memzero($key);
        return $secret === false ? null : $secret;
    }

    /** Removes the kept outcome and forgets the browser's key to its secret. */
    private static function dropOutcome(): void
    {
        unset($_SESSION['outcome']);
        if (isset($_COOKIE[self::OUTCOME_COOKIE])) {
            self::forgetCookie(self::OUTCOME_COOKIE, '/admin');
        }
    }

    public static function logout(): void
    {
        if (session_status() === PHP_SESSION_ACTIVE) {
            self::end();
        }
    }

    /** The CSRF token of the forms on this page: the session's, or the login form's. */
    public static function csrf(): string
    {
        if (session_status() === PHP_SESSION_ACTIVE) {
            return (string)($_SESSION['csrf'] ?? '');
        }
        if (self::$loginToken === null) {
            $cookie = $_COOKIE[self::LOGIN_COOKIE] ?? '';
            $value = is_string($cookie) && preg_match('/^[0-9a-f]{64}$/', $cookie) ? $cookie : bin2hex(random_bytes(32));
            if ($value !== $cookie) {
                setcookie(self::LOGIN_COOKIE, $value, self::cookieOptions('/login'));
            }
            self::$loginToken = self::loginMac($value) ?? '';
        }
        return self::$loginToken;
    }

    /** True when the POST carries this session's CSRF token (before login: the login form's). */
    public static function csrfValid(): bool
    {
        $sent = $_POST['_csrf'] ?? '';
        if (!is_string($sent) || $sent === '') {
            return false;
        }
        if (session_status() === PHP_SESSION_ACTIVE) {
            return hash_equals((string)($_SESSION['csrf'] ?? ''), $sent) && ($_SESSION['csrf'] ?? '') !== '';
        }
        $cookie = $_COOKIE[self::LOGIN_COOKIE] ?? '';
        $mac = is_string($cookie) && preg_match('/^[0-9a-f]{64}$/', $cookie) ? self::loginMac($cookie) : null;
        return $mac !== null && hash_equals($mac, $sent);
    }

    private static function loginMac(string $value): ?string
    {
        $key = LoginThrottle::secret(self::$dataDir);
        return $key === null ? null : bin2hex(sodium_crypto_generichash("panel-login-csrf\0" . $value, $key, 32));
    }

    private static function open(): void
    {
        if (!is_dir(self::$dir)) {
            @mkdir(self::$dir, 0700);
        }
        session_start([
            'cookie_httponly' => true,
            'cookie_samesite' => 'Strict',
            'cookie_secure' => ($_SERVER['HTTPS'] ?? '') === 'on',
            'cookie_path' => '/',
            'use_strict_mode' => true,
            'gc_probability' => 0, // collect() cleans, at login
        ]);
    }

    private static function end(): void
    {
        $_SESSION = [];
        session_destroy();
        self::forgetCookie(self::NAME, '/');
    }

    /** Removes session files idle longer than IDLE_SECONDS (PHP touches a session's file at each request). */
    private static function collect(): void
    {
        $limit = time() - self::IDLE_SECONDS;
        foreach (glob(self::$dir . '/sess_*') ?: [] as $file) {
            $mtime = @filemtime($file);
            if ($mtime !== false && $mtime < $limit) {
                @unlink($file);
            }
        }
    }

    private static function cookieOptions(string $path, int $expires = 0): array
    {
        return ['expires' => $expires, 'path' => $path, 'httponly' => true, 'samesite' => 'Strict',
            'secure' => ($_SERVER['HTTPS'] ?? '') === 'on'];
    }

    private static function forgetCookie(string $name, string $path): void
    {
        setcookie($name, '', self::cookieOptions($path, 1));
    }
}
