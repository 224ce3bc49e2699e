<?php

// AuthenticateTest.php - the binding's tests: authenticate() and authenticateRequest(): the fixture's provider,
// then API Keys' site key. One test per check the former tests/php/binding_test.php made, in the order it made
// them (the scenario carries on from one test to the next through Scenario, in the order phpunit.xml.dist lists
// the files).

declare(strict_types=1);

namespace Panel\Tests;

use Panel\Host;
use Panel\PanelException;
use Panel\Tests\Scenario as S;
use PHPUnit\Framework\TestCase;

final class AuthenticateTest extends TestCase
{
    /**
     * @testdox authenticate() allows what a provider allows, with its principal, label and scopes
     */
    public function testAuthenticateAllowsWhatAProviderAllowsWithItsPrincipal(): void
    {
        $a = S::$host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-Fixture' => 'letmein'], Host::ANY_SCOPE);
        $this->assertTrue(
            $a === ['allowed' => true, 'status' => 200, 'error' => null, 'message' => null, 'retry_after' => 0,
                'principal' => 'fixture:good', 'label' => 'Good fixture', 'scopes' => ['fixture.read'],
                'deprecation' => null, 'sunset' => null],
            json_encode($a)
        );
    }

    /**
     * @testdox authenticate() hands the route's scope to the providers: a credential without it gets 403
     */
    public function testAuthenticateHandsTheRouteSScopeToTheProviders(): void
    {
        $a = S::$host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-Fixture' => 'letmein'], 'fixture.write');
        $this->assertTrue(
            $a['allowed'] === false
                && $a['status'] === 403
                && $a['error'] === 'scope',
            json_encode($a)
        );
    }

    /**
     * @testdox authenticate() with an empty scope is a 400 naming the missing scope
     */
    public function testAuthenticateWithAnEmptyScopeIsA400Naming(): void
    {
        $a = S::$host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-Fixture' => 'letmein'], '');
        $this->assertTrue(
            $a['allowed'] === false
                && $a['status'] === 400
                && str_contains((string)$a['message'], 'scope'),
            json_encode($a)
        );
    }

    /**
     * @testdox authenticate() without a scope does not run (the scope has no default)
     */
    public function testAuthenticateWithoutAScopeDoesNotRunTheScope(): void
    {
        $this->expectException(\ArgumentCountError::class);
        S::$host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-Fixture' => 'letmein']);
    }

    /**
     * @testdox authenticateRequest() without a scope does not run (the scope has no default)
     */
    public function testAuthenticateRequestWithoutAScopeDoesNotRunTheScope(): void
    {
        $this->expectException(\ArgumentCountError::class);
        Host::authenticateRequest(S::$config, 'GET', '/api/v1/ping', '203.0.113.5', ['X-Fixture' => 'letmein']);
    }

    /**
     * @testdox authenticate() returns a provider's denial (header names in any case, list values)
     */
    public function testAuthenticateReturnsAProviderSDenialHeaderNamesIn(): void
    {
        $a = S::$host->authenticate(
            'POST',
            '/api/v1/ping?x=1',
            '203.0.113.5',
            ['x-fixture' => ['nope']],
            Host::ANY_SCOPE
        );
        $this->assertTrue(
            $a['allowed'] === false
                && $a['status'] === 401
                && $a['error'] === 'fixture_denied'
                && $a['principal'] === null,
            json_encode($a)
        );
    }

    /**
     * @testdox a header sent twice with different values is one joined value, refused
     */
    public function testAHeaderSentTwiceWithDifferentValuesIsOne(): void
    {
        $a = S::$host->authenticate(
            'GET',
            '/api/v1/ping',
            '203.0.113.5',
            ['X-Fixture' => ['letmein', 'nope']],
            Host::ANY_SCOPE
        );
        $this->assertTrue(
            $a['allowed'] === false
                && $a['status'] === 401,
            json_encode($a)
        );
    }

    /**
     * @testdox no credential is 401 "missing"
     */
    public function testNoCredentialIs401Missing(): void
    {
        $a = S::$host->authenticate('GET', '/api/v1/ping', '203.0.113.5', [], Host::ANY_SCOPE);
        $this->assertTrue(
            $a['allowed'] === false
                && $a['status'] === 401
                && $a['error'] === 'missing',
            json_encode($a)
        );
    }

