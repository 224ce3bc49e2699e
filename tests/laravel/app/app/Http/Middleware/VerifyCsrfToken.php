<?php

// VerifyCsrfToken.php - Laravel's CSRF check on every POST of the web group.

namespace App\Http\Middleware;

use Illuminate\Foundation\Http\Middleware\VerifyCsrfToken as Middleware;

class VerifyCsrfToken extends Middleware
{
    protected $except = [];
}
