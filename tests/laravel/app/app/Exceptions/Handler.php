<?php

// Handler.php - Laravel's exception handler, as the skeleton has it.

namespace App\Exceptions;

use Illuminate\Foundation\Exceptions\Handler as ExceptionHandler;

class Handler extends ExceptionHandler
{
    protected $dontFlash = ['password'];
}
