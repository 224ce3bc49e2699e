<?php
// LoginThrottle.php - failed-login throttling of the example panel with the sample host's rules
// (sample-host/admin_auth.c, admin_auth_throttle.c): per user name 5 free failures, per client address 20, then
// the next attempt waits 30 s after the last failure, doubled for each further failure up to 15 min; a streak
// older than 15 min is forgotten; at most 4096 keys per scope (unlocked ones evicted first). A browser with a
// device cookie of that user (OWASP's device cookies: DATA_DIR/php-device.secret signs them) is throttled only by
// its own failures, so others' guesses cannot lock it out. The attempt is reserved (counted as a failure) under an
// exclusive lock on DATA_DIR/php-login-throttle.json BEFORE the password is hashed, and released on success: no
// check-then-act, parallel POSTs get no extra guesses. An unreadable state file fails closed (the base delay).
declare(strict_types=1);

namespace PhpPanel;

final class LoginThrottle
{
    public const DEVICE_COOKIE = 'panel_device';
    public const DEVICE_MAX_AGE = 180 * 24 * 60 * 60;
    private const LIMITS = ['u' => 5, 'a' => 20, 'd' => 5]; // free failures per scope
    private const BASE_DELAY = 30;
    private const MAX_DELAY = 900;
    private const MAX_KEYS = 4096;

    /** @var resource */
    private $file;
    /** @var array<string, array<string, array{0:int,1:int}>> scope => key => [failures, last failure] */
    private array $state = [];
    private array $keys;
    private int $now;

    private function __construct(private string $dir, string $user, string $address, ?string $device)
    {
        $this->now = time();
        $deviceId = $device !== null ? self::deviceId($dir, $user, $device) : null;
        $this->keys = $deviceId !== null ? ['d' => $deviceId] : ['u' => $user, 'a' => $address];
    }

    /**
     * Reserves one attempt for ($user, $address, $device cookie or null). Returns [throttle, 0] when the attempt may
     * go on (call succeeded() or nothing after checking the password), or [null, seconds to wait].
     */
    public static function reserve(string $dataDir, string $user, string $address, ?string $device): array
    {
        $t = new self($dataDir, $user, $address, $device);
        $path = "$dataDir/php-login-throttle.json";
        $file = @fopen($path, 'c+');
        if ($file === false || !flock($file, LOCK_EX)) {
            error_log("panel: cannot open or lock $path; logins wait until it can be");
            return [null, self::BASE_DELAY]; // fail closed
        }
        @chmod($path, 0600);
        $t->file = $file;
        $text = stream_get_contents($file);
        $state = $text === '' || $text === false ? [] : json_decode($text, true);
        if (!is_array($state)) {
            $t->unlock();
            error_log("panel: $path is damaged; remove it to reset the login throttle");
            return [null, self::BASE_DELAY];
        }
        $t->state = $state;
        $wait = 0;
        foreach ($t->keys as $scope => $key) {
            [$failures, $last] = $t->state[$scope][$key] ?? [0, 0];
            $wait = max($wait, self::waitAfter($scope, (int)$failures, (int)$last, $t->now));
        }
        if ($wait > 0) {
            $t->unlock();
            return [null, $wait];
        }
        foreach ($t->keys as $scope => $key) {
            $t->fail($scope, $key);
        }
        $t->save();
        return [$t, 0];
    }

    /** The password was right: the reservation is released (the user's or device's streak cleared). */
    public function succeeded(): void
    {
        $file = @fopen("$this->dir/php-login-throttle.json", 'c+');
        if ($file === false || !flock($file, LOCK_EX)) {
            return;
        }
        $this->file = $file;
        $state = json_decode((string)stream_get_contents($file), true);
        $this->state = is_array($state) ? $state : [];
        foreach ($this->keys as $scope => $key) {
            if ($scope === 'a') {
                if (isset($this->state['a'][$key]) && --$this->state['a'][$key][0] <= 0) {
                    unset($this->state['a'][$key]);
                }
            } else {
                unset($this->state[$scope][$key]);
            }
        }
        $this->save();
    }

