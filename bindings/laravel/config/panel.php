<?php

// panel.php - the configuration of the panel/laravel package (publish it with
// `php artisan vendor:publish --tag=panel-config`): the panel config the binding opens, and who each of the
// application's users is in the panel.

return [
    // The panel config (panel.ini) the binding opens: its plugins ([host] plugins), data directory, API scopes
    // ([host] api_scopes), roles ([role:NAME] permissions) and panel users ([user:NAME] role).
    'config' => env('PANEL_CONFIG', '/etc/panel/panel.ini'),

    // The attribute of the application's authenticated user naming the panel user ([user:NAME] of the panel
    // config) that user acts as: its role holds the panel's permissions, and the panel's audit log names it.
    // A user whose attribute is empty has no panel role: every gate "panel:PERMISSION" denies it. An
    // application that decides otherwise calls Panel\Laravel\Panel::resolveUsersWith(fn ($user) => ...)
    // or defines the gates itself (Gate::define('panel:settings.api_key', ...)).
    'user_attribute' => 'panel_user',
];
