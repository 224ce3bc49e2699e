<?php

// view.php - Blade: the application's views, compiled under storage/framework/views.

return [
    'paths' => [resource_path('views')],
    'compiled' => storage_path('framework/views'),
];
