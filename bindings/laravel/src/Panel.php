<?php

// Panel.php - Panel\Laravel\Panel, what an application calls: routes() mounts the admin pages inside the route
// group the application gives them (its prefix, its own authentication middleware); host() is this worker's
// libpanelhost host of the configured panel.ini; panelUser() and allows() map the application's users to the
// panel's users and roles, through one gate per panel permission ("panel:settings.api_key"), defined on first
// use unless the application defined it itself.

declare(strict_types=1);

namespace Panel\Laravel;

use Closure;
use Illuminate\Support\Facades\Gate;
use Illuminate\Support\Facades\Route;
use Panel\Host;
use Panel\Laravel\Http\Controllers\AdminController;

final class Panel
{
    /** The gates' prefix: the gate of permission P is "panel:P". */
    public const GATE_PREFIX = 'panel:';

    private static ?Closure $userResolver = null;

    /**
     * The admin routes, to call inside the application's route group, e.g. in routes/web.php:
     * Route::middleware('auth')->prefix('admin/panel')->group(fn () => Panel::routes());
     * Names: panel.home (the menu), panel.page, panel.action, panel.field, panel.asset.
     */
    public static function routes(): void
    {
        Route::get('/', [AdminController::class, 'home'])->name('panel.home');
        Route::get('assets/{file}', [AdminController::class, 'asset'])
            ->where('file', 'panel\.(css|js)')->name('panel.asset');
        Route::post('{page}/action/{action}', [AdminController::class, 'action'])
            ->where(['page' => '.+?', 'action' => '[A-Za-z0-9_.-]+'])->name('panel.action');
        Route::post('{page}/field/{field}', [AdminController::class, 'field'])
            ->where(['page' => '.+?', 'field' => '[A-Za-z0-9_.-]+'])->name('panel.field');
        Route::get('{page}', [AdminController::class, 'page'])->where('page', '.+')->name('panel.page');
    }

    /** This worker's host of config('panel.config'); throws Panel\PanelException when it cannot be opened. */
    public static function host(): Host
    {
        return Host::open((string)config('panel.config'));
    }

    /**
     * Decides who an application user is in the panel: resolver(user) returns a panel user name ([user:NAME]
     * of the panel config) or null for none. Replaces the config's user_attribute.
     */
    public static function resolveUsersWith(?Closure $resolver): void
    {
        self::$userResolver = $resolver;
    }

    /** The panel user the application user acts as, or null when they have none. */
    public static function panelUser(mixed $user): ?string
    {
        if ($user === null) {
            return null;
        }
        if (self::$userResolver !== null) {
            $name = (self::$userResolver)($user);
        } else {
            $attribute = (string)config('panel.user_attribute', 'panel_user');
            $name = $user->{$attribute} ?? null;
        }
        return is_string($name) && $name !== '' ? $name : null;
    }

    /**
     * Whether the application user passes the gate of a panel permission ("panel:" . permission). The gate is
     * the application's own when it defined one; otherwise it is defined here: the panel user's role (its
     * [user:NAME] role in the panel config) must grant the permission, as the library decides.
     */
    public static function allows(mixed $user, string $permission): bool
    {
        if ($user === null || $permission === '') {
            return false;
        }
        $ability = self::GATE_PREFIX . $permission;
        if (!Gate::has($ability)) {
            Gate::define($ability, static fn ($user): bool => self::roleGrants($user, $permission));
        }
        return Gate::forUser($user)->allows($ability);
    }

    /** The default gate: the role of the user's panel user grants the permission. */
    public static function roleGrants(mixed $user, string $permission): bool
    {
        $name = self::panelUser($user);
        if ($name === null) {
            return false;
        }
        $host = self::host();
        $role = $host->config("user:$name", 'role');
        return $role !== null && $host->roleAllows($role, $permission);
    }
}
