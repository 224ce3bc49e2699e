<?php

// AdminController.php - the admin pages of panel/laravel, mounted by Panel::routes() behind the application's own
// authentication: the menu (what the plugins registered, each entry behind its permission's gate), a page
// rendered from Host::page() (status, fields, page actions with their availability, tables of records with row
// actions), actions (a dangerous one answers with its confirmation step first; the one-time secret is shown in
// the answer to the POST and nowhere else) and field changes. Each page is behind the gate "panel:PERMISSION"
// of the permission the page requires (Panel::allows), and the library checks the panel user's role again.
// The application's CSRF middleware guards every POST. The library's refusals are shown with its message and a
// matching status; a host that cannot be opened is logged, and people see only that the panel is unavailable.

declare(strict_types=1);

namespace Panel\Laravel\Http\Controllers;

use Illuminate\Http\Request;
use Illuminate\Support\Facades\Log;
use Panel\Host;
use Panel\Laravel\Panel;
use Panel\PanelException;
use Symfony\Component\HttpFoundation\Response;

final class AdminController
{
    /** The HTTP status of each refusal code of the library. */
    private const STATUS = ['denied' => 403, 'not_found' => 404, 'invalid' => 400, 'confirm' => 400,
        'state' => 409, 'conflict' => 409, 'store' => 503, 'unavailable' => 503];
    private const HEADERS = [
        'Cache-Control' => 'no-store',
        'X-Frame-Options' => 'DENY',
        'Referrer-Policy' => 'no-referrer',
        'X-Content-Type-Options' => 'nosniff',
        'Content-Security-Policy' => "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
    ];

    public function home(Request $request): Response
    {
        $entered = $this->enter($request);
        if ($entered instanceof Response) {
            return $entered;
        }
        return $this->view('panel::home', $request, $entered, []);
    }

    /** The package's stylesheet and script (panel.css, panel.js). */
    public function asset(string $file): Response
    {
        $type = str_ends_with($file, '.css') ? 'text/css' : 'text/javascript';
        return response((string)file_get_contents(__DIR__ . '/../../../resources/assets/' . $file), 200, [
            'Content-Type' => "$type; charset=utf-8",
            'Cache-Control' => 'private, max-age=3600',
            'X-Content-Type-Options' => 'nosniff',
        ]);
    }

    public function page(Request $request, string $page): Response
    {
        $entered = $this->enter($request, $page);
        if ($entered instanceof Response) {
            return $entered;
        }
        return $this->renderPage($request, $entered, $page, [], 200);
    }

    public function action(Request $request, string $page, string $action): Response
    {
        $entered = $this->enter($request, $page);
        if ($entered instanceof Response) {
            return $entered;
        }
        $params = [];
        foreach ((array)$request->input('param', []) as $name => $value) {
            if (is_string($value) || $value === null) { // the application may turn "" into null
                $params[(string)$name] = (string)$value;
            }
        }
        // a list parameter's checkboxes (pc[ID][]): its items joined by ',' (none: the hidden param[ID] "")
        foreach ((array)$request->input('pc', []) as $name => $items) {
            if (is_array($items)) {
                $params[(string)$name] = implode(',', array_filter($items, 'is_string'));
            }
        }
        $record = $request->input('_record');
        $record = is_string($record) && $record !== '' ? $record : null;
        $confirmed = $request->input('confirmed') === '1';
        $result = $entered['host']->action(
            $entered['panelUser'],
            $page,
            $action,
            $params,
            confirmed: $confirmed,
            clientAddr: (string)$request->ip(),
            record: $record
        );
        if ($result['code'] === 'confirm') {
            return $this->view('panel::confirm', $request, $entered, ['pageId' => $page, 'actionId' => $action,
                'params' => $params, 'record' => $record, 'text' => $result['message']]);
        }
        $notice = ['ok' => $result['ok'], 'message' => $result['message'], 'secret' => $result['secret'],
            'record' => $result['record'], 'field' => null];
        return $this->renderPage($request, $entered, $page, $notice, self::status($result));
    }

