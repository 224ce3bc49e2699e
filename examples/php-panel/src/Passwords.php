<?php
// Passwords.php - logins against the users of panel.ini with the sample host's password file,
// DATA_DIR/admin-passwords ("user:hash" lines; the hashes are standard argon2id strings from libsodium's
// crypto_pwhash_str, which password_verify reads). An unknown user costs the same as a wrong password: it is
// checked against DUMMY, a hash made once with the parameters of the real ones (libsodium's INTERACTIVE limits,
// argon2id m=64 MiB t=2 p=1, as sample-host passwd writes them) of a random password nobody kept.
declare(strict_types=1);

namespace PhpPanel;

use Panel\Host;

final class Passwords
{
    // sodium_crypto_pwhash_str(random, SODIUM_CRYPTO_PWHASH_OPSLIMIT_INTERACTIVE, SODIUM_CRYPTO_PWHASH_MEMLIMIT_INTERACTIVE)
    private const DUMMY = '$argon2id$v=19$m=65536,t=2,p=1$0maES94C1iAdbkZBpm72QA$zdIrJbk/x3Ptp/waIj/dD/VQQEKbWdKm+lQluxvNJLo';

    public static function verify(Host $host, string $user, string $password): bool
    {
        $hash = self::hashOf($host, $user);
        $ok = password_verify($password, $hash ?? self::DUMMY);
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
