<?php

// NamedKeysTest.php - the binding's tests: API Keys' named keys through the binding: create-key, edit, reset-key
// with grace, revoke; then disable. One test per check the former tests/php/binding_test.php made, in the order
// it made them (the scenario carries on from one test to the next through Scenario, in the order
// phpunit.xml.dist lists the files).

declare(strict_types=1);

namespace Panel\Tests;

use Panel\Host;
use Panel\Tests\Scenario as S;
use PHPUnit\Framework\TestCase;

final class NamedKeysTest extends TestCase
{
    /**
     * @testdox the API Keys page has its named keys table (the process host gives plugins the api_scopes catalogue)
     */
    public function testTheAPIKeysPageHasItsNamedKeysTable(): void
    {
        $ak = S::$host->page('admin', 'settings/api-key');
        S::$akTables = (S::$byId)($ak['tables'] ?? []);
        S::$akActions = (S::$byId)($ak['actions'] ?? []);
        $this->assertTrue(
            isset(S::$akTables['keys']),
            'tables: ' . json_encode(array_keys(S::$akTables)) . ' - libpanelhost\'s panelhost_process_open must '
                . 'set the scope catalogue of [host] api_scopes before loading, as the sample host does'
        );
    }

    /**
     * @testdox page() names the keys table's ID column and its row actions revoke, reset-key, edit
     */
    public function testPageNamesTheKeysTableSIDColumnAnd(): void
    {
        $this->assertTrue(
            S::$akTables['keys']['row_id_column'] === 'ID'
                && S::$akTables['keys']['row_id_index'] === 0
                && S::$akTables['keys']['row_actions'] === ['revoke', 'reset-key', 'edit']
                && S::$akTables['audit']['row_id_column'] === null,
            json_encode(S::$akTables['keys'])
        );
    }

    /**
     * @testdox create-key is a page action, revoke/reset-key/edit row actions of keys
     */
    public function testCreateKeyIsAPageActionRevokeResetKey(): void
    {
        $this->assertTrue(
            array_key_exists('row_table', S::$akActions['create-key'] ?? [])
                && S::$akActions['create-key']['row_table'] === null
                && S::$akActions['revoke']['row_table'] === 'keys'
                && S::$akActions['reset-key']['row_table'] === 'keys'
                && S::$akActions['edit']['row_table'] === 'keys'
                && S::$akActions['revoke']['dangerous'] === true,
            json_encode(array_map(static fn($act) => $act['row_table'], S::$akActions))
        );
    }

    /**
     * @testdox create-key's scopes are a list of the catalogue's scopes, its expiry choices have labels
     */
    public function testCreateKeySScopesAreAListOfThe(): void
    {
        $ckParams = (S::$byId)(S::$akActions['create-key']['params']);
        $this->assertTrue(
            $ckParams['scopes']['type'] === 'list'
                && in_array('store.read', $ckParams['scopes']['choices'], true)
                && count($ckParams['expires']['choice_labels'] ?? []) === count($ckParams['expires']['choices']),
            json_encode($ckParams)
        );
    }

    /**
     * @testdox create-key returns the new key's record id and its value once
     */
    public function testCreateKeyReturnsTheNewKeySRecordId(): void
    {
        $created = S::$host->action(
            'admin',
            'settings/api-key',
            'create-key',
            ['label' => 'Minecraft server',
            'scopes' => 'store.read,deliveries.pull', 'expires' => '90d', 'allowed_ips' => '', 'rate_limit' => '0'],
            clientAddr: '203.0.113.5'
        );
        S::$id = (string)$created['record'];
        S::$named = (string)$created['secret'];
        $this->assertTrue(
            $created['ok'] === true
                && preg_match('/^[0-9]+$/', S::$id) === 1
                && str_starts_with(S::$named, 'sak_')
                && !str_contains($created['message'], S::$named),
            json_encode($created['message'])
        );
    }

    /**
     * @testdox the keys table lists the new key by its record id (never its value)
     */
    public function testTheKeysTableListsTheNewKeyByIts(): void
    {
        $keyRows = S::$host->table('admin', 'settings/api-key', 'keys');
        $row = array_values(array_filter($keyRows, static fn($kr) => $kr[0] === S::$id))[0] ?? [];
        $this->assertTrue(
            ($row[1] ?? null) === 'Minecraft server'
                && str_contains($row[2] ?? '', 'deliveries.pull')
                && !str_contains(json_encode($keyRows), S::$named),
            json_encode($row)
        );
    }

