<?php

// api.php - the application's API behind the panel's apikey middleware (step 2 of the README's Laravel
// section): each route names the scope it requires, or apikey:any.

use App\Http\Controllers\ApiController;
use Illuminate\Support\Facades\Route;

Route::get('/healthz', [ApiController::class, 'ping']);
Route::get('/api/v1/ping', [ApiController::class, 'ping'])->middleware('apikey:any');
Route::get('/api/v1/whoami', [ApiController::class, 'whoami'])->middleware('apikey:any');
Route::get('/api/v1/store', [ApiController::class, 'store'])->middleware('apikey:store.read');
// a developer's mistake the middleware refuses (500, never the route): no scope named
Route::get('/api/v1/unscoped', [ApiController::class, 'ping'])->middleware('apikey');
