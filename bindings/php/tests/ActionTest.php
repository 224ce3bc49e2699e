<?php

// ActionTest.php - the binding's tests: action(): confirmation, the one-time secret, parameters, and its
// refusals. One test per check the former tests/php/binding_test.php made, in the order it made them (the
// scenario carries on from one test to the next through Scenario, in the order phpunit.xml.dist lists the
// files).

declare(strict_types=1);

namespace Panel\Tests;

use Panel\Tests\Scenario as S;
use PHPUnit\Framework\TestCase;

final class ActionTest extends TestCase
{
    /**
     * @testdox a dangerous action without confirmed: true is refused with its confirmation text
     */
    public function testADangerousActionWithoutConfirmedTrueIsRefusedWith(): void
    {
        $r = S::$host->action('admin', 'fixture/good', 'wipe', ['mode' => '0']);
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'confirm'
                && $r['message'] === S::$wipe['confirm']
                && $r['secret'] === null,
            json_encode($r)
        );
    }

    /**
     * @testdox a confirmed action runs and hands over its secret
     */
    public function testAConfirmedActionRunsAndHandsOverItsSecret(): void
    {
        $r = S::$host->action(
            'admin',
            'fixture/good',
            'wipe',
            ['mode' => '24h', 'note' => 'n'],
            confirmed: true,
            clientAddr: '203.0.113.5'
        );
        $this->assertTrue(
            $r['ok'] === true
                && $r['code'] === null
                && str_contains($r['message'], 'mode 24h')
                && $r['secret'] === 'fixture-secret-24h',
            json_encode($r)
        );
    }

    /**
     * @testdox a value outside the enum is refused "invalid"
     */
    public function testAValueOutsideTheEnumIsRefusedInvalid(): void
    {
        $r = S::$host->action('admin', 'fixture/good', 'wipe', ['mode' => 'nosuch'], confirmed: true);
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'invalid'
                && $r['secret'] === null,
            json_encode($r)
        );
    }

    /**
     * @testdox a missing required parameter is refused "invalid"
     */
    public function testAMissingRequiredParameterIsRefusedInvalid(): void
    {
        $r = S::$host->action('admin', 'fixture/good', 'echo', []);
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'invalid',
            json_encode($r)
        );
    }

    /**
     * @testdox an unknown parameter is refused "invalid"
     */
    public function testAnUnknownParameterIsRefusedInvalid(): void
    {
        $r = S::$host->action('admin', 'fixture/good', 'echo', ['text' => 'hi', 'bogus' => 'x']);
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'invalid',
            json_encode($r)
        );
    }

    /**
     * @testdox an action without a secret gives secret null
     */
    public function testAnActionWithoutASecretGivesSecretNull(): void
    {
        $r = S::$host->action('admin', 'fixture/good', 'echo', ['text' => 'héllo']);
        $this->assertTrue(
            $r['ok'] === true
                && $r['message'] === 'echo: héllo'
                && $r['secret'] === null,
            json_encode($r)
        );
    }

    /**
     * @testdox an action without the permission is refused "denied"
     */
    public function testAnActionWithoutThePermissionIsRefusedDenied(): void
    {
        $r = S::$host->action('helpdesk', 'fixture/good', 'echo', ['text' => 'hi']);
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'denied',
            json_encode($r)
        );
    }

    /**
     * @testdox an unknown action is refused "not_found"
     */
    public function testAnUnknownActionIsRefusedNotFound(): void
    {
        $r = S::$host->action('admin', 'fixture/good', 'nosuch');
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'not_found',
            json_encode($r)
        );
    }
}
