<?php

// TableTest.php - the binding's tests: table(): offset, limit, and its refusals. One test per check the former
// tests/php/binding_test.php made, in the order it made them (the scenario carries on from one test to the next
// through Scenario, in the order phpunit.xml.dist lists the files).

declare(strict_types=1);

namespace Panel\Tests;

use Panel\Host;
use Panel\Tests\Scenario as S;
use PHPUnit\Framework\TestCase;

final class TableTest extends TestCase
{
    /**
     * @testdox table() gives rows with offset and limit
     */
    public function testTableGivesRowsWithOffsetAndLimit(): void
    {
        $rows = S::$host->table('admin', 'fixture/good', 'log', offset: 1, limit: 2);
        $this->assertTrue(
            $rows === [['4', 'event'], ['3', 'event']],
            json_encode($rows)
        );
    }

    /**
     * @testdox table() with the default limit gives every row
     */
    public function testTableWithTheDefaultLimitGivesEveryRow(): void
    {
        $rows = S::$host->table('tester', 'fixture/good', 'log');
        $this->assertTrue(
            count($rows) === 5
                && !Host::refused($rows),
            json_encode($rows)
        );
    }

    /**
     * @testdox table() without the permission is a refusal
     */
    public function testTableWithoutThePermissionIsARefusal(): void
    {
        $rows = S::$host->table('helpdesk', 'fixture/good', 'log');
        $this->assertTrue(
            Host::refused($rows)
                && $rows['code'] === 'denied',
            json_encode($rows)
        );
    }

    /**
     * @testdox a negative offset is refused "invalid"
     */
    public function testANegativeOffsetIsRefusedInvalid(): void
    {
        $rows = S::$host->table('admin', 'fixture/good', 'log', offset: -1);
        $this->assertTrue(
            Host::refused($rows)
                && $rows['code'] === 'invalid',
            json_encode($rows)
        );
    }
}
