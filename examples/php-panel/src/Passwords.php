<?php
// Passwords.php - logins against the users of panel.ini with the sample host's password file,
// DATA_DIR/admin-passwords ("user:hash" lines; the hashes are standard argon2id strings from libsodium's
// crypto_pwhash_str, which password_verify reads). An unknown user costs the same as a wrong password.
declare(strict_types=1);

namespace PhpPanel;

use Panel\Host;

final class Passwords
{
    public static function verify(Host $host, string $user, string $password): bool
    {
        static $dummy = null;
        $dummy ??= password_hash(random_bytes(16), PASSWORD_ARGON2ID);
        $hash = self::hashOf($host, $user);
        $ok = password_verify($password, $hash ?? $dummy);
        return $ok && $hash !== null;
    }

    /** The stored hash of a config user, or null (not in the config, no password set, file unreadable). */
    private static function hashOf(Host $host, string $user): ?string
    {
        if ($user === '' || !preg_match('/^[A-Za-z0-9_.-]{1,64}$/', $user) || $host->config("user:$user", 'role') === null) {
            return null;
        }
        $file = $host->dataDir() . '/admin-passwords';
        $lines = @file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES);
        if ($lines === false) {
            error_log("panel: cannot read $file (set a password: sample-host passwd $user)");
            return null;
        }
        foreach ($lines as $line) {
            [$name, $hash] = array_pad(explode(':', $line, 2), 2, '');
            if (hash_equals($name, $user) && str_starts_with($hash, '$argon2id$')) {
                return $hash;
            }
        }
        return null;
    }
}
