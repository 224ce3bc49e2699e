<?php

// LibraryTest.php - the binding as a package: where it finds libpanelhost (PANEL_LIBRARY, then [host] library
// of the panel.ini being opened, then a path relative to the package, then the soname; never the working
// directory), and its classes autoloaded by PSR-4 through Composer's generated autoloader (composer
// dump-autoload in a copy of the package) as well as through its own autoload.php. Runs after the scenario.

declare(strict_types=1);

namespace Panel\Tests;

use Panel\Native;
use Panel\Tests\Scenario as S;
use PHPUnit\Framework\TestCase;

final class LibraryTest extends TestCase
{
    /** A copy of the package laid out as make install lays it out: PREFIX/share/panel/php, PREFIX/lib. */
    private static string $copy = '';

    public static function setUpBeforeClass(): void
    {
        $prefix = S::$dir . '/prefix';
        self::$copy = $prefix . '/share/panel/php';
        @mkdir(self::$copy . '/src', 0700, true);
        @mkdir($prefix . '/lib', 0700, true);
        $package = dirname(__DIR__);
        foreach (['composer.json', 'autoload.php', 'preload.php', 'panel.h'] as $file) {
            copy($package . '/' . $file, self::$copy . '/' . $file);
        }
        foreach (glob($package . '/src/*.php') as $file) {
            copy($file, self::$copy . '/src/' . basename($file));
        }
        @symlink(self::builtLibrary(), $prefix . '/lib/' . Native::SONAME);
    }

    /** The libpanelhost the tests run against (the build's, on LD_LIBRARY_PATH). */
    private static function builtLibrary(): string
    {
        foreach (explode(':', (string)getenv('LD_LIBRARY_PATH')) as $dir) {
            if ($dir !== '' && is_file($dir . '/' . Native::SONAME)) {
                return (string)realpath($dir . '/' . Native::SONAME);
            }
        }
        self::fail('the build\'s ' . Native::SONAME . ' is on LD_LIBRARY_PATH');
    }

    /** Writes a panel.ini in a folder of its own under the scratch folder with `extra` appended to [host]. */
    private static function config(string $name, string $extra): string
    {
        @mkdir(S::$dir . '/' . $name, 0700, true);
        $path = S::$dir . '/' . $name . '/panel.ini';
        S::writeConfig($path, S::$fixtures . '/good.so');
        $text = (string)file_get_contents($path);
        file_put_contents($path, str_replace("[host]\n", "[host]\n" . $extra, $text));
        return $path;
    }

    /**
     * @testdox Native::SONAME is libpanelhost.so.2
     */
    public function testSoname(): void
    {
        $this->assertSame('libpanelhost.so.2', Native::SONAME);
    }

    /**
     * @testdox [host] library is read from [host] only, as libpanelhost's parser reads it (comments, ':' too)
     */
    public function testConfiguredLibraryReadsHostOnly(): void
    {
        $path = S::$dir . '/parse.ini';
        file_put_contents($path, "; library = /commented\n[plugin:x]\nlibrary = /other-section\n[host]\n"
            . "# library = /commented-too\n  library :  /opt/panel/lib/libpanelhost.so.2  \n");
        $empty = S::$dir . '/empty.ini';
        file_put_contents($empty, "[host]\nlibrary =\n");
        $this->assertSame(
            ['/opt/panel/lib/libpanelhost.so.2', null, null],
            [Native::configuredLibrary($path), Native::configuredLibrary($empty),
                Native::configuredLibrary(S::$dir . '/no-such.ini')]
        );
    }

    /**
     * @testdox a relative [host] library is taken from the config's folder, not the working directory
     */
    public function testRelativeLibraryFromConfigFolder(): void
    {
        $config = self::config('rel', "library = lib/libpanelhost.so.2\n");
        $cwd = getcwd();
        chdir(S::$dir);
        try {
            $found = Native::locate($config);
        } finally {
            chdir((string)$cwd);
        }
        $this->assertSame([S::$dir . '/rel/lib/libpanelhost.so.2', "[host] library of $config"], $found);
    }

    /**
     * @testdox PANEL_LIBRARY comes before [host] library
     */
    public function testEnvironmentBeforeConfig(): void
    {
        $config = self::config('env', "library = /from/the/config.so\n");
        putenv('PANEL_LIBRARY=/from/the/environment.so');
        try {
            $found = Native::locate($config);
        } finally {
            putenv('PANEL_LIBRARY');
        }
        $this->assertSame(['/from/the/environment.so', 'PANEL_LIBRARY'], $found);
        $this->assertSame(['/from/the/config.so', "[host] library of $config"], Native::locate($config));
    }

