<?php

// Authentication.php - Panel\Authentication, the part of Panel\Host that answers API requests: authenticate()
// and the static authenticateRequest(), each one FFI call (panelhost_process_verdict: the request as one string,
// the route's scope required, the verdict as one string; no PHP code runs inside C), and the reading of that
// verdict into the result array. Used by Host only.
declare(strict_types=1);

namespace Panel;

use FFI;

// resolved when compiled (no namespace fallback looked up on each request): these run on every API request
use function explode;
use function implode;
use function is_string;
use function str_contains;
use function str_starts_with;
use function strlen;
use function strpos;
use function substr;

/** @internal */
trait Authentication
{
    /**
     * authenticate() on the host of configPath for this process, as one static call: what an API route needs on
     * every request, without open() and without a Host object (on a php-fpm worker that is the costly part of
     * an API request after the key check itself: one FFI call, panelhost_process_verdict, finds the worker's
     * host by the path and asks its auth providers). The worker's first call opens the host as open() does
     * (and throws PanelException as open() does); extension changes other processes made are applied first.
     * Arguments after configPath and the result as for authenticate(); scope is required.
     */
    public static function authenticateRequest(
        string $configPath,
        string $method,
        string $path,
        string $clientAddr,
        array $headers,
        string $scope
    ): array {
        try {
            $ffi = FFI::scope('panel'); // the preload setup, as in open()
        } catch (\Throwable) {
            $ffi = Native::ffi($configPath);
        }
        if (str_contains($configPath, "\0")) {
            throw new PanelException('the config path contains a NUL byte'); // C would see a shorter path
        }
        // The request as authenticate() builds it (kept inline in both: a helper call costs a PHP frame per
        // API request, which is what this method saves).
        $query = strpos($path, '?');
        if ($query !== false) {
            $path = substr($path, 0, $query);
        }
        $request = $method . "\0" . $path . "\0" . $clientAddr;
        foreach ($headers as $name => $value) {
            $request .= "\0" . $name . "\0" . (is_string($value) ? $value : self::headerValue($name, $value));
        }
        $verdict = $ffi->panelhost_process_verdict($configPath, $scope, $request, strlen($request) + 1);
        if ($verdict[0] === 'A') {
            return self::allowance($verdict);
        }
        if (str_starts_with($verdict, "D503host_not_open\n")) {
            // the worker's first request (or the first after closeProcess()): open it, then ask again
            self::openFirst($ffi, $configPath);
            $verdict = $ffi->panelhost_process_verdict($configPath, $scope, $request, strlen($request) + 1);
            if ($verdict[0] === 'A') {
                return self::allowance($verdict);
            }
        }
        return self::denial($verdict);
    }

    /**
     * Asks the auth providers about an API request for a route that requires `scope`: an id of [host]
     * api_scopes (e.g. 'store.read'; a key without it is denied, 403 'scope' from API Keys' named keys), or
     * Host::ANY_SCOPE for a route every valid key may call. There is no default: a route always says which.
     * headers: name => value (a value may also be a list, a field received several times: its items are
     * joined by ", " as RFC 9110 combines repeated fields, so two different keys are refused), names matched
     * case-insensitively; the path's query string is ignored. Returns ['allowed' => bool, 'status' => int
     * (200 when allowed, else 400/401/403/429/503/...), 'error' => ?string (e.g. 'unknown'),
     * 'message' => ?string (never the presented key), 'retry_after' => int (seconds for a Retry-After
     * header, 0: none), 'principal' => ?string,
     * 'label' => ?string, 'scopes' => list<string>, 'deprecation' => ?int, 'sunset' => ?int]. deprecation and
     * sunset (Unix seconds, null: none) are set on an allowed credential that is going away: a value in its
     * grace period after a reset (both), a key expiring soon (sunset); send them as `Deprecation: @<time>`
     * (RFC 9745) and `Sunset: <HTTP-date>` (RFC 8594), e.g. with gmdate(DATE_RFC7231, $sunset).
     */
    public function authenticate(
        string $method,
        string $path,
        string $clientAddr,
        array $headers,
        string $scope
    ): array {
        // This runs on every API request: one string built and one FFI call, no C object made
        // (panelhost_process_verdict: method, path, address, then name and value of each header, each
        // followed by a NUL; the library refuses a NUL inside any of them by counting the strings).
        $query = strpos($path, '?');
        if ($query !== false) {
            $path = substr($path, 0, $query);
        }
        // built by concatenation (no array, no implode): its final NUL is the one every PHP string ends with
        $request = $method . "\0" . $path . "\0" . $clientAddr;
        foreach ($headers as $name => $value) {
            $request .= "\0" . $name . "\0" . (is_string($value) ? $value : self::headerValue($name, $value));
        }
        $verdict = $this->ffi->panelhost_process_verdict($this->configPath, $scope, $request, strlen($request) + 1);
        if ($verdict[0] === 'A') {
            return self::allowance($verdict);
        }
        return self::denial($verdict);
    }

    /**
     * authenticate()'s result for an "A" principal "\n" label "\n" scopes "\n" deprecation "\n" sunset verdict
     * (a library before 2.1 ends after scopes: no times then). Read by index from one explode (no list
     * assignment, no array of defaults merged in): it runs on every allowed API request.
     */
    private static function allowance(string $verdict): array
    {
        $fields = explode("\n", $verdict, 5);
        $label = $fields[1] ?? '';
        $scopes = $fields[2] ?? '';
        $deprecation = (int)($fields[3] ?? 0);
        $sunset = (int)($fields[4] ?? 0);
        return ['allowed' => true, 'status' => 200, 'error' => null, 'message' => null, 'retry_after' => 0,
            'principal' => substr($fields[0], 1), 'label' => $label !== '' ? $label : null,
            'scopes' => $scopes !== '' ? explode(',', $scopes) : [],
            'deprecation' => $deprecation > 0 ? $deprecation : null,
            'sunset' => $sunset > 0 ? $sunset : null];
    }

    /** authenticate()'s result for a "D" status code "\n" retry_after "\n" message verdict. */
    private static function denial(string $verdict): array
    {
        $first = (int)strpos($verdict, "\n");
        $second = (int)strpos($verdict, "\n", $first + 1);
        return ['allowed' => false, 'status' => (int)substr($verdict, 1, 3),
            'error' => substr($verdict, 4, $first - 4), 'message' => substr($verdict, $second + 1),
            'retry_after' => (int)substr($verdict, $first + 1, $second - $first - 1),
            'principal' => null, 'label' => null, 'scopes' => [], 'deprecation' => null, 'sunset' => null];
    }

    /** A header's value; a list (a field received several times) joined by ", " as RFC 9110 combines them. */
    private static function headerValue(int|string $name, mixed $value): string
    {
        if (is_array($value)) {
            $items = [];
            foreach ($value as $item) {
                $items[] = self::scalar($item, "header $name");
            }
            return implode(', ', $items);
        }
        return self::scalar($value, "header $name");
    }
}
