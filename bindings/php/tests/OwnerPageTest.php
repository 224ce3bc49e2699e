<?php

// OwnerPageTest.php - the binding's tests of ABI 1.3's owner-page fields on a host of its own (the abi13 fixture,
// tests/fixtures/abi13.c, page abi13/owner): page() gives the status summary count, each field's availability
// with its reason, and a page action's note beside its availability; available() gives a note too; a plugin
// built for 1.2 (abi12) gives status_summary_lines 0.

declare(strict_types=1);

namespace Panel\Tests;

use Panel\Host;
use Panel\Tests\Scenario as S;
use PHPUnit\Framework\TestCase;

final class OwnerPageTest extends TestCase
{
    private const NOTE = 'The previous key was used 3 minutes ago from 203.0.113.7 (ZonelyPlugin/1.2); ending the '
        . 'grace period now breaks that tool.';
    private static string $config = '';

    public static function setUpBeforeClass(): void
    {
        self::$config = S::$dir . '/owner/panel.ini';
        @mkdir(S::$dir . '/owner', 0700, true);
        S::writeConfig(self::$config, S::$fixtures . '/abi13.so ' . S::$fixtures . '/abi12.so');
        file_put_contents(self::$config, "[plugin:abi13]\ncase = good\n", FILE_APPEND);
    }

    private static function page(string $pageId): array
    {
        $page = Host::open(self::$config)->page('admin', $pageId);
        self::assertTrue($page['ok'], json_encode($page));
        return $page;
    }

    /** @return array<string, array> the page's fields or actions by id */
    private static function byId(array $items): array
    {
        return array_column($items, null, 'id');
    }

    /**
     * @testdox page() gives status_summary_lines: the first 2 of the 4 status lines are the owner's summary
     */
    public function testPageGivesTheStatusSummaryCount(): void
    {
        $page = self::page('abi13/owner');
        $this->assertSame(2, $page['status_summary_lines']);
        $this->assertSame(['API', 'Last request', 'Denied requests', 'Store'], array_column($page['status'], 0));
        $this->assertSame(0, self::page('abi12/page')['status_summary_lines']);
    }

    /**
     * @testdox page() gives each field's availability: a field the plugin says cannot be set now, with its reason
     */
    public function testPageGivesEachFieldSAvailability(): void
    {
        $fields = self::byId(self::page('abi13/owner')['fields']);
        $this->assertSame(['available' => true, 'reason' => null, 'note' => null], array_intersect_key(
            $fields['note'],
            ['available' => 0, 'reason' => 0, 'note' => 0]
        ));
        $this->assertFalse($fields['replace']['available']);
        $this->assertSame('Enable the API first: there is no key to replace.', $fields['replace']['reason']);
    }

    /**
     * @testdox page() and available() give an available action's note; an unavailable one keeps its reason
     */
    public function testAnAvailableActionSNote(): void
    {
        $actions = self::byId(self::page('abi13/owner')['actions']);
        $this->assertTrue($actions['end-grace']['available']);
        $this->assertNull($actions['end-grace']['reason']);
        $this->assertSame(self::NOTE, $actions['end-grace']['note']);
        $this->assertFalse($actions['disable']['available']);
        $this->assertSame('The API is already off.', $actions['disable']['reason']);
        $this->assertNull($actions['disable']['note']);
        $this->assertSame(
            ['available' => true, 'reason' => null, 'note' => self::NOTE],
            Host::open(self::$config)->available('admin', 'abi13/owner', 'end-grace')
        );
    }
}
