<?php /* page.php - a plugin page rendered from Panel\Host::page(): the outcome of the last change (with the one-time
       secret box), status lines, fields, actions (with their parameters; dangerous ones ask first) and tables. */ ?>
<h1><?= $h($page['title']) ?></h1>
<?php if ($page['description'] !== null): ?><p class="description"><?= $h($page['description']) ?></p><?php endif ?>

<?php if ($notice !== [] && $notice['field'] === null): ?>
  <p class="<?= $notice['ok'] ? 'notice' : 'error' ?>" id="result-message"><?= $h($notice['message']) ?></p>
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
<?php foreach ($page['actions'] as $action): ?>
  <form method="post" action="/admin/<?= $h($page['id']) ?>/action/<?= $h($action['id']) ?>" data-action="<?= $h($action['id']) ?>">
    <input type="hidden" name="_csrf" value="<?= $h($csrf) ?>">
    <?php foreach ($action['params'] as $param): ?>
      <label><?= $h($param['label']) ?>
      <?php if ($param['type'] === 'enum'): ?>
        <select name="param[<?= $h($param['id']) ?>]"><?php foreach ($param['choices'] as $choice): ?>
          <option<?= $choice === $param['default'] ? ' selected' : '' ?>><?= $h($choice) ?></option><?php endforeach ?></select>
      <?php else: ?>
        <input name="param[<?= $h($param['id']) ?>]" value="<?= $h($param['default']) ?>"<?= $param['required'] ? ' required' : '' ?>>
      <?php endif ?></label>
    <?php endforeach ?>
    <button type="submit"><?= $h($action['label']) ?></button>
    <?php if ($action['help'] !== null): ?><span class="help"><?= $h($action['help']) ?></span><?php endif ?>
  </form>
<?php endforeach ?>
</section>

<?php foreach ($page['tables'] as $table): ?>
<section class="table" id="table-<?= $h($table['id']) ?>">
  <h2><?= $h($table['title']) ?></h2>
  <?php if ($table['error'] !== null): ?><p class="error"><?= $h($table['error']) ?></p><?php endif ?>
  <table>
    <thead><tr><?php foreach ($table['columns'] as $column): ?><th><?= $h($column) ?></th><?php endforeach ?></tr></thead>
    <tbody><?php foreach ($table['rows'] as $row): ?><tr><?php foreach ($row as $cell): ?><td><?= $h($cell) ?></td><?php endforeach ?></tr><?php endforeach ?></tbody>
  </table>
</section>
<?php endforeach ?>
