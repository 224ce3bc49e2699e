<?php
// Revoke.php - POST /api/v1/keys/revoke of the example panel, as the sample host answers it
// (sample-host/api/router_revoke.c): anyone holding a leaked key reports it without other credentials; the body
// is a form token= (token_type_hint ignored), JSON {"token","url"} or GitHub's secret-scanning array of up to 100
// {"token","type","url","source"}; each token goes to Panel\Host::reportLeak (every auth provider that takes
// reports revokes it when it is one of its live keys, on every server, before this answers). 200 {} for every
// well-formed request whatever the tokens were; 400 naming what to send; 413 over 16384 bytes; 429 with
// Retry-After past [host] leak_reports_per_minute (default 20) per address; 503 when a provider failed.
declare(strict_types=1);

namespace PhpPanel;

use Panel\Host;
use Panel\PanelException;

final class Revoke
{
    private const BODY_MAX = 16384;
    private const ITEMS_MAX = 100;
    private const SEND = 'send token=<key> as application/x-www-form-urlencoded, {"token":"<key>","url":"<where it '
        . 'was found>"} as application/json, or a JSON array of up to 100 {"token","type","url","source"} (GitHub '
        . 'secret scanning)';

    public static function handle(string $method): void
    {
        if ($method !== 'POST') {
            header('Allow: POST, OPTIONS');
            Api::json(405, ['error' => 'method_not_allowed',
                'message' => 'this route answers POST only; send a POST request with a body']);
            return;
        }
        $config = (string)($_SERVER['PANEL_CONFIG'] ?? '');
        $config = $config !== '' ? $config : \panel_config();
        $addr = (string)($_SERVER['REMOTE_ADDR'] ?? 'unknown');
        try {
            $host = Host::open($config);
            $wait = self::limit($host->dataDir(), $addr, $host->config('host', 'leak_reports_per_minute'));
        } catch (PanelException $e) {
            error_log('panel: ' . $e->getMessage());
            Api::json(503, ['error' => 'report_unavailable', 'message' => 'the report could not be handled now; '
                . 'send it again later']);
            return;
        }
        if ($wait > 0) {
            header("Retry-After: $wait");
            Api::json(429, ['error' => 'rate_limited', 'message' => "too many leak reports from this address; wait "
                . "$wait seconds (Retry-After) and send the rest"]);
            return;
        }
        $body = (string)file_get_contents('php://input', false, null, 0, self::BODY_MAX + 1);
        if (strlen($body) > self::BODY_MAX) {
            Api::json(413, ['error' => 'body_too_large',
                'message' => 'the request body is larger than 16384 bytes; send the findings in smaller batches']);
            return;
        }
        $findings = self::findings((string)($_SERVER['CONTENT_TYPE'] ?? ''), $body, $why);
        if ($findings === null) {
            Api::json(400, ['error' => 'bad_request', 'message' => "$why; " . self::SEND]);
            return;
        }
        foreach ($findings as [$token, $url, $source]) {
            try {
                Host::reportLeak($config, $token, $url, $source, $addr);
            } catch (PanelException $e) {
                error_log('panel: a leak report could not be handled: ' . $e->getMessage());
                header('Retry-After: 5');
                Api::json(503, ['error' => 'report_unavailable', 'message' => 'the report could not be handled now; '
                    . 'send it again later']);
                return;
            }
        }
        // {} (Api::json would encode an empty array as [])
        http_response_code(200);
        header('Content-Type: application/json');
        header('Cache-Control: no-store');
        header('Content-Length: 2');
        echo '{}';
    }

    /** The findings as [token, url, source] lists, or null with why the body cannot be read. */
    private static function findings(string $contentType, string $body, ?string &$why): ?array
    {
        $type = strtolower(trim(explode(';', $contentType)[0]));
        if ($body === '') {
            $why = 'the body is empty';
            return null;
        }
        if ($type === 'application/x-www-form-urlencoded') {
            $tokens = [];
            foreach (explode('&', $body) as $field) {
                if (str_starts_with($field, 'token=') && strlen($field) > 6) {
                    $tokens[] = [urldecode(substr($field, 6)), null, null];
                }
            }
            $why = count($tokens) === 0 ? 'the form has no token' : 'the form names token twice';
            return count($tokens) === 1 ? $tokens : null;
        }
        if ($type !== 'application/json') {
            $why = 'the Content-Type is neither application/x-www-form-urlencoded nor application/json';
            return null;
        }
        try {
            $doc = json_decode($body, true, 16, JSON_THROW_ON_ERROR);
        } catch (\JsonException) {
            $why = 'the body is not valid JSON';
            return null;
        }
        $items = is_array($doc) && array_is_list($doc) ? $doc : [$doc];
        if (count($items) < 1 || count($items) > self::ITEMS_MAX) {
            $why = 'the array must hold 1 to 100 findings';
            return null;
        }
        $out = [];
        foreach ($items as $item) {
            $token = is_array($item) ? ($item['token'] ?? null) : null;
            if (!is_string($token) || $token === '') {
                $why = 'each finding must be an object with a non-empty string "token"';
                return null;
            }
            foreach (['url', 'type', 'source'] as $name) {
                if (isset($item[$name]) && !is_string($item[$name])) {
                    $why = '"url", "type" and "source" must be strings';
                    return null;
                }
            }
            $out[] = [$token, $item['url'] ?? null, $item['source'] ?? null];
        }
        return $out;
    }

    /** 0 when addr may report now (a token of its bucket taken), else the seconds until it may. One bucket file
     * per address in the data directory's leak-reports/, shared by every worker (flock). */
    private static function limit(string $dataDir, string $addr, ?string $setting): int
    {
        $rate = $setting !== null && ctype_digit($setting) && (int)$setting >= 1 ? (int)$setting : 20;
        $dir = $dataDir . '/leak-reports';
        if (!is_dir($dir)) {
            @mkdir($dir, 0700);
        }
        $file = $dir . '/' . hash('sha256', $addr);
        $fd = fopen($file, 'c+');
        if ($fd === false || !flock($fd, LOCK_EX)) {
            return 0; // no bucket to keep: the provider's own write serialises the reports
        }
        $now = microtime(true);
        $state = explode(' ', (string)stream_get_contents($fd));
        $tokens = count($state) === 2 ? (float)$state[0] : (float)$rate;
        $last = count($state) === 2 ? (float)$state[1] : $now;
        $tokens = min((float)$rate, $tokens + ($now - $last) * $rate / 60.0);
        $wait = 0;
        if ($tokens >= 1.0) {
            $tokens -= 1.0;
        } else {
            $wait = (int)((1.0 - $tokens) * 60.0 / $rate) + 1;
        }
        ftruncate($fd, 0);
        rewind($fd);
        fwrite($fd, sprintf('%.6F %.6F', $tokens, $now));
        flock($fd, LOCK_UN);
        fclose($fd);
        return $wait;
    }
}
