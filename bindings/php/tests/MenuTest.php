<?php

// MenuTest.php - the binding's tests: open(), config(), dataDir() and menu(). One test per check the former
// tests/php/binding_test.php made, in the order it made them (the scenario carries on from one test to the next
// through Scenario, in the order phpunit.xml.dist lists the files).

declare(strict_types=1);

namespace Panel\Tests;

use Panel\Host;
use Panel\Tests\Scenario as S;
use PHPUnit\Framework\TestCase;

final class MenuTest extends TestCase
{
    /**
     * @testdox config() reads panel.ini values (null when unset)
     */
    public function testConfigReadsPanelIniValuesNullWhenUnset(): void
    {
        S::$host = Host::open(S::$config);
        $this->assertTrue(
            S::$host->config('host', 'store_name') === 'Test Store'
                && S::$host->config('host', 'nope') === null
        );
    }

    /**
     * @testdox dataDir() is the resolved data directory
     */
    public function testDataDirIsTheResolvedDataDirectory(): void
    {
        $this->assertTrue(
            S::$host->dataDir() === realpath(S::$dir . '/a/data'),
            S::$host->dataDir()
        );
    }

    /**
     * @testdox menu() lists the entries with path and page
     */
    public function testMenuListsTheEntriesWithPathAndPage(): void
    {
        $menu = S::$host->menu('admin');
        $this->assertTrue(
            in_array(['path' => 'Settings > API Key', 'page' => 'settings/api-key'], $menu, true)
                && in_array(['path' => 'Tools > Good Fixture', 'page' => 'fixture/good'], $menu, true),
            json_encode($menu)
        );
    }

    /**
     * @testdox a user without the permissions sees no menu entry
     */
    public function testAUserWithoutThePermissionsSeesNoMenuEntry(): void
    {
        $this->assertTrue(
            S::$host->menu('helpdesk') === [],
            json_encode(S::$host->menu('helpdesk'))
        );
    }

    /**
     * @testdox an unknown user sees no menu
     */
    public function testAnUnknownUserSeesNoMenu(): void
    {
        $this->assertTrue(
            S::$host->menu('nosuchuser') === []
        );
    }

    /**
     * @testdox permission() names a page's permission and roleAllows() decides as the library does
     */
    public function testPermissionAndRoleAllows(): void
    {
        $this->assertTrue(
            S::$host->permission('settings/api-key') === 'settings.api_key'
                && S::$host->permission('no/such-page') === null
                && S::$host->roleAllows('owner', 'settings.api_key')
                && !S::$host->roleAllows('support', 'settings.api_key')
                && S::$host->roleAllows('support', 'orders.list')
                && !S::$host->roleAllows('nosuchrole', 'orders.list'),
            (string)S::$host->permission('settings/api-key')
        );
    }
}
