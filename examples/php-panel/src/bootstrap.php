<?php
// bootstrap.php - what every request of the example panel needs: the binding (preloaded in production, else
// its autoloader: Composer's vendor/autoload.php or bindings/php/autoload.php), the panel's own classes, and
// where panel.ini is ($PANEL_CONFIG, default the sample host's sample-host/panel.ini).
declare(strict_types=1);

if (!class_exists(Panel\Host::class)) {
    $vendor = __DIR__ . '/../vendor/autoload.php';
    require is_file($vendor) ? $vendor : __DIR__ . '/../../../bindings/php/autoload.php';
}
spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'PhpPanel\\')) {
        require __DIR__ . '/' . substr($class, 9) . '.php';
    }
});

function panel_config(): string
{
    $path = getenv('PANEL_CONFIG');
    return is_string($path) && $path !== '' ? $path : __DIR__ . '/../../../sample-host/panel.ini';
}
