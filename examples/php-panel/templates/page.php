<?php /* page.php - a plugin page rendered from Panel\Host::page(), laid out as the sample host's: the outcome of the
       last change (carried over the redirect: the message - followed by "Created: N" unless it names the record
       it created, as the sample host's; that record's row is marked - the one-time secret box with a ready curl command),
       status lines (those after the page's status_summary_lines in a "Details" fold), fields (one the plugin says
       cannot be set now is disabled with its reason), page actions (with their parameters; dangerous ones ask
       first; one the plugin says makes no sense now is disabled with its reason, an available one shows the
       plugin's note beside it) and tables (templates/table.php: a record's row actions
       below its row). $available: [table][record][action] => available(); $apiUrl: the store's API address. */
$rowActions = [];
foreach ($page['actions'] as $action) {
    if ($action['row_table'] !== null) {
        $rowActions[$action['id']] = $action;
    }
}
$current = [];
$button = static function (array $action, ?array $availability, string $suffix) use ($h): string {
    $ok = $availability === null || $availability['available'] !== false;
    $text = $ok ? ($availability['note'] ?? null) : $availability['reason'];
    $id = ($ok ? 'note-' : 'unavailable-') . $action['id'] . ($suffix !== '' ? '-' . $suffix : '');
    return '<button type="submit"' . ($action['dangerous'] ? ' class="danger"' : '') . ($ok ? '' : ' disabled')
        . ($text !== null ? ' aria-describedby="' . $h($id) . '"' : '') . '>' . $h($action['label']) . '</button>'
        . ($text === null ? '' : ' <span class="' . ($ok ? 'action-note' : 'unavailable') . '" id="' . $h($id) . '">'
            . $h($text) . '</span>');
};
$summary = $page['status_summary_lines'] ?? 0;
$statusParts = $summary > 0 && count($page['status']) > $summary
    ? [array_slice($page['status'], 0, $summary), array_slice($page['status'], $summary)] : [$page['status'], []];
$pageActions = array_values(array_filter($page['actions'], static fn(array $a): bool => $a['row_table'] === null));
?>
<h1><?= $h($page['title']) ?></h1>
<?php if ($page['description'] !== null): ?><p class="help description"><?= $h($page['description']) ?></p><?php endif ?>

<?php if ($notice !== [] && $notice['field'] === null): ?>
  <p class="notice <?= $notice['ok'] ? 'ok' : 'failed' ?>" role="<?= $notice['ok'] ? 'status' : 'alert' ?>" id="result-message"><?= $h($notice['message']) ?>
    <?php if (($notice['record'] ?? null) !== null): $named = str_contains((string)$notice['message'], (string)$notice['record']); ?>
      <span id="created-record"<?= $named ? ' hidden>' : '>Created: ' ?><?= $h($notice['record']) ?></span><?php endif ?></p>
<?php endif ?>
<?php if (($notice['secret'] ?? null) !== null): require __DIR__ . '/secret.php'; endif ?>
<?php if (($notice['secret_lost'] ?? false) === true): ?>
  <p class="notice failed" role="alert" id="secret-lost">The new secret can be shown only in the browser that sent
    the form, and this one does not hold its key: make a new one (Reset) if you do not have it.</p>
<?php endif ?>

<?php if ($page['status'] !== []): ?>
<section id="status"><h2>Status</h2>
<dl class="status">
  <?php foreach ($statusParts[0] as [$label, $value]): ?><dt><?= $h($label) ?></dt><dd><?= $h($value) ?></dd><?php endforeach ?>
</dl>
<?php if ($statusParts[1] !== []): ?>
<details class="status-details"><summary>Details</summary><dl class="status">
  <?php foreach ($statusParts[1] as [$label, $value]): ?><dt><?= $h($label) ?></dt><dd><?= $h($value) ?></dd><?php endforeach ?>
</dl></details>
<?php endif ?>
</section>
<?php endif ?>

