<?php /* confirm.php - the confirmation step of a dangerous action (a page action, or a row action with its record):
       the plugin's text, then confirm or cancel; the parameters and the record are posted again as given. */ ?>
<section id="confirm-step">
  <h1>Please confirm</h1>
  <p class="confirm-text"><?= $h($text) ?></p>
  <form method="post" action="/admin/<?= $h($pageId) ?>/action/<?= $h($actionId) ?>">
    <input type="hidden" name="_csrf" value="<?= $h($csrf) ?>">
    <input type="hidden" name="confirmed" value="1">
    <?php if ($record !== null): ?><input type="hidden" name="_record" value="<?= $h($record) ?>"><?php endif ?>
    <?php foreach ($params as $name => $value): ?><input type="hidden" name="param[<?= $h($name) ?>]" value="<?= $h($value) ?>"><?php endforeach ?>
    <button type="submit" id="confirm-yes">Yes, go ahead</button>
    <a href="/admin/<?= $h($pageId) ?>" id="confirm-no">Cancel</a>
  </form>
</section>
