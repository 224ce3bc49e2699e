<?php

// Scenario.php - what the binding's tests share: the environment they run in (a scratch folder, the plugins,
// the sample host, the child PHP command), the panel.ini they write, child PHP processes, and the state one
// test leaves for the next (the scenario runs as the former tests/php/binding_test.php ran it, one test per
// check: the host, the keys handed over, the page descriptors read earlier).

declare(strict_types=1);

namespace Panel\Tests;

use Panel\Host;

final class Scenario
{
    // the environment (set by start())
    public static string $dir = '';
    public static string $plugin = '';
    public static string $fixtures = '';
    public static string $config = '';
    public static string $sample = '';
    // the state carried from one test to the next
    public static ?Host $host = null;
    public static ?Host $h11 = null;
    public static mixed $page = null;
    public static mixed $toggle = null;
    public static mixed $table = null;
    public static mixed $wipe = null;
    public static mixed $enable = null;
    public static mixed $key = null;
    public static mixed $newKey = null;
    public static mixed $old = null;
    public static mixed $new = null;
    public static mixed $a11 = null;
    public static mixed $akActions = null;
    public static mixed $akTables = null;
    public static mixed $byId = null;
    public static mixed $calls = null;
    public static mixed $id = null;
    public static mixed $named = null;
    public static mixed $rolled = null;
    public static mixed $out = null;
    public static mixed $rc = null;

    /** Reads the environment and writes the main config (tests/bootstrap.php calls it once). */
    public static function start(): void
    {
        self::$dir = self::env('PANEL_TEST_DIR');
        self::$plugin = self::env('PANEL_TEST_PLUGIN');
        self::$fixtures = self::env('PANEL_TEST_FIXTURES');
        self::$config = self::$dir . '/a/panel.ini';
        @mkdir(self::$dir . '/a', 0700, true);
        self::writeConfig(self::$config, self::$plugin . ' ' . self::$fixtures . '/good.so');
    }

    /** An environment variable the tests need; stops the run naming it when it is unset. */
    public static function env(string $name): string
    {
        $value = getenv($name);
        if (!is_string($value) || $value === '') {
            fwrite(STDERR, "bindings/php/tests: set $name\n");
            exit(2);
        }
        return $value;
    }

    public static function writeConfig(string $path, string $plugins): void
    {
        $dir = dirname($path);
        file_put_contents($path, "[host]\ndata_dir = $dir/data\nplugins = $plugins\nstore_name = Test Store\n"
            . "currency = EUR\napi_scopes = store.read: Read the store; deliveries.pull: Pull deliveries; "
            . "deliveries.ack: Ack deliveries\n"
            . "[role:owner]\npermissions = *\n[role:support]\npermissions = orders.*, support.*\n"
            . "[role:fixtures]\npermissions = fixture.*\n"
            . "[user:admin]\nrole = owner\n[user:helpdesk]\nrole = support\n[user:tester]\nrole = fixtures\n");
        chmod($path, 0600);
    }

    /**
     * Runs a PHP snippet in a child process (PANEL_TEST_CHILD_PHP: without the preload setup) after requiring
     * autoload (the package's own autoload.php unless named); env: variables to set, a null value unsets
     * one; cwd: the child's working directory (this one's unless named). Returns its output.
     */
    public static function childPhp(
        string $code,
        array $env = [],
        ?string $autoload = null,
        ?string $cwd = null
    ): string {
        $prefix = 'env';
        foreach ($env as $k => $v) {
            $prefix .= $v === null ? ' -u ' . escapeshellarg($k) : ' ' . escapeshellarg($k . '=' . $v);
        }
        $autoload ??= dirname(__DIR__) . '/autoload.php';
        $cmd = ($cwd !== null ? 'cd ' . escapeshellarg($cwd) . ' && ' : '') . $prefix . ' '
            . self::env('PANEL_TEST_CHILD_PHP') . ' -r '
            . escapeshellarg('require ' . var_export($autoload, true) . ';' . $code) . ' 2>&1';
        return (string)shell_exec($cmd);
    }
}
