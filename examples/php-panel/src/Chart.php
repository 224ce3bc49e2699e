<?php
// Chart.php - the numbers of a time-series table (ABI 1.3, page()['tables'][i]['series']) summed as the sample
// host's web chart sums them: per series, one bucket per UTC day of the last 30 days and one per hour of the last
// 48, over every group; templates/chart.php draws them as inline SVG. Rows whose time or numbers are not what the
// descriptor says are counted as skipped, not drawn.
declare(strict_types=1);

namespace PhpPanel;

use Panel\Host;

final class Chart
{
    public const DAYS = 30;
    public const HOURS = 48;
    private const ROWS_MAX = 1000000;

    /** [table id => chart] for each time series of the page (see build()). */
    public static function forPage(Host $host, string $user, array $page, ?int $now = null): array
    {
        $charts = [];
        foreach ($page['tables'] as $table) {
            if (($table['series'] ?? null) !== null) {
                $charts[$table['id']] = self::build($host, $user, $page['id'], $table, $now ?? time());
            }
        }
        return $charts;
    }

    /**
     * ['title', 'unit' => string, 'stacked' => bool, 'names' => [series titles], 'days' => [[label, [counts]]],
     * 'hours' => [[label, [counts]]] (oldest first), 'totals' => [counts], 'rows' => summed, 'skipped' => int,
     * 'error' => ?string].
     */
    public static function build(Host $host, string $user, string $pageId, array $table, int $now): array
    {
        $s = $table['series'];
        $names = array_values($s['series']);
        $n = count($names);
        $firstDay = $now - $now % 86400 - (self::DAYS - 1) * 86400;
        $firstHour = $now - $now % 3600 - (self::HOURS - 1) * 3600;
        $days = array_fill(0, self::DAYS, array_fill(0, $n, 0));
        $hours = array_fill(0, self::HOURS, array_fill(0, $n, 0));
        $totals = array_fill(0, $n, 0);
        $chart = ['title' => $table['title'], 'unit' => $s['unit'] ?? '', 'stacked' => $s['stacked'],
            'names' => $names, 'rows' => 0, 'skipped' => 0, 'error' => null];
        $rows = $host->table($user, $pageId, $table['id'], 0, self::ROWS_MAX);
        if (Host::refused($rows)) {
            $chart['error'] = $rows['message'];
            $rows = [];
        }
        foreach ($rows as $row) {
            $start = self::time((string)($row[$s['time_index']] ?? ''));
            if ($start === null) {
                $chart['skipped']++;
                continue;
            }
            if ($start < $firstDay) {
                break; // newest first: the rest is older still
            }
            $counts = [];
            foreach (array_keys($s['series']) as $column) {
                $cell = (string)($row[$column] ?? '');
                if ($cell !== '' && !ctype_digit($cell)) {
                    $chart['skipped']++;
                    continue 2;
                }
                $counts[] = (int)$cell;
            }
            $day = intdiv($start - $firstDay, 86400);
            if ($day >= self::DAYS) {
                continue; // in the future
            }
            $hour = $start >= $firstHour ? intdiv($start - $firstHour, 3600) : -1;
            $chart['rows']++;
            foreach ($counts as $i => $count) {
                $days[$day][$i] += $count;
                $totals[$i] += $count;
                if ($hour >= 0 && $hour < self::HOURS) {
                    $hours[$hour][$i] += $count;
                }
            }
        }
        $chart['days'] = [];
        foreach ($days as $i => $counts) {
            $chart['days'][] = [gmdate('Y-m-d', $firstDay + $i * 86400), $counts];
        }
        $chart['hours'] = [];
        foreach ($hours as $i => $counts) {
            $chart['hours'][] = [gmdate('Y-m-d\TH:00\Z', $firstHour + $i * 3600), $counts];
        }
        $chart['totals'] = $totals;
        return $chart;
    }

    /** "YYYY-MM-DDTHH:MM:SSZ" to Unix seconds, or null. */
    private static function time(string $iso): ?int
    {
        if (preg_match('/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/', $iso) !== 1) {
            return null;
        }
        $t = \DateTimeImmutable::createFromFormat('!Y-m-d\TH:i:s\Z', $iso, new \DateTimeZone('UTC'));
        return $t === false ? null : $t->getTimestamp();
    }

    /** The axis' top: the smallest of 2, 4 or 10 times a power of ten that is >= max (as the sample host's). */
    public static function axisTop(int $max): int
    {
        if ($max <= 2) {
            return 2;
        }
        for ($p = 1; $p <= intdiv(PHP_INT_MAX, 10); $p *= 10) {
            foreach ([2, 4, 10] as $step) {
                if ($step * $p >= $max) {
                    return $step * $p;
                }
            }
        }
        return $max;
    }
}
