<?php
// View.php - rendering of the example panel: templates/NAME.php inside templates/layout.php, escaping (h), and
// the error page. frame(): what the layout shows on every page (the store's name, the user's role).
declare(strict_types=1);

namespace PhpPanel;

final class View
{
    /** @var array{store?: string, role?: ?string} */
    private static array $frame = [];

    /** The store's name and the signed-in user's role, for the header of every page rendered after this. */
    public static function frame(string $store, ?string $role): void
    {
        self::$frame = ['store' => $store !== '' ? $store : 'Store', 'role' => $role];
    }

    public static function render(string $template, array $vars): void
    {
        header('Content-Type: text/html; charset=utf-8');
        $h = static fn(?string $s): string => htmlspecialchars((string)$s, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
        $csrf = Session::csrf();
        extract($vars + self::$frame, EXTR_SKIP);
        ob_start();
        require __DIR__ . '/../templates/' . $template . '.php';
        $content = (string)ob_get_clean();
        require __DIR__ . '/../templates/layout.php';
    }

    public static function error(int $status, string $title, string $message, ?string $user = null, array $menu = []): void
    {
        http_response_code($status);
        if (session_status() !== PHP_SESSION_ACTIVE) {
            header('Content-Type: text/plain; charset=utf-8');
            echo "$title: $message\n";
            return;
        }
        self::render('error', ['title' => $title, 'message' => $message, 'user' => $user, 'menu' => $menu]);
    }
}
