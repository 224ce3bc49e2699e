<?php

// RecordsTest.php - the binding's tests: ABI 1.1 (the abi11 fixture): records, row actions, the created record,
// choice labels, availability. One test per check the former tests/php/binding_test.php made, in the order it
// made them (the scenario carries on from one test to the next through Scenario, in the order phpunit.xml.dist
// lists the files).

declare(strict_types=1);

namespace Panel\Tests;

use Panel\Host;
use Panel\Tests\Scenario as S;
use PHPUnit\Framework\TestCase;

final class RecordsTest extends TestCase
{
    /**
     * @testdox page() names a records table's row-id column (title and index) and its row actions
     */
    public function testPageNamesARecordsTableSRowIdColumn(): void
    {
        @mkdir(S::$dir . '/d', 0700, true);
        S::writeConfig(S::$dir . '/d/panel.ini', S::$fixtures . '/abi11.so');
        file_put_contents(S::$dir . '/d/panel.ini', "[plugin:abi11]\ncase = good\n", FILE_APPEND);
        S::$h11 = Host::open(S::$dir . '/d/panel.ini');
        $p11 = S::$h11->page('tester', 'abi11/page');
        S::$byId = static fn(array $list): array => array_column($list, null, 'id');
        $t11 = (S::$byId)($p11['tables'] ?? []);
        S::$a11 = (S::$byId)($p11['actions'] ?? []);
        $this->assertTrue(
            ($t11['rows']['row_id_column'] ?? null) === 'Id'
                && $t11['rows']['row_id_index'] === 0
                && $t11['rows']['row_actions'] === ['drop']
                && $t11['rows']['rows'][0][0] === 'k1',
            json_encode($t11['rows'] ?? null)
        );
    }

    /**
     * @testdox a 1.0 plugin's table has row_id_column null and no row actions, its actions row_table null
     */
    public function testA10PluginSTableHasRowId(): void
    {
        $this->assertTrue(
            array_key_exists('row_id_column', S::$table)
                && S::$table['row_id_column'] === null
                && S::$table['row_id_index'] === null
                && S::$table['row_actions'] === []
                && array_key_exists('row_table', S::$wipe)
                && S::$wipe['row_table'] === null,
            json_encode(S::$table)
        );
    }

    /**
     * @testdox page() gives row_table (null for a page action) and page actions' availability
     */
    public function testPageGivesRowTableNullForAPageAction(): void
    {
        $this->assertTrue(
            (S::$a11['drop']['row_table'] ?? '') === 'rows'
                && S::$a11['drop']['available'] === null
                && array_key_exists('make', S::$a11)
                && S::$a11['make']['row_table'] === null
                && S::$a11['make']['available'] === true,
            json_encode([S::$a11['drop'] ?? null, S::$a11['make'] ?? null])
        );
    }

    /**
     * @testdox parameters carry their type list and choice_labels (null without choices)
     */
    public function testParametersCarryTheirTypeListAndChoiceLabelsNull(): void
    {
        $pick = (S::$byId)(S::$a11['pick']['params'] ?? []);
        $this->assertTrue(
            ($pick['scopes']['type'] ?? null) === 'list'
                && $pick['scopes']['choices'] === ['a', 'b', 'c']
                && $pick['scopes']['choice_labels'] === ['Alpha', 'Beta', 'Gamma']
                && $pick['size']['choice_labels'] === ['small', 'medium', 'large']
                && $pick['cidrs']['choices'] === null
                && $pick['cidrs']['choice_labels'] === null,
            json_encode($pick)
        );
    }

    /**
     * @testdox a row action runs with its record
     */
    public function testARowActionRunsWithItsRecord(): void
    {
        $r = S::$h11->action('tester', 'abi11/page', 'drop', record: 'k1');
        $this->assertTrue(
            $r['ok'] === true
                && $r['message'] === 'dropped k1'
                && $r['record'] === null,
            json_encode($r)
        );
    }

