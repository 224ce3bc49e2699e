<?php

// web.php - the application's own login, and the panel's admin pages mounted in one route group behind its
// authentication (step 3 of the README's Laravel section).

use App\Http\Controllers\LoginController;
use Illuminate\Support\Facades\Route;
use Panel\Laravel\Panel;

Route::get('/login', [LoginController::class, 'show'])->middleware('guest')->name('login');
Route::post('/login', [LoginController::class, 'login'])->middleware('guest');
Route::post('/logout', [LoginController::class, 'logout'])->name('logout');

Route::middleware('auth')->prefix('admin/panel')->group(fn () => Panel::routes());
