<?php

// DeclarationsTest.php - the binding's tests: panel.h against the ABI 1.2 layouts of plugin.h, under the preload
// setup. One test per check the former tests/php/binding_test.php made, in the order it made them (the scenario
// carries on from one test to the next through Scenario, in the order phpunit.xml.dist lists the files).

declare(strict_types=1);

namespace Panel\Tests;

use FFI;
use Panel\Host;
use PHPUnit\Framework\TestCase;

final class DeclarationsTest extends TestCase
{
    /**
     * @testdox the preload setup compiled Panel\Host (no autoloading needed)
     */
    public function testThePreloadSetupCompiledPanelHostNoAutoloadingNeeded(): void
    {
        $this->assertTrue(
            class_exists(Host::class, false)
        );
    }

    /**
     * @testdox panel.h declares the struct sizes plugin.h asserts (1.2's; 1.3's table series, param edits_column)
     */
    public function testPanelHDeclaresTheABI12StructSizes(): void
    {
        $scope = FFI::scope('panel');
        $sizes = ['panel_caller_t' => 64, 'panel_menu_entry_t' => 48, 'panel_page_t' => 56, 'panel_field_t' => 80,
            'panel_table_t' => 80, 'panel_param_t' => 72, 'panel_result_t' => 56, 'panel_action_t' => 88];
        $wrong = [];
        foreach ($sizes as $type => $size) {
            if (FFI::sizeof($scope->type($type)) !== $size) {
                $wrong[] = "$type " . FFI::sizeof($scope->type($type)) . " != $size";
            }
        }
        $this->assertTrue(
            $wrong === [],
            implode('; ', $wrong)
        );
    }
}
