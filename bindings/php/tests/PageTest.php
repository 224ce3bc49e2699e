<?php

// PageTest.php - the binding's tests: page(): title, status, fields, tables, actions, and its refusals. One test
// per check the former tests/php/binding_test.php made, in the order it made them (the scenario carries on from
// one test to the next through Scenario, in the order phpunit.xml.dist lists the files).

declare(strict_types=1);

namespace Panel\Tests;

use Panel\Host;
use Panel\Tests\Scenario as S;
use PHPUnit\Framework\TestCase;

final class PageTest extends TestCase
{
    /**
     * @testdox page() gives the title
     */
    public function testPageGivesTheTitle(): void
    {
        S::$page = S::$host->page('admin', 'fixture/good');
        $this->assertTrue(
            (S::$page['ok'] ?? null) === true
                && S::$page['title'] === 'Good Fixture',
            json_encode(S::$page)
        );
    }

    /**
     * @testdox page() has a description key
     */
    public function testPageHasADescriptionKey(): void
    {
        $this->assertTrue(
            isset(S::$page['description']) || array_key_exists('description', S::$page)
        );
    }

    /**
     * @testdox page() gives status lines as [label, value]
     */
    public function testPageGivesStatusLinesAsLabelValue(): void
    {
        $this->assertTrue(
            (S::$page['status'][0] ?? null) === ['Calls', '1'],
            json_encode(S::$page['status'] ?? null)
        );
    }

    /**
     * @testdox page() lists the fields in order
     */
    public function testPageListsTheFieldsInOrder(): void
    {
        $fieldIds = array_column(S::$page['fields'] ?? [], 'id');
        $this->assertTrue(
            $fieldIds === ['text', 'calls', 'enabled'],
            json_encode($fieldIds)
        );
    }

    /**
     * @testdox a field carries its value, type and help
     */
    public function testAFieldCarriesItsValueTypeAndHelp(): void
    {
        $text = S::$page['fields'][0] ?? [];
        $this->assertTrue(
            ($text['value'] ?? null) === 'hello'
                && $text['type'] === 'text'
                && $text['help'] === 'Any text',
            json_encode($text)
        );
    }

    /**
     * @testdox a dangerous field carries its confirmation text
     */
    public function testADangerousFieldCarriesItsConfirmationText(): void
    {
        S::$toggle = S::$page['fields'][2] ?? [];
        $this->assertTrue(
            (S::$toggle['dangerous'] ?? null) === true
                && is_string(S::$toggle['confirm'])
                && S::$toggle['confirm'] !== '',
            json_encode(S::$toggle)
        );
    }

    /**
     * @testdox page() gives tables with columns and their first rows
     */
    public function testPageGivesTablesWithColumnsAndTheirFirstRows(): void
    {
        S::$table = S::$page['tables'][0] ?? [];
        $this->assertTrue(
            (S::$table['id'] ?? null) === 'log'
                && count(S::$table['columns']) === 2
                && count(S::$table['rows']) > 0,
            json_encode(S::$table)
        );
    }

    /**
     * @testdox page() gives actions with confirmation text and parameters (enum choices)
     */
    public function testPageGivesActionsWithConfirmationTextAndParametersEnum(): void
    {
        S::$wipe = null;
        foreach (S::$page['actions'] ?? [] as $a) {
            if ($a['id'] === 'wipe') {
                S::$wipe = $a;
            }
        }
        $this->assertTrue(
            S::$wipe !== null
                && S::$wipe['dangerous'] === true
                && S::$wipe['confirm'] !== null
                && (S::$wipe['params'][0]['type'] ?? null) === 'enum'
                && is_array(S::$wipe['params'][0]['choices']),
            json_encode(S::$wipe)
        );
    }

    /**
     * @testdox page() for a user without the permission is a refusal "denied"
     */
    public function testPageForAUserWithoutThePermissionIsA(): void
    {
        $denied = S::$host->page('helpdesk', 'fixture/good');
        $this->assertTrue(
            Host::refused($denied)
                && $denied['code'] === 'denied'
                && $denied['message'] !== '',
            json_encode($denied)
        );
    }

    /**
     * @testdox an unknown page is a refusal "not_found"
     */
    public function testAnUnknownPageIsARefusalNotFound(): void
    {
        $missing = S::$host->page('admin', 'no/such-page');
        $this->assertTrue(
            Host::refused($missing)
                && $missing['code'] === 'not_found',
            json_encode($missing)
        );
    }

    /**
     * @testdox an unknown user is a refusal "not_found"
     */
    public function testAnUnknownUserIsARefusalNotFound(): void
    {
        $ghost = S::$host->page('nosuchuser', 'fixture/good');
        $this->assertTrue(
            Host::refused($ghost)
                && $ghost['code'] === 'not_found',
            json_encode($ghost)
        );
    }
}