    /**
     * @testdox the named key is allowed as its own principal
     */
    public function testTheNamedKeyIsAllowedAsItsOwnPrincipal(): void
    {
        $a = S::$host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => S::$named], Host::ANY_SCOPE);
        $this->assertTrue(
            $a['allowed'] === true
                && $a['principal'] === 'apikeys:key:' . S::$id,
            json_encode($a)
        );
    }

    /**
     * @testdox authenticate(scope: store.read) lets in a named key that holds it
     */
    public function testAuthenticateScopeStoreReadLetsInANamedKey(): void
    {
        // the route's scope: one the key holds lets it in, another is refused with 403 scope naming it
        $a = S::$host->authenticate(
            'GET',
            '/api/v1/store',
            '203.0.113.5',
            ['X-API-Key' => S::$named],
            scope: 'store.read'
        );
        $this->assertTrue(
            $a['allowed'] === true,
            json_encode($a)
        );
    }

    /**
     * @testdox authenticate(scope: deliveries.ack) refuses a named key without it: 403 scope, naming the scope
     */
    public function testAuthenticateScopeDeliveriesAckRefusesANamedKeyWithout(): void
    {
        $a = S::$host->authenticate(
            'POST',
            '/api/v1/deliveries/ack',
            '203.0.113.5',
            ['X-API-Key' => S::$named],
            scope: 'deliveries.ack'
        );
        $this->assertTrue(
            $a['allowed'] === false
                && $a['status'] === 403
                && $a['error'] === 'scope'
                && str_contains((string)$a['message'], 'deliveries.ack'),
            json_encode($a)
        );
    }

    /**
     * @testdox authenticateRequest() with a scope refuses it the same way
     */
    public function testAuthenticateRequestWithAScopeRefusesItTheSameWay(): void
    {
        $a = Host::authenticateRequest(
            S::$config,
            'POST',
            '/api/v1/deliveries/ack',
            '203.0.113.5',
            ['X-API-Key' => S::$named],
            'deliveries.ack'
        );
        $this->assertTrue(
            $a['allowed'] === false
                && $a['error'] === 'scope',
            json_encode($a)
        );
    }

    /**
     * @testdox authenticateRequest(ANY_SCOPE) lets the named key in, with its label and scopes
     */
    public function testAuthenticateRequestANYSCOPELetsTheNamedKeyInWith(): void
    {
        $a = Host::authenticateRequest(
            S::$config,
            'GET',
            '/api/v1/whoami',
            '203.0.113.5',
            ['X-API-Key' => S::$named],
            Host::ANY_SCOPE
        );
        $this->assertTrue(
            $a['allowed'] === true
                && $a['principal'] === 'apikeys:key:' . S::$id
                && $a['label'] === 'Minecraft server'
                && in_array('deliveries.pull', $a['scopes'], true),
            json_encode($a)
        );
    }

    /**
     * @testdox available() says revoke is available for the new key
     */
    public function testAvailableSaysRevokeIsAvailableForTheNewKey(): void
    {
        $this->assertTrue(
            S::$host->available(
                'admin',
                'settings/api-key',
                'revoke',
                S::$id
            ) === ['available' => true, 'reason' => null, 'note' => null]
        );
    }

    /**
     * @testdox edit with the record changes the label and scopes
     */
    public function testEditWithTheRecordChangesTheLabelAndScopes(): void
    {
        $r = S::$host->action('admin', 'settings/api-key', 'edit', ['label' => 'Minecraft', 'scopes' => 'store.read',
            'allowed_ips' => 'any', 'rate_limit' => 'keep'], record: S::$id);
        $row = array_values(
            array_filter(S::$host->table('admin', 'settings/api-key', 'keys'), static fn($kr) => $kr[0] === S::$id)
        )[0] ?? [];
        $this->assertTrue(
            $r['ok'] === true
                && $r['secret'] === null
                && ($row[1] ?? null) === 'Minecraft'
                && ($row[2] ?? null) === 'store.read',
            json_encode([$r, $row])
        );
    }

    /**
     * @testdox edit of an unknown record is the plugin's not_found
     */
    public function testEditOfAnUnknownRecordIsThePluginS(): void
    {
        $r = S::$host->action('admin', 'settings/api-key', 'edit', ['label' => 'x'], record: '999999');
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'not_found',
            json_encode($r)
        );
    }

    /**
     * @testdox reset-key without confirmed: true is refused with its confirmation text
     */
    public function testResetKeyWithoutConfirmedTrueIsRefusedWithIts(): void
    {
        $r = S::$host->action('admin', 'settings/api-key', 'reset-key', ['grace' => '1h'], record: S::$id);
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'confirm'
                && $r['message'] === S::$akActions['reset-key']['confirm']
                && $r['secret'] === null,
            json_encode($r)
        );
    }

    /**
     * @testdox reset-key with grace 1h on the record: a new value once, the old one still works
     */
    public function testResetKeyWithGrace1hOnTheRecordA(): void
    {
        $r = S::$host->action(
            'admin',
            'settings/api-key',
            'reset-key',
            ['grace' => '1h'],
            confirmed: true,
            record: S::$id
        );
        S::$rolled = (string)$r['secret'];
        S::$old = S::$host->authenticate(
            'GET',
            '/api/v1/ping',
            '203.0.113.5',
            ['X-API-Key' => S::$named],
            Host::ANY_SCOPE
        );
        S::$new = S::$host->authenticate(
            'GET',
            '/api/v1/ping',
            '203.0.113.5',
            ['X-API-Key' => S::$rolled],
            Host::ANY_SCOPE
        );
        $this->assertTrue(
            $r['ok'] === true
                && str_starts_with(S::$rolled, 'sak_')
                && S::$rolled !== S::$named
                && S::$old['allowed'] === true
                && S::$new['allowed'] === true,
            json_encode([$r['message'], S::$old, S::$new])
        );
    }

    /**
     * @testdox the value in its grace period carries deprecation (the reset) and sunset (the grace end); the new one
     * neither, through authenticate() and authenticateRequest() alike
     */
    public function testTheValueInItsGracePeriodCarriesDeprecationAndSunset(): void
    {
        $again = Host::authenticateRequest(
            S::$config,
            'GET',
            '/api/v1/ping',
            '203.0.113.5',
            ['X-API-Key' => S::$named],
            Host::ANY_SCOPE
        );
        $this->assertTrue(
            is_int(S::$old['deprecation'])
                && abs(S::$old['deprecation'] - time()) < 600
                && S::$old['sunset'] === S::$old['deprecation'] + 3600
                && S::$new['deprecation'] === null
                && S::$new['sunset'] === null
                && $again === S::$old,
            json_encode([S::$old, S::$new, $again])
        );
    }

    /**
     * @testdox revoke without a record is refused with the library's message
     */
    public function testRevokeWithoutARecordIsRefusedWithTheLibrary(): void
    {
        $r = S::$host->action('admin', 'settings/api-key', 'revoke', confirmed: true);
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'invalid'
                && str_contains($r['message'], "acts on one row of table 'keys'"),
            json_encode($r)
        );
    }

    /**
     * @testdox revoke with the record: both values get 401, the key leaves the table
     */
    public function testRevokeWithTheRecordBothValuesGet401The(): void
    {
        $r = S::$host->action('admin', 'settings/api-key', 'revoke', confirmed: true, record: S::$id);
        S::$old = S::$host->authenticate(
            'GET',
            '/api/v1/ping',
            '203.0.113.5',
            ['X-API-Key' => S::$named],
            Host::ANY_SCOPE
        );
        S::$new = S::$host->authenticate(
            'GET',
            '/api/v1/ping',
            '203.0.113.5',
            ['X-API-Key' => S::$rolled],
            Host::ANY_SCOPE
        );
        $left = array_filter(S::$host->table('admin', 'settings/api-key', 'keys'), static fn($kr) => $kr[0] === S::$id);
        $this->assertTrue(
            $r['ok'] === true
                && S::$old['status'] === 401
                && S::$new['status'] === 401
                && $left === [],
            json_encode([$r, S::$old, S::$new])
        );
    }

    /**
     * @testdox after disable the key gets 403
     */
    public function testAfterDisableTheKeyGets403(): void
    {
        $disable = S::$host->action('admin', 'settings/api-key', 'disable');
        $a = S::$host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => S::$newKey], Host::ANY_SCOPE);
        $this->assertTrue(
            $disable['ok'] === true
                && $a['status'] === 403
                && $a['error'] === 'disabled',
            json_encode($a)
        );
    }
}
