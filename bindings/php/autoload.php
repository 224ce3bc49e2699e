<?php

// autoload.php - for projects without Composer: require this file to autoload Panel\ (PSR-4, src/), as
// Composer's autoloader does with this package's composer.json. Under the preload setup the classes are
// already loaded and this does nothing.
declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'Panel\\')) {
        $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, 6)) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