    /**
     * @testdox a row action without a record is refused with the library's message
     */
    public function testARowActionWithoutARecordIsRefusedWith(): void
    {
        $r = S::$h11->action('tester', 'abi11/page', 'drop');
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'invalid'
                && str_contains($r['message'], "acts on one row of table 'rows'")
                && $r['secret'] === null
                && $r['record'] === null,
            json_encode($r)
        );
    }

    /**
     * @testdox an unknown record is the plugin's not_found
     */
    public function testAnUnknownRecordIsThePluginSNotFound(): void
    {
        $r = S::$h11->action('tester', 'abi11/page', 'drop', record: 'k9');
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'not_found'
                && $r['message'] === 'no row k9',
            json_encode($r)
        );
    }

    /**
     * @testdox a record id of another syntax is refused "invalid"
     */
    public function testARecordIdOfAnotherSyntaxIsRefusedInvalid(): void
    {
        $r = S::$h11->action('tester', 'abi11/page', 'drop', record: 'has space');
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'invalid',
            json_encode($r)
        );
    }

    /**
     * @testdox a page action with a record is refused
     */
    public function testAPageActionWithARecordIsRefused(): void
    {
        $r = S::$h11->action('tester', 'abi11/page', 'make', record: 'k1');
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'invalid'
                && str_contains($r['message'], 'page action'),
            json_encode($r)
        );
    }

    /**
     * @testdox 'record' names the record the action created
     */
    public function testRecordNamesTheRecordTheActionCreated(): void
    {
        $r = S::$h11->action('tester', 'abi11/page', 'make');
        $this->assertTrue(
            $r['ok'] === true
                && $r['record'] === 'k3',
            json_encode($r)
        );
    }

    /**
     * @testdox a created record id of another syntax is dropped
     */
    public function testACreatedRecordIdOfAnotherSyntaxIsDropped(): void
    {
        $r = S::$h11->action('tester', 'abi11/page', 'bad-record');
        $this->assertTrue(
            $r['ok'] === true
                && $r['record'] === null,
            json_encode($r)
        );
    }

    /**
     * @testdox a list parameter is passed in canonical form
     */
    public function testAListParameterIsPassedInCanonicalForm(): void
    {
        $r = S::$h11->action('tester', 'abi11/page', 'pick', ['scopes' => 'c, a', 'cidrs' => '', 'size' => 'l']);
        $this->assertTrue(
            $r['ok'] === true
                && $r['message'] === 'scopes=[c,a] cidrs=[] size=[l]',
            json_encode($r)
        );
    }

    /**
     * @testdox a list item outside the choices is refused "invalid"
     */
    public function testAListItemOutsideTheChoicesIsRefusedInvalid(): void
    {
        $r = S::$h11->action('tester', 'abi11/page', 'pick', ['scopes' => 'a,zz']);
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'invalid',
            json_encode($r)
        );
    }

    /**
     * @testdox available() gives the plugin's answer per record, with its reason
     */
    public function testAvailableGivesThePluginSAnswerPerRecordWith(): void
    {
        $this->assertTrue(
            S::$h11->available('tester', 'abi11/page', 'drop', 'k1')
                === ['available' => true, 'reason' => null, 'note' => null]
                && S::$h11->available(
                    'tester',
                    'abi11/page',
                    'drop',
                    'k2'
                ) === ['available' => false, 'reason' => 'k2 is locked', 'note' => null],
            json_encode(S::$h11->available('tester', 'abi11/page', 'drop', 'k2'))
        );
    }

    /**
     * @testdox when the plugin cannot tell, available() says available, with its message
     */
    public function testWhenThePluginCannotTellAvailableSaysAvailableWith(): void
    {
        $u = S::$h11->available('tester', 'abi11/page', 'unsure');
        $this->assertTrue(
            ($u['available'] ?? null) === true
                && is_string($u['reason']),
            json_encode($u)
        );
    }

    /**
     * @testdox available() of a row action without a record is a refusal
     */
    public function testAvailableOfARowActionWithoutARecordIs(): void
    {
        $u = S::$h11->available('tester', 'abi11/page', 'drop');
        $this->assertTrue(
            Host::refused($u)
                && $u['code'] === 'invalid',
            json_encode($u)
        );
    }

    /**
     * @testdox available() without the permission is a refusal "denied"
     */
    public function testAvailableWithoutThePermissionIsARefusalDenied(): void
    {
        $u = S::$h11->available('helpdesk', 'abi11/page', 'make');
        $this->assertTrue(
            Host::refused($u)
                && $u['code'] === 'denied',
            json_encode($u)
        );
    }

    /**
     * @testdox a row action without the permission is refused "denied"
     */
    public function testARowActionWithoutThePermissionIsRefusedDenied(): void
    {
        $r = S::$h11->action('helpdesk', 'abi11/page', 'drop', record: 'k1');
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'denied',
            json_encode($r)
        );
    }

    /**
     * @testdox page() gives each parameter edits_index: null where the plugin names no column (a 1.1 plugin)
     */
    public function testPageGivesEachParameterEditsIndex(): void
    {
        $params = [];
        foreach (S::$a11 as $action) {
            foreach ($action['params'] as $param) {
                $params[] = $param;
            }
        }
        $this->assertTrue(
            $params !== []
                && array_filter($params, static fn(array $p): bool => !array_key_exists('edits_index', $p)) === []
                && array_filter($params, static fn(array $p): bool => $p['edits_index'] !== null) === [],
            json_encode($params)
        );
    }
}
