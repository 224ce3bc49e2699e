<?php
// chart_page.php - prints, for tests/cli/chart_php.sh, the clock it used on the first line, then what the example
// PHP panel draws for the time-series tables of page $argv[1] as user admin (templates/chart.php for each chart of
// PhpPanel\Chart::forPage), then the page's table descriptors' 'series' as JSON on the last line.
declare(strict_types=1);

require __DIR__ . '/../../examples/php-panel/src/bootstrap.php';

$now = time();
$host = Panel\Host::open(panel_config());
$page = $host->page('admin', $argv[1]);
if (Panel\Host::refused($page)) {
    fwrite(STDERR, $page['message'] . "\n");
    exit(1);
}
$charts = PhpPanel\Chart::forPage($host, 'admin', $page, $now);
$h = static fn(?string $s): string => htmlspecialchars((string)$s, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
echo $now, "\n";
foreach ($page['tables'] as $table) {
    if (isset($charts[$table['id']])) {
        $chart = $charts[$table['id']];
        require __DIR__ . '/../../examples/php-panel/templates/chart.php';
    }
}
echo "\n", json_encode(array_map(static fn(array $t): ?array => $t['series'], $page['tables'])), "\n";
