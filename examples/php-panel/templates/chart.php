<?php /* chart.php - a time-series table's chart ($chart from PhpPanel\Chart::build(), $table its descriptor) drawn as the
       sample host draws it: inline SVG (no script, no inline style: the panel's Content-Security-Policy holds),
       stacked (or side-by-side) bars per day for 30 days and per hour for 48, axes, a legend with totals, the
       drawing's title and description, and the numbers as a table behind a disclosure. */
$palette = ['#2b7a3d', '#b3261e', '#1f5fa8', '#8a5a00', '#6b3fa0', '#00727a', '#555555', '#c05800'];
$chartId = 'chart-' . $table['id'];
$left = 44.0; $right = 352.0; $top = 12.0; $bottom = 160.0;
$f = static fn(float $x, int $d = 1): string => number_format($x, $d, '.', '');
$dayLabel = static fn(string $iso): string => (int)substr($iso, 8, 2) . ' ' . gmdate('M', gmmktime(0, 0, 0, (int)substr($iso, 5, 2), 1, 2000));
$sets = [['days', 'Per day, last 30 days', $chart['days']], ['hours', 'Per hour, last 48 hours', $chart['hours']]];
?>
<section class="chart-section" id="<?= $h($chartId) ?>">
  <h2><?= $h($chart['title']) ?></h2>
  <?php if ($chart['error'] !== null): ?><p class="error">The chart could not be drawn: <?= $h($chart['error']) ?></p><?php endif ?>
  <ul class="chart-legend">
  <?php foreach ($chart['names'] as $s => $name): ?>
    <li data-series-total="<?= $chart['totals'][$s] ?>"><svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" fill="<?= $palette[$s % 8] ?>"/></svg> <?= $h($name) ?>: <?= $chart['totals'][$s] ?> <?= $h($chart['unit']) ?></li>
  <?php endforeach ?>
  </ul>
  <?php foreach ($sets as [$setId, $heading, $buckets]):
      $max = 0;
      foreach ($buckets as [, $counts]) {
          $max = max($max, $chart['stacked'] ? array_sum($counts) : max($counts ?: [0]));
      }
      $axis = PhpPanel\Chart::axisTop($max);
      $scale = ($bottom - $top) / $axis;
      $slot = ($right - $left) / count($buckets);
      $svgId = $chartId . '-' . $setId; ?>
  <figure class="chart-figure"><figcaption><?= $h($heading) ?></figcaption>
  <svg class="chart" id="<?= $h($svgId) ?>" role="img" viewBox="0 0 360 196" width="100%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg" data-top="<?= $axis ?>" aria-labelledby="<?= $h($svgId) ?>-title <?= $h($svgId) ?>-desc">
    <title id="<?= $h($svgId) ?>-title"><?= $h($chart['title']) ?>, <?= $h($heading) ?></title>
    <desc id="<?= $h($svgId) ?>-desc"><?= $chart['stacked'] ? 'Stacked' : 'Grouped' ?> bars of <?= $h(count($chart['names']) > 1 ? implode(', ', array_slice($chart['names'], 0, -1)) . ' and ' . end($chart['names']) : $chart['names'][0]) ?> <?= $h($chart['unit']) ?> from <?= $h($buckets[0][0]) ?> to <?= $h($buckets[count($buckets) - 1][0]) ?> (UTC); the axis goes up to <?= $axis ?>. The numbers are in the table below the chart.</desc>
    <?php for ($k = 0; $k <= 2; $k++): $y = $bottom - ($bottom - $top) * $k / 2; ?>
    <line class="grid" x1="<?= $f($left) ?>" y1="<?= $f($y) ?>" x2="<?= $f($right) ?>" y2="<?= $f($y) ?>" stroke="<?= $k === 0 ? '#667' : '#dde' ?>" stroke-width="1"/>
    <text class="y-label" x="<?= $f($left - 4) ?>" y="<?= $f($y + 4) ?>" text-anchor="end" font-size="11" fill="#333"><?= intdiv($axis, 2) * $k ?></text>
    <?php endfor ?>
    <?php foreach ($buckets as $i => [$label, $counts]):
        $x = $left + $slot * $i + $slot * 0.125; $width = $slot * 0.75; $base = $bottom;
        foreach ($counts as $s => $value):
            if ($value === 0) { continue; }
            $barH = $value * $scale;
            if ($chart['stacked']) { $base -= $barH; $bx = $x; $by = $base; $bw = $width; }
            else { $bw = $width / count($counts); $bx = $x + $bw * $s; $by = $bottom - $barH; } ?>
    <rect class="bar" x="<?= $f($bx, 3) ?>" y="<?= $f($by, 3) ?>" width="<?= $f($bw, 3) ?>" height="<?= $f($barH, 3) ?>" fill="<?= $palette[$s % 8] ?>" data-series="<?= $h($chart['names'][$s]) ?>" data-bucket="<?= $h($label) ?>" data-value="<?= $value ?>"><title><?= $h($label) ?>: <?= $value ?> <?= $h($chart['names'][$s]) ?></title></rect>
    <?php endforeach;
        $show = $setId === 'days' ? (count($buckets) - 1 - $i) % 7 === 0 : in_array(substr($label, 11, 2), ['00', '12'], true);
        if ($show):
            $text = $setId === 'days' || substr($label, 11, 2) === '00' ? $dayLabel($label) : substr($label, 11, 5);
            $tx = $left + $slot * ($i + 0.5);
            $anchor = $tx < $left + 20 ? 'start' : ($tx > $right - 20 ? 'end' : 'middle'); ?>
    <text class="x-label" x="<?= $f($tx) ?>" y="<?= $f($bottom + 16) ?>" text-anchor="<?= $anchor ?>" font-size="11" fill="#333"><?= $h($text) ?></text>
    <?php endif; endforeach ?>
  </svg></figure>
  <?php endforeach ?>
  <?php if ($chart['skipped'] > 0): ?><p class="help"><?= $chart['skipped'] ?> rows could not be drawn (their time or numbers are not readable); the table shows them.</p><?php endif ?>
  <details class="chart-numbers"><summary>The numbers</summary><table>
    <thead><tr><th scope="col">Period (UTC)</th><?php foreach ($chart['names'] as $name): ?><th scope="col"><?= $h($name) ?></th><?php endforeach ?></tr></thead>
    <?php foreach ($sets as [$setId, $heading, $buckets]): ?>
    <tbody data-buckets="<?= $setId ?>"><tr><th scope="rowgroup" colspan="<?= count($chart['names']) + 1 ?>"><?= $h($heading) ?></th></tr>
    <?php foreach (array_reverse($buckets) as [$label, $counts]): ?><tr><th scope="row"><?= $h($label) ?></th><?php foreach ($counts as $count): ?><td><?= $count ?></td><?php endforeach ?></tr><?php endforeach ?>
    </tbody>
    <?php endforeach ?>
  </table></details>
</section>
