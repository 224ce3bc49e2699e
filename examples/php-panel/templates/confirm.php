<?php /* confirm.php - the confirmation step of a dangerous action (a page action, or a row action with its record),
       shown on the GET after the POST that asked for it: the plugin's text naming what stops working, the record
       a row action acts on as its table shows it ($recordRow: column => cell), each parameter given as its label
       and its choice's label (e.g. "Grace period: none"), then confirm or cancel;
       the parameters and the record are posted again as given. */ ?>
<h1>Confirm: <?= $h($action['label']) ?></h1>
<form method="post" class="action" id="confirm-step" action="/admin/<?= $h($pageId) ?>/action/<?= $h($action['id']) ?>">
  <input type="hidden" name="_csrf" value="<?= $h($csrf) ?>">
  <input type="hidden" name="confirmed" value="1">
  <?php if ($record !== null): ?><input type="hidden" name="_record" value="<?= $h($record) ?>"><?php endif ?>
  <?php foreach ($params as $name => $value): ?><input type="hidden" name="param[<?= $h((string)$name) ?>]" value="<?= $h($value) ?>"><?php endforeach ?>
  <p class="confirm-text"><?= $h($text) ?></p>
  <?php if ($recordRow !== []): ?>
  <dl class="status" id="confirm-record">
    <?php foreach ($recordRow as [$label, $value]): ?><dt><?= $h($label) ?></dt><dd><?= str_replace(',', ',<wbr>', $h($value)) ?></dd><?php endforeach ?>
  </dl>
  <?php endif ?>
  <?php if ($shown !== []): ?>
  <dl class="status" id="confirm-params">
    <?php foreach ($shown as [$label, $value]): ?><dt><?= $h($label) ?></dt><dd><?= $h($value) ?></dd><?php endforeach ?>
  </dl>
  <?php endif ?>
  <p><button type="submit" class="danger" id="confirm-yes">Yes, <?= $h($action['label']) ?></button>
  <a href="/admin/<?= $h($pageId) ?>" id="confirm-no">Cancel</a></p>
</form>
