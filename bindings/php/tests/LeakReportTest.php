<?php

// LeakReportTest.php - the binding's tests: Host::reportLeak() (libpanelhost 2.1) on a host of its own (the API
// Keys plugin and the good fixture): a reported fixture credential and a reported site key are refused afterwards
// (the fixture's message shows what the provider was handed), a string that is no credential and a key the store
// never had are answered as handled, a provider's failure is a PanelException with its reason, and the audit row
// holds the reporter's address and never the key.

declare(strict_types=1);

namespace Panel\Tests;

use Panel\Host;
use Panel\PanelException;
use Panel\Tests\Scenario as S;
use PHPUnit\Framework\TestCase;

final class LeakReportTest extends TestCase
{
    private const LEAKED = '/^this key was reported as leaked on \d{4}-\d\d-\d\d \d\d:\d\d UTC and revoked/';
    private static string $config = '';
    private static string $key = '';

    public static function setUpBeforeClass(): void
    {
        self::$config = S::$dir . '/leak/panel.ini';
        @mkdir(S::$dir . '/leak', 0700, true);
        S::writeConfig(self::$config, S::$plugin . ' ' . S::$fixtures . '/good.so');
        $r = Host::open(self::$config)->action('admin', 'settings/api-key', 'enable');
        self::$key = (string)$r['secret'];
    }

    /** authenticateRequest() of GET /api/v1/ping with these headers. */
    private static function ping(array $headers): array
    {
        $path = '/api/v1/ping';
        return Host::authenticateRequest(self::$config, 'GET', $path, '203.0.113.5', $headers, Host::ANY_SCOPE);
    }

    /**
     * @testdox reportLeak() hands the report to the providers: the fixture's credential is refused afterwards
     */
    public function testReportLeakHandsTheReportToTheProviders(): void
    {
        $this->assertTrue(Host::reportLeak(self::$config, 'letmein', "https://x.test/a\nb", 'github', '203.0.113.7'));
        $a = self::ping(['X-Fixture' => 'letmein']);
        $this->assertTrue(
            $a['allowed'] === false && $a['error'] === 'fixture_leaked'
                && $a['message'] === 'leaked (18): from 203.0.113.7 by github at https://x.test/a?b',
            json_encode($a)
        );
    }

    /**
     * @testdox reportLeak() of a live site key: 401 leaked afterwards, naming the date
     */
    public function testReportLeakOfALiveSiteKey(): void
    {
        $this->assertStringStartsWith('sak_', self::$key);
        $before = self::ping(['X-API-Key' => self::$key]);
        $this->assertTrue($before['allowed'], json_encode($before));
        $this->assertTrue(Host::reportLeak(self::$config, self::$key, 'https://gist.example/1', null, '203.0.113.7'));
        $a = self::ping(['X-API-Key' => self::$key]);
        $this->assertTrue(
            $a['allowed'] === false && $a['status'] === 401 && $a['error'] === 'leaked'
                && preg_match(self::LEAKED, (string)$a['message']) === 1,
            json_encode($a)
        );
    }

    /**
     * @testdox reportLeak() answers a string that is no credential and an unknown key as handled
     */
    public function testReportLeakAnswersNoCredentialAndUnknownKeysAsHandled(): void
    {
        $this->assertTrue(Host::reportLeak(self::$config, '', null, null, '203.0.113.7'));
        $this->assertTrue(Host::reportLeak(self::$config, "two\nlines", null, null, '203.0.113.7'));
        $this->assertTrue(Host::reportLeak(self::$config, 'sak_notakey', null, null, '203.0.113.7'));
        $this->assertTrue(Host::reportLeak(self::$config, self::$key, null, null, '203.0.113.7')); // already dead
    }

    /**
     * @testdox reportLeak() throws PanelException with the provider's reason when a provider fails
     */
    public function testReportLeakThrowsWhenAProviderFails(): void
    {
        try {
            Host::reportLeak(self::$config, 'storefail', null, null, '203.0.113.7');
            $this->fail('no exception');
        } catch (PanelException $e) {
            $this->assertStringContainsString("the fixture's store is down", $e->getMessage());
        }
    }

    /**
     * @testdox the audit row of the report has the reporter's address and the key's hint, never the key
     */
    public function testTheAuditRowHasTheReporterAndNeverTheKey(): void
    {
        $rows = Host::open(self::$config)->table('admin', 'settings/api-key', 'audit');
        $text = json_encode($rows, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
        $this->assertStringContainsString('leak-report', (string)$text);
        $this->assertStringContainsString('203.0.113.7', (string)$text);
        $this->assertStringContainsString('https://gist.example/1', (string)$text);
        $this->assertStringNotContainsString(self::$key, (string)$text);
    }
}
