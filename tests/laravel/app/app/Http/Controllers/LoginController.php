<?php

// LoginController.php - the application's own login and logout (Laravel's session guard over the users of
// storage/users.json), which the panel's route group sits behind.

namespace App\Http\Controllers;

use Illuminate\Http\Request;
use Illuminate\Support\Facades\Auth;

class LoginController
{
    public function show()
    {
        return view('login', ['error' => null]);
    }

    public function login(Request $request)
    {
        $credentials = ['name' => (string)$request->input('name'), 'password' => (string)$request->input('password')];
        if (!Auth::attempt($credentials)) {
            return response()->view('login', ['error' => 'Wrong name or password.'], 401);
        }
        $request->session()->regenerate();
        return redirect()->intended(route('panel.home'));
    }

    public function logout(Request $request)
    {
        Auth::logout();
        $request->session()->invalidate();
        $request->session()->regenerateToken();
        return redirect()->route('login');
    }
}