<?php if ($page['fields'] !== []): ?>
<section id="fields"><h2>Settings</h2>
<?php foreach ($page['fields'] as $field): ?>
<div class="field" id="field-<?= $h($field['id']) ?>">
  <?php if ($field['type'] === 'readonly'): ?>
    <label><?= $h($field['label']) ?></label>
    <p class="value"><?= $h($field['value'] ?? $field['error']) ?></p>
  <?php else: $off = ($field['available'] ?? true) === false ? ' disabled' : ''; ?>
    <form method="post" action="/admin/<?= $h($page['id']) ?>/field/<?= $h($field['id']) ?>">
      <input type="hidden" name="_csrf" value="<?= $h($csrf) ?>">
      <label for="input-<?= $h($field['id']) ?>"><?= $h($field['label']) ?></label>
      <?php if ($field['type'] === 'toggle'): ?>
        <select name="value" id="input-<?= $h($field['id']) ?>"<?= $off ?>><option value="1"<?= $field['value'] === '1' ? ' selected' : '' ?>>On</option><option value="0"<?= $field['value'] === '0' ? ' selected' : '' ?>>Off</option></select>
      <?php elseif ($field['type'] === 'secret'): ?>
        <p class="value">Current: <?= $h($field['value'] ?? $field['error']) ?></p>
        <input type="password" name="value" id="input-<?= $h($field['id']) ?>" value="" autocomplete="off" placeholder="Paste a new value"<?= $off ?>>
      <?php else: ?>
        <input type="text" name="value" id="input-<?= $h($field['id']) ?>" value="<?= $h($field['value']) ?>"<?= $off ?>>
      <?php endif ?>
      <?php if ($off !== ''): ?>
        <p class="unavailable" id="unavailable-field-<?= $h($field['id']) ?>"><?= $h($field['reason']) ?></p>
      <?php elseif (($field['note'] ?? null) !== null): ?>
        <p class="field-note" id="note-field-<?= $h($field['id']) ?>"><?= $h($field['note']) ?></p>
      <?php endif ?>
      <?php if ($field['help'] !== null): ?><p class="help"><?= $h($field['help']) ?></p><?php endif ?>
      <?php if ($field['dangerous']): ?>
        <?php if ($field['confirm'] !== null): ?><p class="confirm-text"><?= $h($field['confirm']) ?></p><?php endif ?>
        <label class="inline"><input type="checkbox" name="confirmed" value="1" id="confirm-<?= $h($field['id']) ?>"> I understand and want to go ahead</label>
      <?php endif ?>
      <button type="submit"<?= $field['dangerous'] ? ' class="danger"' : '' ?><?= $off !== '' ? ' disabled aria-describedby="unavailable-field-' . $h($field['id']) . '"' : '' ?>>Save</button>
    </form>
    <?php if (($notice['field'] ?? null) === $field['id']): ?>
      <p class="<?= $notice['ok'] ? 'notice ok' : 'error' ?>" role="<?= $notice['ok'] ? 'status' : 'alert' ?>"><?= $h($notice['message']) ?></p>
    <?php endif ?>
  <?php endif ?>
</div>
<?php endforeach ?>
</section>
<?php endif ?>

<?php if ($pageActions !== []): ?>
<section class="actions" id="actions"><h2>Actions</h2>
<?php foreach ($pageActions as $action): ?>
  <form method="post" class="action" id="action-<?= $h($action['id']) ?>" action="/admin/<?= $h($page['id']) ?>/action/<?= $h($action['id']) ?>" data-action="<?= $h($action['id']) ?>">
    <input type="hidden" name="_csrf" value="<?= $h($csrf) ?>">
    <h3><?= $h($action['label']) ?></h3>
    <?php if ($action['help'] !== null): ?><p class="help"><?= $h($action['help']) ?></p><?php endif ?>
    <?php if ($action['available'] !== false): foreach ($action['params'] as $param): $idPrefix = $action['id'] . '-'; ?>
      <div class="param"><?php require __DIR__ . '/param.php' ?></div>
    <?php endforeach; endif ?>
    <?= $button($action, $action, '') ?>
  </form>
<?php endforeach ?>
</section>
<?php endif ?>

<?php foreach ($page['tables'] as $table): ?>
<?php if (isset($charts[$table['id']])) { $chart = $charts[$table['id']]; require __DIR__ . '/chart.php'; } /* a time series (ABI 1.3) */ ?>
<?php require __DIR__ . '/table.php'; endforeach ?>
