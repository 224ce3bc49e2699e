<?php

// auth.php - the application's own authentication: the session guard over storage/users.json.

return [
    'defaults' => ['guard' => 'web', 'passwords' => 'users'],
    'guards' => ['web' => ['driver' => 'session', 'provider' => 'users']],
    'providers' => ['users' => ['driver' => 'users-file', 'path' => storage_path('users.json')]],
];
