<?php

// bootstrap.php - PHPUnit's bootstrap for the binding's tests (phpunit.xml.dist): loads Scenario and writes the
// scenario's config. It loads no class of the binding: under the preload setup (tests/cli/php_binding.sh) the
// first test checks that preload.php compiled them.

declare(strict_types=1);

require __DIR__ . '/Scenario.php';

Panel\Tests\Scenario::start();
