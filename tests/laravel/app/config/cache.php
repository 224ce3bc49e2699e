<?php

// cache.php - a file cache under storage/framework/cache (Laravel's console commands use one).

return [
    'default' => 'file',
    'stores' => ['file' => ['driver' => 'file', 'path' => storage_path('framework/cache/data')]],
    'prefix' => 'panel_test',
];
