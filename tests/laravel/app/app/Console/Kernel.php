<?php

// Kernel.php - the test application's console kernel (Laravel's commands: vendor:publish, route:list, ...).

namespace App\Console;

use Illuminate\Foundation\Console\Kernel as ConsoleKernel;

class Kernel extends ConsoleKernel
{
    protected $commands = [];
}
