<?php

// RedirectIfAuthenticated.php - a logged-in user asking for /login goes to the panel.

namespace App\Http\Middleware;

use Closure;
use Illuminate\Http\Request;
use Illuminate\Support\Facades\Auth;

class RedirectIfAuthenticated
{
    public function handle(Request $request, Closure $next)
    {
        return Auth::check() ? redirect()->route('panel.home') : $next($request);
    }
}
