<?php /* param.php - the input of one action parameter ($param, from Panel\Host::page()), included by page.php: a select
       for an enum, a checkbox per choice for a list with choices (each showing its choice label and sending the
       choice; a label that does not name its choice, e.g. a scope's description, is shown beside the choice's id),
       a text box otherwise. $idPrefix makes the ids unique per form (a row's record). $current[id]: the value to
       show (a row's cell), else the parameter's default. */
$inputId = 'param-' . $idPrefix . $param['id'];
$labels = $param['choice_labels'] ?? $param['choices'] ?? [];
$selected = $current[$param['id']] ?? $param['default'];
if ($param['choices'] !== null && $selected !== null) { // a cell may show a choice's label: send the choice
    $items = array_map(static function (string $item) use ($param, $labels): string {
        $at = array_search($item, $labels, true);
        return in_array($item, $param['choices'], true) || $at === false ? $item : (string)$param['choices'][$at];
    }, array_map('trim', explode(',', (string)$selected)));
    $selected = $param['type'] === 'list' ? implode(',', $items) : ($items[0] ?? '');
}
?>
<?php if ($param['type'] === 'list' && $param['choices'] !== null): ?>
  <fieldset class="choices" id="<?= $h($inputId) ?>"><legend><?= $h($param['label']) ?></legend>
    <input type="hidden" name="param[<?= $h($param['id']) ?>]" value="">
    <?php $items = array_map('trim', explode(',', (string)$selected)); ?>
    <?php foreach ($param['choices'] as $i => $choice): ?>
      <?php $label = $labels[$i] ?? $choice; ?>
      <label class="inline"><input type="checkbox" name="pc[<?= $h($param['id']) ?>][]" value="<?= $h($choice) ?>"<?= in_array($choice, $items, true) ? ' checked' : '' ?>>
        <?php if ($label === $choice || str_contains($label, $choice)): ?><span><?= $h($label) ?></span>
        <?php else: ?><span><code><?= $h($choice) ?></code> <span class="choice-label"><?= $h($label) ?></span></span><?php endif ?></label>
    <?php endforeach ?>
  </fieldset>
<?php else: ?>
  <label for="<?= $h($inputId) ?>"><?= $h($param['label']) ?></label>
  <?php if ($param['type'] === 'enum' && $param['choices'] !== null): ?>
    <select name="param[<?= $h($param['id']) ?>]" id="<?= $h($inputId) ?>"><?php foreach ($param['choices'] as $i => $choice): ?>
      <option value="<?= $h($choice) ?>"<?= $choice === $selected ? ' selected' : '' ?>><?= $h($labels[$i] ?? $choice) ?></option><?php endforeach ?></select>
  <?php else: ?>
    <input type="text" name="param[<?= $h($param['id']) ?>]" id="<?= $h($inputId) ?>" value="<?= $h($selected) ?>"<?= $param['required'] ? ' required' : '' ?>>
  <?php endif ?>
<?php endif ?>
<?php if ($param['help'] !== null): ?><span class="help"><?= $h($param['help']) ?></span><?php endif ?>