    /** A fresh device cookie for $user: a random nonce and its keyed MAC, hex. */
    public static function deviceToken(string $dataDir, string $user): ?string
    {
        $key = self::secret($dataDir);
        if ($key === null) {
            return null;
        }
        $nonce = random_bytes(16);
        return bin2hex($nonce) . bin2hex(self::mac($key, $user, $nonce));
    }

    private static function deviceId(string $dataDir, string $user, string $token): ?string
    {
        if (!preg_match('/^[0-9a-f]{96}$/', $token) || ($key = self::secret($dataDir)) === null) {
            return null;
        }
        $nonce = (string)hex2bin(substr($token, 0, 32));
        return hash_equals(bin2hex(self::mac($key, $user, $nonce)), substr($token, 32)) ? substr($token, 0, 32) : null;
    }

    private static function mac(string $key, string $user, string $nonce): string
    {
        return sodium_crypto_generichash("panel-device\0" . $user . "\0" . $nonce, $key, 32);
    }

    /** The panel's key, DATA_DIR/php-device.secret (32 bytes, 0600, made on first use; signs device cookies and the
     * login form's CSRF token); null (logged) when unusable. */
    public static function secret(string $dataDir): ?string
    {
        $path = "$dataDir/php-device.secret";
        $key = @file_get_contents($path);
        if ($key === false) {
            // written whole under a temporary name, then linked: a worker never reads half a key, and when
            // two make one at once, the first link wins and both use it
            $tmp = "$path." . bin2hex(random_bytes(8));
            $file = @fopen($tmp, 'x');
            if ($file !== false) {
                $ok = chmod($tmp, 0600) && fwrite($file, random_bytes(32)) === 32; // 0600 before the key is in it
                fclose($file);
                if ($ok) {
                    @link($tmp, $path);
                }
            }
            @unlink($tmp);
            $key = @file_get_contents($path);
        }
        if (!is_string($key) || strlen($key) !== 32) {
            error_log("panel: $path is missing or damaged (not 32 bytes); remove it (browsers then count as new devices)");
            return null;
        }
        return $key;
    }

    private static function waitAfter(string $scope, int $failures, int $last, int $now): int
    {
        $free = self::LIMITS[$scope];
        if ($failures < $free) {
            return 0;
        }
        $delay = min(self::BASE_DELAY << min($failures - $free, 20), self::MAX_DELAY);
        return max(0, $last + $delay - $now);
    }

    private function fail(string $scope, string $key): void
    {
        $rows = $this->state[$scope] ?? [];
        // forget streaks older than the longest delay, then make room (unlocked first, least-failed, oldest)
        $rows = array_filter($rows, fn($r) => $this->now - (int)$r[1] <= self::MAX_DELAY);
        if (!isset($rows[$key]) && count($rows) >= self::MAX_KEYS) {
            uasort($rows, fn($x, $y) => [self::waitAfter($scope, $x[0], $x[1], $this->now) > 0, $x[0], $x[1]]
                <=> [self::waitAfter($scope, $y[0], $y[1], $this->now) > 0, $y[0], $y[1]]);
            $rows = array_slice($rows, count($rows) - self::MAX_KEYS + 1, null, true);
        }
        [$failures] = $rows[$key] ?? [0, 0];
        $rows[$key] = [min((int)$failures + 1, 1000000), $this->now];
        $this->state[$scope] = $rows;
    }

    private function save(): void
    {
        ftruncate($this->file, 0);
        rewind($this->file);
        fwrite($this->file, (string)json_encode($this->state));
        fflush($this->file);
        $this->unlock();
    }

    private function unlock(): void
    {
        flock($this->file, LOCK_UN);
        fclose($this->file);
    }
}
