<?php /* page.php - a plugin page rendered from Panel\Host::page(): the outcome of the last change (with the one-time
       secret box and the record it created), status lines, fields, page actions (with their parameters; dangerous
       ones ask first; one the plugin says makes no sense now is disabled with its reason) and tables; a table of
       records gets a form per row action in each row (the record id hidden, the parameters folded behind the
       action's name, the same confirmation step). $available: [table][record][action] => available(). */
$rowActions = [];
foreach ($page['actions'] as $action) {
    if ($action['row_table'] !== null) {
        $rowActions[$action['id']] = $action;
    }
}
$current = [];
$button = static function (array $action, ?array $availability, string $suffix) use ($h): string {
    $ok = $availability === null || $availability['available'] !== false;
    $id = 'unavailable-' . $action['id'] . ($suffix !== '' ? '-' . $suffix : '');
    return '<button type="submit"' . ($action['dangerous'] ? ' class="danger"' : '')
        . ($ok ? '' : ' disabled aria-describedby="' . $h($id) . '"') . '>' . $h($action['label']) . '</button>'
        . ($ok ? '' : ' <span class="unavailable" id="' . $h($id) . '">' . $h($availability['reason']) . '</span>');
};
?>
<h1><?= $h($page['title']) ?></h1>
<?php if ($page['description'] !== null): ?><p class="description"><?= $h($page['description']) ?></p><?php endif ?>

<?php if ($notice !== [] && $notice['field'] === null): ?>
  <p class="<?= $notice['ok'] ? 'notice' : 'error' ?>" id="result-message"><?= $h($notice['message']) ?></p>
<?php endif ?>
<?php if (($notice['record'] ?? null) !== null): ?>
  <p class="notice" id="result-record">Record: <?= $h($notice['record']) ?></p>
<?php endif ?>
<?php if (($notice['secret'] ?? null) !== null): ?>
  <section id="one-time-secret-box">
    <label for="one-time-secret">Copy it now: it will not be shown again.</label>
    <input id="one-time-secret" readonly value="<?= $h($notice['secret']) ?>" autocomplete="off" spellcheck="false">
    <button type="button" data-copy-target="one-time-secret">Copy</button>
  </section>
<?php endif ?>

<?php if ($page['status'] !== []): ?>
<dl class="status">
  <?php foreach ($page['status'] as [$label, $value]): ?><dt><?= $h($label) ?></dt><dd><?= $h($value) ?></dd><?php endforeach ?>
</dl>
<?php endif ?>

<?php foreach ($page['fields'] as $field): ?>
<section class="field" id="field-<?= $h($field['id']) ?>">
  <h2><?= $h($field['label']) ?></h2>
  <?php if ($field['help'] !== null): ?><p class="help"><?= $h($field['help']) ?></p><?php endif ?>
  <?php if ($field['type'] === 'readonly'): ?>
    <p class="value"><?= $h($field['value'] ?? $field['error']) ?></p>
  <?php else: ?>
    <p class="value">Current: <?= $h($field['value'] ?? $field['error']) ?></p>
    <form method="post" action="/admin/<?= $h($page['id']) ?>/field/<?= $h($field['id']) ?>">
      <input type="hidden" name="_csrf" value="<?= $h($csrf) ?>">
      <?php if ($field['type'] === 'toggle'): ?>
        <select name="value" id="input-<?= $h($field['id']) ?>"><option value="1">on</option><option value="0">off</option></select>
      <?php elseif ($field['type'] === 'secret'): ?>
        <input type="password" name="value" id="input-<?= $h($field['id']) ?>" value="" autocomplete="off">
      <?php else: ?>
        <input name="value" id="input-<?= $h($field['id']) ?>" value="<?= $h($field['value']) ?>">
      <?php endif ?>
      <?php if ($field['dangerous']): ?>
        <label><input type="checkbox" name="confirmed" value="1" id="confirm-<?= $h($field['id']) ?>"> <?= $h($field['confirm']) ?></label>
      <?php endif ?>
      <button type="submit">Save</button>
    </form>
    <?php if (($notice['field'] ?? null) === $field['id']): ?>
      <p class="<?= $notice['ok'] ? 'notice' : 'error' ?>"><?= $h($notice['message']) ?></p>
    <?php endif ?>
  <?php endif ?>
