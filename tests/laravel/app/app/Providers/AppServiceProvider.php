<?php

// AppServiceProvider.php - the test application's user provider "users-file" (App\Auth\FileUserProvider).

namespace App\Providers;

use App\Auth\FileUserProvider;
use Illuminate\Support\Facades\Auth;
use Illuminate\Support\ServiceProvider;

class AppServiceProvider extends ServiceProvider
{
    public function boot(): void
    {
        Auth::provider('users-file', fn ($app, array $config) => new FileUserProvider($app['hash'], $config['path']));
    }
}
