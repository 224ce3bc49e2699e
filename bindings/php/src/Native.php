<?php

// Native.php - how the binding reaches libpanelhost: the FFI scope "panel" that preload.php declared (the
// production setup, ffi.enable=preload: the library is the one panel.h's FFI_LIB names, which make install
// writes), or else FFI::cdef over panel.h (the command line, or ffi.enable=1) with the library found, in this
// order, at:
//   1. PANEL_LIBRARY (the environment: this process's explicit choice, e.g. a test or a build tree);
//   2. [host] library of the panel.ini being opened (the deployment's setting; a relative path is taken from
//      the config's folder). The binding reads that one key itself: libpanelhost cannot be asked before it
//      is loaded;
//   3. a path relative to the package: lib/libpanelhost.so.2 inside it (a package that bundles the library),
//      then ../../../lib/libpanelhost.so.2 (make install's layout: PREFIX/share/panel/php -> PREFIX/lib);
//   4. the soname libpanelhost.so.2, which the dynamic loader finds (ld.so.cache, LD_LIBRARY_PATH).
// Never the working directory: relative paths are made absolute from the config's or the package's folder,
// and a bare soname is never looked up there. Internal to the binding.
declare(strict_types=1);

namespace Panel;

/** @internal */
final class Native
{
    public const SONAME = 'libpanelhost.so.2';
    private static ?\FFI $ffi = null;

    /**
     * The library to load and where that choice came from, e.g. ['/opt/lib/libpanelhost.so.2', '[host] library
     * of /etc/panel/panel.ini'], in the order the file comment gives. configPath: the panel.ini being opened.
     *
     * @return array{0: string, 1: string}
     */
    public static function locate(?string $configPath = null): array
    {
        $path = getenv('PANEL_LIBRARY');
        if (is_string($path) && $path !== '') {
            return [$path, 'PANEL_LIBRARY'];
        }
        if ($configPath !== null) {
            $configured = self::configuredLibrary($configPath);
            if ($configured !== null) {
                $dir = dirname($configPath);
                $absolute = str_starts_with($configured, '/') ? $configured : $dir . '/' . $configured;
                return [$absolute, "[host] library of $configPath"];
            }
        }
        $package = dirname(__DIR__);
        foreach ([$package . '/lib/', $package . '/../../../lib/'] as $dir) {
            if (is_file($dir . self::SONAME)) {
                return [(string)realpath($dir . self::SONAME), 'the package (' . $package . ')'];
            }
        }
        return [self::SONAME, 'the dynamic loader'];
    }

    /** The path or soname to load (locate()'s first part). */
    public static function library(?string $configPath = null): string
    {
        return self::locate($configPath)[0];
    }

    /**
     * The value of `library` in [host] of a panel.ini, null when absent, empty or unreadable (open() then
     * reports the config's problem itself). Read as libpanelhost's parser (inih) reads it: sections in [],
     * ';' or '#' starting a comment line, key and value split at the first '=' or ':', both trimmed.
     */
    public static function configuredLibrary(string $configPath): ?string
    {
        if (str_contains($configPath, "\0")) {
            return null;
        }
        $lines = @file($configPath, FILE_IGNORE_NEW_LINES);
        if ($lines === false) {
            return null;
        }
        $section = '';
        foreach ($lines as $line) {
            $line = trim($line);
            if ($line === '' || $line[0] === ';' || $line[0] === '#') {
                continue;
            }
            if ($line[0] === '[') {
                $end = strpos($line, ']');
                $section = $end === false ? $section : trim(substr($line, 1, $end - 1));
                continue;
            }
            $split = strcspn($line, '=:');
            if ($section !== 'host' || $split === strlen($line) || trim(substr($line, 0, $split)) !== 'library') {
                continue;
            }
            $value = trim(substr($line, $split + 1));
            return $value !== '' ? $value : null;
        }
        return null;
    }

    /** The declarations of panel.h without its FFI_ lines (for FFI::cdef). */
    public static function declarations(): string
    {
        $text = @file_get_contents(__DIR__ . '/../panel.h');
        if ($text === false) {
            throw new PanelException(
                'the binding is incomplete: ' . __DIR__ . '/../panel.h is missing; reinstall it'
            );
        }
        return (string)preg_replace('/^#define FFI_[A-Z]+ .*$/m', '', $text);
    }

    /** The FFI of libpanelhost; configPath (the panel.ini being opened) may name the library, see locate(). */
    public static function ffi(?string $configPath = null): \FFI
    {
        if (self::$ffi !== null) {
            return self::$ffi;
        }
        if (!extension_loaded('ffi')) {
            throw new PanelException("PHP's FFI extension is not loaded; install a PHP with FFI (Debian's php-cli "
                . 'and php-fpm have it) and set ffi.enable=preload with opcache.preload (see the README, '
                . '"Using it from PHP")');
        }
        try {
            return self::$ffi = \FFI::scope('panel');
        } catch (\FFI\Exception) {
            // not preloaded: declare it here (allowed on the command line and with ffi.enable=1)
        }
        [$library, $origin] = self::locate($configPath);
        try {
            return self::$ffi = \FFI::cdef(self::declarations(), $library);
        } catch (\FFI\Exception $e) {
            throw new PanelException(self::explain($e->getMessage(), $library, $origin), 0, $e);
        }
    }

    /** An actionable message for a failure of FFI::load/FFI::cdef. */
    public static function explain(string $message, string $library, string $origin = 'PANEL_LIBRARY'): string
    {
        if (str_contains($message, 'restricted')) {
            return 'FFI is limited to preloaded code here (ffi.enable=preload) and the scope "panel" was not '
                . 'preloaded: set opcache.preload=' . realpath(__DIR__ . '/../preload.php') . ' (and '
                . 'opcache.preload_user when the server starts as root), or ffi.enable=1 for development only';
        }
        if (str_contains($message, 'Failed loading')) {
            return "cannot load libpanelhost ($library, from $origin): $message; install it (make install "
                . 'PREFIX=/usr/local, then ldconfig), name it in panel.ini ([host] library = '
                . '/path/to/libpanelhost.so.2), set PANEL_LIBRARY=/path/to/libpanelhost.so.2, or run with '
                . 'LD_LIBRARY_PATH=build/lib';
        }
        if (str_contains($message, 'Failed resolving')) {
            return "the libpanelhost at $library (from $origin) is older than this binding ($message); install "
                . 'the library of the same release (make install), or point [host] library or PANEL_LIBRARY at it';
        }
        return "cannot declare libpanelhost ($library, from $origin) to FFI: $message";
    }
}