</section>
<?php endforeach ?>

<section class="actions">
<?php foreach ($page['actions'] as $action): if ($action['row_table'] !== null) continue; ?>
  <form method="post" action="/admin/<?= $h($page['id']) ?>/action/<?= $h($action['id']) ?>" data-action="<?= $h($action['id']) ?>">
    <input type="hidden" name="_csrf" value="<?= $h($csrf) ?>">
    <?php if ($action['available'] !== false): foreach ($action['params'] as $param): $idPrefix = $action['id'] . '-'; ?>
      <div class="param"><?php require __DIR__ . '/param.php' ?></div>
    <?php endforeach; endif ?>
    <?= $button($action, $action, '') ?>
    <?php if ($action['help'] !== null): ?><span class="help"><?= $h($action['help']) ?></span><?php endif ?>
  </form>
<?php endforeach ?>
</section>

<?php foreach ($page['tables'] as $table): ?>
<?php if (isset($charts[$table['id']])) { $chart = $charts[$table['id']]; require __DIR__ . '/chart.php'; } /* a time series (ABI 1.3) */ ?>
<section class="table" id="table-<?= $h($table['id']) ?>">
  <h2><?= $h($table['title']) ?></h2>
  <?php if ($table['error'] !== null): ?><p class="error"><?= $h($table['error']) ?></p><?php endif ?>
  <?php $actionsHere = array_values(array_filter(array_map(static fn($id) => $rowActions[$id] ?? null, $table['row_actions']))); ?>
  <table>
    <thead><tr><?php foreach ($table['columns'] as $column): ?><th scope="col"><?= $h($column) ?></th><?php endforeach ?><?php if ($actionsHere !== []): ?><th scope="col">Actions</th><?php endif ?></tr></thead>
    <tbody>
    <?php foreach ($table['rows'] as $row): $record = $table['row_id_index'] !== null ? ($row[$table['row_id_index']] ?? '') : null; ?>
      <tr<?= $record !== null ? ' data-record="' . $h($record) . '"' : '' ?>><?php foreach ($row as $cell): ?><td><?= $h($cell) ?></td><?php endforeach ?>
      <?php if ($actionsHere !== []): ?><td class="row-actions">
        <?php foreach ($actionsHere as $action): $availability = $available[$table['id']][$record][$action['id']] ?? null; ?>
          <form method="post" class="row-action" action="/admin/<?= $h($page['id']) ?>/action/<?= $h($action['id']) ?>" data-action="<?= $h($action['id']) ?>" data-record="<?= $h($record) ?>">
            <input type="hidden" name="_csrf" value="<?= $h($csrf) ?>">
            <input type="hidden" name="_record" value="<?= $h($record) ?>">
            <?php if ($action['params'] !== [] && ($availability['available'] ?? true) !== false): ?>
              <details class="row-params"><summary><?= $h($action['label']) ?></summary>
                <?php foreach ($action['params'] as $param): $idPrefix = $action['id'] . '-' . $record . '-'; ?>
                  <div class="param"><?php require __DIR__ . '/param.php' ?></div>
                <?php endforeach ?>
                <?= $button($action, $availability, (string)$record) ?>
              </details>
            <?php else: ?>
              <?= $button($action, $availability, (string)$record) ?>
            <?php endif ?>
          </form>
        <?php endforeach ?>
      </td><?php endif ?></tr>
    <?php endforeach ?>
    <?php if ($table['rows'] === [] && $table['error'] === null): ?><tr><td colspan="<?= count($table['columns']) + ($actionsHere !== [] ? 1 : 0) ?>">No entries yet.</td></tr><?php endif ?>
    </tbody>
  </table>
</section>
<?php endforeach ?>
