<?php
// Native.php - how the binding reaches libpanelhost: the FFI scope "panel" that preload.php declared (the
// production setup, ffi.enable=preload), or else FFI::cdef over panel.h (the command line, or ffi.enable=1),
// with the library found the way the dynamic loader finds it (soname libpanelhost.so.2: an installed library,
// LD_LIBRARY_PATH=build/lib) or at PANEL_LIBRARY. Internal to the binding.
declare(strict_types=1);

namespace Panel;

/** @internal */
final class Native
{
    public const SONAME = 'libpanelhost.so.2';
    private static ?\FFI $ffi = null;

    /** The path or soname to load: PANEL_LIBRARY when set, else the soname. */
    public static function library(): string
    {
        $path = getenv('PANEL_LIBRARY');
        return is_string($path) && $path !== '' ? $path : self::SONAME;
    }

    /** The declarations of panel.h without its FFI_ lines (for FFI::cdef). */
    public static function declarations(): string
    {
        $text = @file_get_contents(__DIR__ . '/../panel.h');
        if ($text === false) {
            throw new PanelException('the binding is incomplete: ' . __DIR__ . '/../panel.h is missing; reinstall it');
        }
        return (string)preg_replace('/^#define FFI_[A-Z]+ .*$/m', '', $text);
    }

    public static function ffi(): \FFI
    {
        if (self::$ffi !== null) {
            return self::$ffi;
        }
        if (!extension_loaded('ffi')) {
            throw new PanelException("PHP's FFI extension is not loaded; install a PHP with FFI (Debian's php-cli and "
                . 'php-fpm have it) and set ffi.enable=preload with opcache.preload (see the README, "Using it from PHP")');
        }
        try {
            return self::$ffi = \FFI::scope('panel');
        } catch (\FFI\Exception) {
            // not preloaded: declare it here (allowed on the command line and with ffi.enable=1)
        }
        $library = self::library();
        try {
            return self::$ffi = \FFI::cdef(self::declarations(), $library);
        } catch (\FFI\Exception $e) {
            throw new PanelException(self::explain($e->getMessage(), $library), 0, $e);
        }
    }

    /** An actionable message for a failure of FFI::load/FFI::cdef. */
    public static function explain(string $message, string $library): string
    {
        if (str_contains($message, 'restricted')) {
            return 'FFI is limited to preloaded code here (ffi.enable=preload) and the scope "panel" was not preloaded: '
                . 'set opcache.preload=' . realpath(__DIR__ . '/../preload.php') . ' (and opcache.preload_user when the '
                . 'server starts as root), or ffi.enable=1 for development only';
        }
        if (str_contains($message, 'Failed loading')) {
            return "cannot load libpanelhost ($library): $message; install it (make install PREFIX=/usr/local, then "
                . 'ldconfig), run with LD_LIBRARY_PATH=build/lib, or set PANEL_LIBRARY=/path/to/libpanelhost.so.2';
        }
        if (str_contains($message, 'Failed resolving')) {
            return "the libpanelhost at $library is older than this binding ($message); install the library of the same "
                . 'release (make install), or point PANEL_LIBRARY at it';
        }
        return "cannot declare libpanelhost ($library) to FFI: $message";
    }
}
