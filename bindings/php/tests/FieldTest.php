<?php

// FieldTest.php - the binding's tests: setField(): the validator's message, confirmation, and its refusals. One
// test per check the former tests/php/binding_test.php made, in the order it made them (the scenario carries on
// from one test to the next through Scenario, in the order phpunit.xml.dist lists the files).

declare(strict_types=1);

namespace Panel\Tests;

use Panel\Tests\Scenario as S;
use PHPUnit\Framework\TestCase;

final class FieldTest extends TestCase
{
    /**
     * @testdox setField() returns the validator's message (and no secret key)
     */
    public function testSetFieldReturnsTheValidatorSMessageAndNoSecret(): void
    {
        $r = S::$host->setField('admin', 'fixture/good', 'text', 'trailing ');
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'invalid'
                && str_contains($r['message'], 'trailing space')
                && !array_key_exists('secret', $r),
            json_encode($r)
        );
    }

    /**
     * @testdox a value with a NUL byte reaches the validator whole (refused)
     */
    public function testAValueWithANULByteReachesTheValidator(): void
    {
        $r = S::$host->setField('admin', 'fixture/good', 'text', "nul\0inside");
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'invalid',
            json_encode($r)
        );
    }

    /**
     * @testdox setField() stores the value
     */
    public function testSetFieldStoresTheValue(): void
    {
        $r = S::$host->setField('admin', 'fixture/good', 'text', 'new text');
        $after = S::$host->page('admin', 'fixture/good');
        $this->assertTrue(
            $r['ok'] === true
                && $r['message'] === 'text saved by admin'
                && ($after['fields'][0]['value'] ?? null) === 'new text',
            json_encode($r)
        );
    }

    /**
     * @testdox a read-only field is refused "invalid"
     */
    public function testAReadOnlyFieldIsRefusedInvalid(): void
    {
        $r = S::$host->setField('admin', 'fixture/good', 'calls', '5');
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'invalid',
            json_encode($r)
        );
    }

    /**
     * @testdox a dangerous field needs confirmed: true
     */
    public function testADangerousFieldNeedsConfirmedTrue(): void
    {
        $r = S::$host->setField('admin', 'fixture/good', 'enabled', '1');
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'confirm'
                && $r['message'] === S::$toggle['confirm'],
            json_encode($r)
        );
    }

    /**
     * @testdox a confirmed dangerous field is set
     */
    public function testAConfirmedDangerousFieldIsSet(): void
    {
        $r = S::$host->setField('admin', 'fixture/good', 'enabled', '1', confirmed: true);
        $this->assertTrue(
            $r['ok'] === true,
            json_encode($r)
        );
    }

    /**
     * @testdox setField() without the permission is refused "denied"
     */
    public function testSetFieldWithoutThePermissionIsRefusedDenied(): void
    {
        $r = S::$host->setField('helpdesk', 'fixture/good', 'text', 'x');
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'denied',
            json_encode($r)
        );
    }
}