    /**
     * @testdox a NUL byte in a header is 400
     */
    public function testANULByteInAHeaderIs400(): void
    {
        $a = S::$host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => "sak_\0x"], Host::ANY_SCOPE);
        $this->assertTrue(
            $a['allowed'] === false
                && $a['status'] === 400
                && $a['error'] === 'bad_request',
            json_encode($a)
        );
    }

    /**
     * @testdox enable hands over a new key once
     */
    public function testEnableHandsOverANewKeyOnce(): void
    {
        S::$enable = S::$host->action('admin', 'settings/api-key', 'enable', clientAddr: '203.0.113.5');
        S::$key = (string)S::$enable['secret'];
        $this->assertTrue(
            S::$enable['ok'] === true
                && str_starts_with(S::$key, 'sak_')
                && strlen(S::$key) === 53,
            S::$enable['message']
        );
    }

    /**
     * @testdox the key is nowhere in the page or in the message
     */
    public function testTheKeyIsNowhereInThePageOrIn(): void
    {
        $pageText = json_encode(S::$host->page('admin', 'settings/api-key'));
        $this->assertTrue(
            S::$key !== ''
                && !str_contains((string)$pageText, S::$key)
                && !str_contains(S::$enable['message'], S::$key)
        );
    }

    /**
     * @testdox enabling again reveals no key
     */
    public function testEnablingAgainRevealsNoKey(): void
    {
        $again = S::$host->action('admin', 'settings/api-key', 'enable');
        $this->assertTrue(
            $again['secret'] === null,
            json_encode($again)
        );
    }

    /**
     * @testdox the new key is allowed
     */
    public function testTheNewKeyIsAllowed(): void
    {
        $a = S::$host->authenticate('GET', '/api/v1/ping', '203.0.113.5', ['X-API-Key' => S::$key], Host::ANY_SCOPE);
        $this->assertTrue(
            $a['allowed'] === true
                && $a['principal'] === 'apikeys:site',
            json_encode($a)
        );
    }

    /**
     * @testdox the key is allowed as Authorization: Bearer
     */
    public function testTheKeyIsAllowedAsAuthorizationBearer(): void
    {
        $a = S::$host->authenticate(
            'GET',
            '/api/v1/ping',
            '203.0.113.5',
            ['Authorization' => 'Bearer ' . S::$key],
            Host::ANY_SCOPE
        );
        $this->assertTrue(
            $a['allowed'] === true,
            json_encode($a)
        );
    }

    /**
     * @testdox a mistyped key is 401 "malformed" and the message does not echo it
     */
    public function testAMistypedKeyIs401MalformedAndTheMessage(): void
    {
        // its last character changed (to one it is not: a key ending in "x" stays mistyped)
        $mistyped = substr(S::$key, 0, -1) . (substr(S::$key, -1) === 'x' ? 'y' : 'x');
        $a = S::$host->authenticate(
            'GET',
            '/api/v1/ping',
            '203.0.113.5',
            ['X-API-Key' => $mistyped],
            Host::ANY_SCOPE
        );
        $this->assertTrue(
            $a['allowed'] === false
                && $a['status'] === 401
                && $a['error'] === 'malformed'
                && !str_contains((string)$a['message'], S::$key),
            json_encode($a)
        );
    }

    /**
     * @testdox a confirmed reset hands over a new key
     */
    public function testAConfirmedResetHandsOverANewKey(): void
    {
        $reset = S::$host->action(
            'admin',
            'settings/api-key',
            'reset',
            ['grace' => '0'],
            confirmed: true,
            clientAddr: '203.0.113.5'
        );
        S::$newKey = (string)$reset['secret'];
        $this->assertTrue(
            $reset['ok'] === true
                && S::$newKey !== ''
                && S::$newKey !== S::$key,
            $reset['message']
        );
    }

    /**
     * @testdox after the reset: old key 401, new key 200
     */
    public function testAfterTheResetOldKey401NewKey200(): void
    {
        S::$old = S::$host->authenticate(
            'GET',
            '/api/v1/ping',
            '203.0.113.5',
            ['X-API-Key' => S::$key],
            Host::ANY_SCOPE
        );
        S::$new = S::$host->authenticate(
            'GET',
            '/api/v1/ping',
            '203.0.113.5',
            ['X-API-Key' => S::$newKey],
            Host::ANY_SCOPE
        );
        $this->assertTrue(
            S::$old['status'] === 401
                && S::$old['error'] === 'unknown'
                && S::$new['allowed'] === true,
            json_encode([S::$old, S::$new])
        );
    }

    /**
     * @testdox authenticateRequest() allows as authenticate() does, without a Host object
     */
    public function testAuthenticateRequestAllowsAsAuthenticateDoesWithoutAHostObject(): void
    {
        $s = Host::authenticateRequest(
            S::$config,
            'GET',
            '/api/v1/ping?x=1',
            '203.0.113.5',
            ['X-API-Key' => S::$newKey],
            Host::ANY_SCOPE
        );
        $this->assertTrue(
            $s === S::$new,
            json_encode($s)
        );
    }

    /**
     * @testdox authenticateRequest() denies as authenticate() does (any case, list values)
     */
    public function testAuthenticateRequestDeniesAsAuthenticateDoesAnyCaseListValues(): void
    {
        $s = Host::authenticateRequest(
            S::$config,
            'GET',
            '/api/v1/ping',
            '203.0.113.5',
            ['x-api-key' => [S::$key]],
            Host::ANY_SCOPE
        );
        $this->assertTrue(
            $s === S::$old,
            json_encode($s)
        );
    }

    /**
     * @testdox authenticateRequest() refuses a config path with a NUL byte
     */
    public function testAuthenticateRequestRefusesAConfigPathWithANULByte(): void
    {
        try {
            Host::authenticateRequest(
                S::$config . "\0.bak",
                'GET',
                '/api/v1/ping',
                '203.0.113.5',
                ['X-API-Key' => S::$newKey],
                Host::ANY_SCOPE
            );
            $this->fail('authenticateRequest() refuses a config path with a NUL byte');
        } catch (PanelException $e) {
            $this->assertTrue(str_contains($e->getMessage(), 'NUL'), $e->getMessage());
        }
    }

    /**
     * @testdox a pasted key with a line break is refused without echoing it
     */
    public function testAPastedKeyWithALineBreakIsRefused(): void
    {
        $r = S::$host->setField('admin', 'settings/api-key', 'api_key', S::$newKey . "\n", confirmed: true);
        $this->assertTrue(
            $r['ok'] === false
                && $r['code'] === 'invalid'
                && !str_contains($r['message'], S::$newKey),
            json_encode($r)
        );
    }

    /**
     * @testdox the audit table shows the actions with their web origin
     */
    public function testTheAuditTableShowsTheActionsWithTheirWeb(): void
    {
        $audit = S::$host->table('admin', 'settings/api-key', 'audit', offset: 0, limit: 50);
        $this->assertTrue(
            !Host::refused($audit)
                && count($audit) >= 2
                && str_contains(implode(' ', array_merge(...$audit)), 'web 203.0.113.5'),
            json_encode(array_slice($audit, 0, 2))
        );
    }
}
