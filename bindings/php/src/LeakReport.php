<?php

// LeakReport.php - Panel\LeakReport, the part of Panel\Host that takes leak reports (libpanelhost 2.1, ABI 1.3):
// the static reportLeak(), one FFI call (panelhost_process_report_leak) that hands a reported key to every auth
// provider taking reports on this worker's host, which revoke it when it is one of their live keys. A panel's
// POST /api/v1/keys/revoke calls it once per token (examples/php-panel/src/Api.php). Used by Host only.
declare(strict_types=1);

namespace Panel;

use FFI;

/** @internal */
trait LeakReport
{
    /**
     * Reports a key found where it should not be (a public repository, a paste): every auth provider that takes
     * reports makes it refused for good on every server before this returns, when it is one of its live keys.
     * Returns true when the report was handled, whether or not the token was a live key, and also for a token
     * that is no credential at all (empty, over 4096 bytes, a control character): answer the reporter 200 {} in
     * every such case, so the answer tells nothing about the string (RFC 7009 section 2.2). Throws
     * PanelException when a provider could not handle it (answer 503; the reporter may send it again), or when the
     * host cannot be opened (as open()). foundAt: where it was found (a URL), source: what found it; both as the
     * reporter said, nullable. The worker's first call opens the host as open() does. Never logs the token.
     */
    public static function reportLeak(
        string $configPath,
        string $token,
        ?string $foundAt,
        ?string $source,
        string $reporterAddr
    ): bool {
        try {
            $ffi = FFI::scope('panel'); // the preload setup, as in open()
        } catch (\Throwable) {
            $ffi = Native::ffi($configPath);
        }
        if (str_contains($configPath, "\0")) {
            throw new PanelException('the config path contains a NUL byte');
        }
        // a NUL would cut these short in C: the reporter's free text is cut there, the address is ours
        $foundAt = $foundAt !== null ? explode("\0", $foundAt, 2)[0] : null;
        $source = $source !== null ? explode("\0", $source, 2)[0] : null;
        $reporterAddr = explode("\0", $reporterAddr, 2)[0];
        $err = $ffi->new('char[' . self::ERR_MAX . ']');
        $args = [$configPath, $token, strlen($token), $foundAt, $source, $reporterAddr, $err, self::ERR_MAX];
        $rc = $ffi->panelhost_process_report_leak(...$args);
        if ($rc === self::E_STATE) { // the worker's first request: open the host, then report again
            self::openFirst($ffi, $configPath);
            $rc = $ffi->panelhost_process_report_leak(...$args);
        }
        if ($rc === 0 || $rc === -1) { // PANEL_E_INVALID: no credential at all, answered as any other
            return true;
        }
        $message = FFI::string($err);
        throw new PanelException($message !== '' ? $message : "the leak report could not be handled (status $rc)", $rc);
    }
}
