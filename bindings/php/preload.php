<?php
// preload.php - the production setup of the binding, as PHP's manual recommends for FFI: with
//   ffi.enable=preload
//   opcache.enable=1
//   opcache.preload=/usr/local/share/panel/php/preload.php     (opcache.preload_user=www-data when started as root)
// the server's master process declares libpanelhost once here (FFI::load of panel.h: the scope "panel") and
// compiles the binding's classes, so each request only looks the scope up (FFI::scope, no parsing, no dlopen)
// and the classes need no autoloading. With PANEL_LIBRARY set (in the master's environment) the library is
// loaded from that path instead of the soname. Errors stop the server's start with the reason.
declare(strict_types=1);

(static function (): void {
    $dir = __DIR__;
    $header = $dir . '/panel.h';
    $library = getenv('PANEL_LIBRARY');
    $temporary = null;
    if (is_string($library) && $library !== '') {
        // FFI::load takes FFI_LIB from the file: write a private copy naming the library's path
        $text = (string)file_get_contents($header);
        $text = (string)preg_replace('/^#define FFI_LIB .*$/m', '#define FFI_LIB ' . json_encode($library), $text);
        $temporary = tempnam(sys_get_temp_dir(), 'panel-ffi-');
        if ($temporary === false || file_put_contents($temporary, $text) === false) {
            throw new RuntimeException('panel preload: cannot write the FFI declarations to ' . sys_get_temp_dir());
        }
        $header = $temporary;
    }
    try {
        if (FFI::load($header) === null) {
            throw new RuntimeException('panel preload: FFI::load(' . $dir . '/panel.h) failed; see the warning above '
                . '(is libpanelhost.so.1 installed, or PANEL_LIBRARY set to its path?)');
        }
    } finally {
        if ($temporary !== null) {
            unlink($temporary);
        }
    }
    foreach (['PanelException', 'Native', 'Host'] as $class) {
        require_once $dir . '/src/' . $class . '.php';
    }
})();