    /**
     * @testdox without a setting the soname is left to the dynamic loader, never looked up in the working directory
     */
    public function testSonameNeverWorkingDirectory(): void
    {
        $config = self::config('plain', '');
        @symlink(self::builtLibrary(), S::$dir . '/plain/' . Native::SONAME);
        $text = S::childPhp(
            'echo json_encode(Panel\Native::locate(' . var_export($config, true) . ')), "\n"; '
                . 'try { Panel\Native::ffi(' . var_export($config, true) . '); echo "loaded"; } '
                . 'catch (Panel\PanelException $e) { echo "E:", $e->getMessage(); }',
            ['LD_LIBRARY_PATH' => null, 'PANEL_LIBRARY' => null],
            null,
            S::$dir . '/plain'
        );
        [$located, $outcome] = explode("\n", $text, 2) + ['', ''];
        $this->assertSame('["libpanelhost.so.2","the dynamic loader"]', $located, $text);
        // the build's library is in the working directory; only an installed one may be found
        $expected = self::systemHasLibrary() ? 'loaded'
            : 'E:cannot load libpanelhost (libpanelhost.so.2, from the dynamic loader)';
        $this->assertStringStartsWith($expected, $outcome, $text);
    }

    /** True when the dynamic loader knows an installed libpanelhost (ldconfig's cache). */
    private static function systemHasLibrary(): bool
    {
        return str_contains((string)shell_exec('/sbin/ldconfig -p 2>/dev/null'), Native::SONAME);
    }

    /**
     * @testdox [host] library names the library to load (no LD_LIBRARY_PATH, no PANEL_LIBRARY)
     */
    public function testConfigNamesLibrary(): void
    {
        $config = self::config('named', 'library = ' . self::builtLibrary() . "\n");
        $text = S::childPhp(
            'try { Panel\Native::ffi(' . var_export($config, true) . '); echo "loaded"; } '
                . 'catch (Panel\PanelException $e) { echo "E:", $e->getMessage(); }',
            ['LD_LIBRARY_PATH' => null, 'PANEL_LIBRARY' => null]
        );
        $this->assertSame('loaded', $text);
    }

    /**
     * @testdox a copy installed as make install lays it out finds PREFIX/lib's library itself and opens a host
     */
    public function testPackageRelativeLibrary(): void
    {
        $text = S::childPhp(
            'echo Panel\Native::locate()[1], "|", (new ReflectionClass(Panel\Host::class))->getFileName(), "|"; '
                . 'try { Panel\Host::open(' . var_export(S::$config, true) . '); echo "opened"; } '
                . 'catch (Panel\PanelException $e) { echo "E:", $e->getMessage(); }',
            ['LD_LIBRARY_PATH' => null, 'PANEL_LIBRARY' => null],
            self::$copy . '/autoload.php'
        );
        $this->assertSame(
            'the package (' . self::$copy . ')|' . self::$copy . '/src/Host.php|opened',
            $text
        );
    }

    /**
     * @testdox Composer's generated autoloader loads Panel\ by PSR-4 from src/ (composer dump-autoload)
     */
    public function testComposerAutoload(): void
    {
        exec('cd ' . escapeshellarg(self::$copy) . ' && ' . self::composer() . ' dump-autoload 2>&1', $out, $rc);
        $this->assertSame(0, $rc, implode("\n", $out));
        $text = S::childPhp(
            'echo (new ReflectionClass(Panel\Host::class))->getFileName(), "|", '
                . 'implode(",", get_included_files()), "|"; '
                . 'try { Panel\Host::open(' . var_export(S::$config, true) . '); echo "opened"; } '
                . 'catch (Panel\PanelException $e) { echo "E:", $e->getMessage(); }',
            [],
            self::$copy . '/vendor/autoload.php'
        );
        [$file, $included, $outcome] = explode('|', $text, 3) + ['', '', ''];
        $this->assertSame(self::$copy . '/src/Host.php', $file, $text);
        $this->assertStringNotContainsString(self::$copy . '/autoload.php', $included);
        $this->assertSame('opened', $outcome, $text);
    }

    /**
     * @testdox the package's own autoload.php loads Panel\ from src/
     */
    public function testOwnAutoload(): void
    {
        $text = S::childPhp(
            'echo (new ReflectionClass(Panel\PanelException::class))->getFileName();',
            [],
            self::$copy . '/autoload.php'
        );
        $this->assertSame(self::$copy . '/src/PanelException.php', $text);
    }

    /** The composer command, as root too, with a scratch home (dump-autoload needs no network). */
    private static function composer(): string
    {
        return 'COMPOSER_ALLOW_SUPERUSER=1 COMPOSER_HOME=' . escapeshellarg(S::$dir . '/composer-home')
            . ' composer --no-interaction --no-ansi';
    }
}
