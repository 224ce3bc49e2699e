<?php

// PanelServiceProvider.php - what Laravel's package discovery loads (composer.json extra.laravel.providers): the
// config "panel" (merged from the package's config/panel.php, publishable with the tag panel-config), the route
// middleware alias "apikey" (apikey:SCOPE, apikey:any) and the Blade views "panel::" (publishable with the tag
// panel-views). The admin routes are mounted by the application (Panel::routes() in its route group).

declare(strict_types=1);

namespace Panel\Laravel;

use Illuminate\Routing\Router;
use Illuminate\Support\ServiceProvider;
use Panel\Laravel\Http\Middleware\AuthenticateApiKey;

final class PanelServiceProvider extends ServiceProvider
{
    public function register(): void
    {
        $this->mergeConfigFrom(__DIR__ . '/../config/panel.php', 'panel');
    }

    public function boot(Router $router): void
    {
        $router->aliasMiddleware('apikey', AuthenticateApiKey::class);
        $this->loadViewsFrom(__DIR__ . '/../resources/views', 'panel');
        if ($this->app->runningInConsole()) {
            $this->publishes([__DIR__ . '/../config/panel.php' => config_path('panel.php')], 'panel-config');
            $this->publishes(
                [__DIR__ . '/../resources/views' => resource_path('views/vendor/panel')],
                'panel-views'
            );
        }
    }
}