    public function field(Request $request, string $page, string $field): Response
    {
        $entered = $this->enter($request, $page);
        if ($entered instanceof Response) {
            return $entered;
        }
        // the value exactly as typed, from the form's own body: the application's TrimStrings and
        // ConvertEmptyStringsToNull must not turn a pasted key with a stray space into a different one
        $raw = [];
        parse_str((string)$request->getContent(), $raw);
        $value = is_string($raw['value'] ?? null) ? $raw['value'] : (string)$request->input('value', '');
        $result = $entered['host']->setField(
            $entered['panelUser'],
            $page,
            $field,
            $value,
            confirmed: $request->input('confirmed') === '1',
            clientAddr: (string)$request->ip()
        );
        $notice = ['ok' => $result['ok'], 'message' => $result['message'], 'secret' => null, 'record' => null,
            'field' => $field];
        return $this->renderPage($request, $entered, $page, $notice, self::status($result));
    }

    /**
     * The host, the panel user and the menu for this request, after the gate of pageId's permission (when a
     * page is asked for); or the error page to answer instead.
     */
    private function enter(Request $request, ?string $pageId = null): array|Response
    {
        $user = $request->user();
        try {
            $host = Panel::host();
        } catch (PanelException $e) {
            Log::error('panel: ' . $e->getMessage());
            return $this->error(500, 'The panel cannot start', 'The panel is not available; the reason is in the '
                . "application's log.", $request, null);
        }
        $panelUser = Panel::panelUser($user);
        if ($panelUser === null) {
            return $this->error(403, 'Not allowed', 'Your account has no role in the panel.', $request, null);
        }
        $entered = ['host' => $host, 'panelUser' => $panelUser, 'menu' => $this->menu($host, $user, $panelUser)];
        if ($pageId !== null) {
            $permission = $host->permission($pageId);
            if ($permission === null) {
                return $this->error(404, 'Not found', 'There is no such page in this panel.', $request, $entered);
            }
            if (!Panel::allows($user, $permission)) {
                return $this->error(403, 'Not allowed', 'Your role does not allow this page.', $request, $entered);
            }
        }
        return $entered;
    }

    /** The menu entries the library shows the panel user whose page's gate the application user passes. */
    private function menu(Host $host, mixed $user, string $panelUser): array
    {
        $menu = [];
        foreach ($host->menu($panelUser) as $entry) {
            if (Panel::allows($user, (string)$host->permission($entry['page']))) {
                $menu[] = $entry;
            }
        }
        return $menu;
    }

    /** A page; notice: the outcome of a change (message, one-time secret, record created, field). */
    private function renderPage(Request $request, array $entered, string $pageId, array $notice, int $status): Response
    {
        $host = $entered['host'];
        $page = $host->page($entered['panelUser'], $pageId, (string)$request->ip());
        if (Host::refused($page)) {
            return $this->error(
                self::STATUS[$page['code']] ?? 500,
                $page['code'] === 'denied' ? 'Not allowed' : 'Not found',
                $page['message'],
                $request,
                $entered
            );
        }
        // whether each row action makes sense for each record shown (the plugin's answer; rendering only)
        $available = [];
        foreach ($page['tables'] as $table) {
            if ($table['row_id_index'] === null) {
                continue;
            }
            foreach ($table['rows'] as $row) {
                $record = (string)($row[$table['row_id_index']] ?? '');
                foreach ($table['row_actions'] as $actionId) {
                    $answer = $host->available(
                        $entered['panelUser'],
                        $pageId,
                        $actionId,
                        $record,
                        (string)$request->ip()
                    );
                    $available[$table['id']][$record][$actionId] = Host::refused($answer)
                        ? ['available' => true, 'reason' => null] : $answer;
                }
            }
        }
        return $this->view('panel::page', $request, $entered, ['page' => $page, 'notice' => $notice,
            'available' => $available], $status);
    }

    private function error(int $status, string $title, string $message, Request $request, ?array $entered): Response
    {
        return $this->view('panel::error', $request, $entered ?? ['menu' => [], 'panelUser' => null], [
            'title' => $title, 'message' => $message], $status);
    }

    private function view(string $name, Request $request, array $entered, array $vars, int $status = 200): Response
    {
        $user = $request->user();
        $shown = $user === null ? null : (string)($user->name ?? $user->getAuthIdentifier());
        return response()->view($name, $vars + ['menu' => $entered['menu'], 'userName' => $shown,
            'panelUser' => $entered['panelUser']], $status, self::HEADERS);
    }

    private static function status(array $result): int
    {
        return $result['ok'] ? 200 : (self::STATUS[$result['code']] ?? 500);
    }
}
