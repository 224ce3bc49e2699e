<?php

// AuthenticateApiKey.php - the route middleware "apikey": apikey:SCOPE (a scope id of the panel config's
// [host] api_scopes, e.g. apikey:store.read) or apikey:any (every valid key may call the route); there is no
// default, a route without one is a developer's error. It asks the plugins' auth providers through the binding
// (Host::authenticateRequest: one FFI call) and answers a denial exactly as the sample host does: the status,
// {"error", "message"}, WWW-Authenticate: Bearer on a 401, Retry-After when the provider gives one; Deprecation
// and Sunset when the binding's result carries them (a key in its grace period or about to expire). An allowed
// request reaches the controller with the request attributes panel.principal, panel.label and panel.scopes.

declare(strict_types=1);

namespace Panel\Laravel\Http\Middleware;

use Closure;
use Illuminate\Http\JsonResponse;
use Illuminate\Http\Request;
use Illuminate\Support\Facades\Log;
use InvalidArgumentException;
use Panel\Host;
use Panel\PanelException;
use Symfony\Component\HttpFoundation\Response;

final class AuthenticateApiKey
{
    /** The parameter of a route every valid key may call (Host::ANY_SCOPE). */
    public const ANY = 'any';

    public function handle(Request $request, Closure $next, ?string $scope = null): Response
    {
        if ($scope === null || $scope === '') {
            throw new InvalidArgumentException(
                'the apikey middleware needs the scope the route requires: apikey:SCOPE (an id of [host] '
                . 'api_scopes) or apikey:any for a route every valid key may call'
            );
        }
        try {
            $verdict = Host::authenticateRequest(
                (string)config('panel.config'),
                $request->getMethod(),
                $request->getPathInfo(),
                (string)$request->ip(),
                $request->headers->all(),
                $scope === self::ANY ? Host::ANY_SCOPE : $scope
            );
        } catch (PanelException $e) {
            // the reason (paths, the config's errors) goes to the log, not to the client; fail closed
            Log::error('panel: ' . $e->getMessage());
            return self::json(
                503,
                'auth_failed',
                "the server could not check the request's credentials; try again later"
            );
        }
        if (!$verdict['allowed']) {
            $response = self::json($verdict['status'], (string)$verdict['error'], (string)$verdict['message']);
            if ($verdict['status'] === 401) {
                $response->headers->set('WWW-Authenticate', 'Bearer');
            }
            if ($verdict['retry_after'] > 0) {
                $response->headers->set('Retry-After', (string)$verdict['retry_after']);
            }
            return self::announce($response, $verdict);
        }
        $request->attributes->set('panel.principal', $verdict['principal']);
        $request->attributes->set('panel.label', $verdict['label']);
        $request->attributes->set('panel.scopes', $verdict['scopes']);
        return self::announce($next($request), $verdict);
    }

    /**
     * The Deprecation (RFC 9745: "@" Unix time) and Sunset (RFC 8594: an HTTP-date) headers a verdict asks for:
     * the binding's 'deprecation' and 'sunset' (Unix times; 0 or absent: none; a value already formatted as the
     * header's is sent as it is). Header name => value.
     */
    public static function announcements(array $verdict): array
    {
        $headers = [];
        $deprecation = $verdict['deprecation'] ?? null;
        $sunset = $verdict['sunset'] ?? null;
        if (is_numeric($deprecation) && (int)$deprecation > 0) {
            $headers['Deprecation'] = '@' . (int)$deprecation;
        } elseif (is_string($deprecation) && $deprecation !== '' && !is_numeric($deprecation)) {
            $headers['Deprecation'] = $deprecation;
        }
        if (is_numeric($sunset) && (int)$sunset > 0) {
            $headers['Sunset'] = gmdate('D, d M Y H:i:s', (int)$sunset) . ' GMT';
        } elseif (is_string($sunset) && $sunset !== '' && !is_numeric($sunset)) {
            $headers['Sunset'] = $sunset;
        }
        return $headers;
    }

    private static function announce(Response $response, array $verdict): Response
    {
        foreach (self::announcements($verdict) as $name => $value) {
            $response->headers->set($name, $value);
        }
        return $response;
    }

    private static function json(int $status, string $error, string $message): JsonResponse
    {
        $response = new JsonResponse(
            ['error' => $error, 'message' => $message],
            $status,
            ['Cache-Control' => 'no-store'],
            JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
        );
        return $response;
    }
}
