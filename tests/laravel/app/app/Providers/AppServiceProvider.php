<?php

// AppServiceProvider.php - the test application's user provider "users-file" (App\Auth\FileUserProvider), and
// its own say over the panel's gates: a suspended user passes none of them, whatever their panel user's role.

namespace App\Providers;

use App\Auth\FileUserProvider;
use Illuminate\Support\Facades\Auth;
use Illuminate\Support\Facades\Gate;
use Illuminate\Support\ServiceProvider;

class AppServiceProvider extends ServiceProvider
{
    public function boot(): void
    {
        Auth::provider('users-file', fn ($app, array $config) => new FileUserProvider($app['hash'], $config['path']));
        Gate::before(fn ($user, string $ability) => str_starts_with($ability, 'panel:') && ($user->suspended ?? false)
            ? false : null);
    }
}
