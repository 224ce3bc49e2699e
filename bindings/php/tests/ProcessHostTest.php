<?php

// ProcessHostTest.php - the binding's tests: the process-wide host: reused across open(), reopened after
// closeProcess(), CLI changes seen. One test per check the former tests/php/binding_test.php made, in the order
// it made them (the scenario carries on from one test to the next through Scenario, in the order
// phpunit.xml.dist lists the files).

declare(strict_types=1);

namespace Panel\Tests;

use Panel\Host;
use Panel\Tests\Scenario as S;
use PHPUnit\Framework\TestCase;

final class ProcessHostTest extends TestCase
{
    /**
     * @testdox open() again returns the same loaded host (the plugin state carries on)
     */
    public function testOpenAgainReturnsTheSameLoadedHostThePlugin(): void
    {
        // the good fixture's "calls" field: how many times its page was read since it was loaded
        S::$calls = static fn(Host $h): string
            => (string)($h->page('admin', 'fixture/good')['fields'][1]['value'] ?? '');
        $before = (int)(S::$calls)(S::$host);
        $same = Host::open(S::$config);
        $this->assertTrue(
            (int)(S::$calls)($same) > $before
        );
    }

    /**
     * @testdox after closeProcess() the next open() loads the plugins afresh
     */
    public function testAfterCloseProcessTheNextOpenLoadsThePluginsAfresh(): void
    {
        Host::closeProcess();
        $fresh = Host::open(S::$config);
        $this->assertTrue(
            (int)(S::$calls)($fresh) <= 2,
            (S::$calls)($fresh)
        );
    }

    /**
     * @testdox an extension disabled from the CLI is gone at the next open()
     */
    public function testAnExtensionDisabledFromTheCLIIsGoneAt(): void
    {
        S::$sample = S::env('PANEL_TEST_SAMPLE_HOST');
        exec(
            escapeshellarg(S::$sample) . ' -c ' . escapeshellarg(S::$config) . ' extension disable good --yes 2>&1',
            S::$out,
            S::$rc
        );
        $later = Host::open(S::$config);
        $p = $later->page('admin', 'fixture/good');
        $fixtureAuth = $later->authenticate('GET', '/api/v1/ping', '::1', ['X-Fixture' => 'letmein'], Host::ANY_SCOPE);
        $this->assertTrue(
            S::$rc === 0
                && Host::refused($p)
                && $p['code'] === 'not_found'
                && $fixtureAuth['allowed'] === false,
            implode("\n", S::$out) . json_encode($p)
        );
    }

    /**
     * @testdox enabled again, it is back at the next open()
     */
    public function testEnabledAgainItIsBackAtTheNextOpen(): void
    {
        exec(
            escapeshellarg(S::$sample) . ' -c ' . escapeshellarg(S::$config) . ' extension enable good 2>&1',
            S::$out,
            S::$rc
        );
        $this->assertTrue(
            ($Host = Host::open(S::$config))->page('admin', 'fixture/good')['ok'] === true
        );
    }
}
