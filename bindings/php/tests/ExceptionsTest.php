<?php

// ExceptionsTest.php - the binding's tests: PanelException: what a developer must fix (in this process and in
// child PHP processes). One test per check the former tests/php/binding_test.php made, in the order it made them
// (the scenario carries on from one test to the next through Scenario, in the order phpunit.xml.dist lists the
// files).

declare(strict_types=1);

namespace Panel\Tests;

use Panel\Host;
use Panel\PanelException;
use Panel\Tests\Scenario as S;
use PHPUnit\Framework\TestCase;

final class ExceptionsTest extends TestCase
{
    /**
     * @testdox a missing config throws PanelException naming the file, with the library status
     */
    public function testAMissingConfigThrowsPanelExceptionNamingTheFileWith(): void
    {
        try {
            Host::open(S::$dir . '/no-such/panel.ini');
            $this->fail('a missing config throws PanelException');
        } catch (PanelException $e) {
            $this->assertTrue(
                str_contains($e->getMessage(), 'no-such/panel.ini') && $e->getCode() < 0,
                $e->getMessage()
            );
        }
    }

    /**
     * @testdox a plugin of another ABI major throws PanelException with the loader's message
     */
    public function testAPluginOfAnotherABIMajorThrowsPanelExceptionWith(): void
    {
        @mkdir(S::$dir . '/b', 0700, true);
        S::writeConfig(S::$dir . '/b/panel.ini', S::$fixtures . '/good.so ' . S::$fixtures . '/wrong_major.so');
        try {
            Host::open(S::$dir . '/b/panel.ini');
            $this->fail('a plugin of another ABI major throws PanelException');
        } catch (PanelException $e) {
            $this->assertTrue(
                str_contains($e->getMessage(), 'wrong_major.so') && str_contains($e->getMessage(), 'ABI 2.0'),
                $e->getMessage()
            );
        }
    }

    /**
     * @testdox a config others may write throws PanelException
     */
    public function testAConfigOthersMayWriteThrowsPanelException(): void
    {
        @mkdir(S::$dir . '/c', 0700, true);
        S::writeConfig(S::$dir . '/c/panel.ini', S::$fixtures . '/good.so');
        chmod(S::$dir . '/c/panel.ini', 0666);
        try {
            Host::open(S::$dir . '/c/panel.ini');
            $this->fail('a config others may write throws PanelException');
        } catch (PanelException $e) {
            $this->assertTrue(str_contains($e->getMessage(), 'panel.ini'), $e->getMessage());
        }
    }

    /**
     * @testdox a missing library throws PanelException saying how to provide it
     */
    public function testAMissingLibraryThrowsPanelExceptionSayingHowToProvide(): void
    {
        $text = S::childPhp(
            'try { Panel\Host::open("/x"); echo "opened"; } '
                . 'catch (Panel\PanelException $e) { echo "E:", $e->getMessage(); }',
            ['PANEL_LIBRARY' => S::$dir . '/no-such-libpanelhost.so.2']
        );
        $this->assertTrue(
            str_starts_with($text, 'E:cannot load libpanelhost')
                && str_contains($text, 'PANEL_LIBRARY'),
            $text
        );
    }

    /**
     * @testdox without the preload setup (command line) the binding declares the library itself
     */
    public function testWithoutThePreloadSetupCommandLineTheBindingDeclares(): void
    {
        $text = S::childPhp(
            'try { Panel\Host::open(' . var_export(S::$config, true) . '); echo "opened"; } '
                . 'catch (Panel\PanelException $e) { echo "E:", $e->getMessage(); }'
        );
        $this->assertTrue(
            $text === 'opened',
            $text
        );
    }

    /**
     * @testdox a process's first authenticateRequest() opens its host, then answers
     */
    public function testAProcessSFirstAuthenticateRequestOpensItsHostThen(): void
    {
        $text = S::childPhp('echo json_encode(Panel\Host::authenticateRequest(' . var_export(S::$config, true)
            . ', "GET", "/api/v1/ping", "::1", ["X-Fixture" => "letmein"], Panel\Host::ANY_SCOPE));');
        $this->assertTrue(
            $text === '{"allowed":true,"status":200,"error":null,"message":null,"retry_after":0,'
                . '"principal":"fixture:good","label":"Good fixture","scopes":["fixture.read"],"deprecation":null,'
                . '"sunset":null}',
            $text
        );
    }

    /**
     * @testdox authenticateRequest() on a missing config throws PanelException as open() does
     */
    public function testAuthenticateRequestOnAMissingConfigThrowsPanelExceptionAsOpen(): void
    {
        try {
            Host::authenticateRequest(
                S::$dir . '/no-such/panel.ini',
                'GET',
                '/api/v1/ping',
                '::1',
                [],
                Host::ANY_SCOPE
            );
            $this->fail('authenticateRequest() on a missing config throws PanelException');
        } catch (PanelException $e) {
            $this->assertTrue(str_contains($e->getMessage(), 'no-such/panel.ini'), $e->getMessage());
        }
    }
}
