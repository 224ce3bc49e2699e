<?php

// preload.php - the production setup of the binding, as PHP's manual recommends for FFI (README, "Using it
// from PHP"):
//   ffi.enable=preload
//   ffi.preload=/usr/local/share/panel/php/panel.h       declares the scope "panel" at startup
//   opcache.enable=1
//   opcache.preload=/usr/local/share/panel/php/preload.php
//   opcache.preload_user=www-data                        when the server starts as root
// This script compiles the binding's classes into the preloaded code, where FFI may be used under
// ffi.enable=preload; each request then only looks the scope up (FFI::scope: no parsing, no dlopen). Without
// ffi.preload it declares the scope itself with FFI::load(panel.h), which PHP allows only when no
// opcache.preload_user is in effect (not as root). Errors stop the server's start with the reason.
declare(strict_types=1);

(static function (): void {
    $dir = __DIR__;
    try {
        FFI::scope('panel');
    } catch (FFI\Exception) {
        try {
            $ffi = FFI::load($dir . '/panel.h');
        } catch (FFI\Exception $e) {
            throw new RuntimeException('panel preload: cannot declare libpanelhost to FFI: ' . $e->getMessage()
                . '; set ffi.preload=' . $dir . '/panel.h (needed when the server starts as root), and make sure '
                . 'the library its FFI_LIB names loads (make install, or LD_LIBRARY_PATH for a build tree)');
        }
        if ($ffi === null) {
            throw new RuntimeException('panel preload: FFI::load(' . $dir . '/panel.h) failed (see the warning above)');
        }
    }
    foreach (['PanelException', 'Native', 'Authentication', 'Descriptors', 'LeakReport', 'Host'] as $class) {
        require_once $dir . '/src/' . $class . '.php';
    }
})();
