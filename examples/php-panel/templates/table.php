<?php /* table.php - one table of a page ($table, included by page.php for each): its columns and rows, each cell able to
       wrap (a list breaks after its commas); each cell also carries its column's name, shown on narrow screens
       where each row is a card (panel.css). A table of records gets, below each record's row and as wide as the
       table, that record's row actions: a button, or the action's name opening its parameters (record id
       hidden; the same confirmation step), the inputs filled from the row where a parameter says which column
       holds its current value (edits_index), so the form sends the whole desired state. The record an action
       just created is marked. */
$actionsHere = array_values(array_filter(array_map(static fn($id) => $rowActions[$id] ?? null, $table['row_actions'])));
$span = max(1, count($table['columns']));
$createdRecord = ($notice['record'] ?? null) !== null ? (string)$notice['record'] : null;
$cell = static fn(string $text): string => str_replace(',', ',<wbr>', $h($text));
?>
<section class="table" id="table-<?= $h($table['id']) ?>">
  <h2><?= $h($table['title']) ?></h2>
  <?php if ($table['error'] !== null): ?><p class="error"><?= $h($table['error']) ?></p><?php endif ?>
  <div class="table-scroll">
  <table class="cards">
    <thead><tr><?php foreach ($table['columns'] as $column): ?><th scope="col"><?= $h($column) ?></th><?php endforeach ?></tr></thead>
    <tbody>
    <?php foreach ($table['rows'] as $row): $record = $table['row_id_index'] !== null ? (string)($row[$table['row_id_index']] ?? '') : null; ?>
      <tr class="<?= $actionsHere !== [] ? 'record' : 'plain' ?><?= $record !== null && $record === $createdRecord ? ' created' : '' ?>"<?= $record !== null ? ' data-record="' . $h($record) . '"' : '' ?>>
        <?php foreach ($row as $i => $value): ?><td><span class="record-label"><?= $h($table['columns'][$i] ?? '') ?></span><?= $cell((string)$value) ?></td><?php endforeach ?>
      </tr>
      <?php if ($actionsHere !== [] && $record !== null): ?>
      <tr class="record-actions"><td colspan="<?= $span ?>"><div class="row-actions">
        <?php foreach ($actionsHere as $action): $availability = $available[$table['id']][$record][$action['id']] ?? null;
            $current = [];
            foreach ($action['params'] as $param) {
                if (($param['edits_index'] ?? null) !== null && array_key_exists($param['edits_index'], $row)) {
                    $current[$param['id']] = (string)$row[$param['edits_index']];
                }
            } ?>
          <form method="post" class="row-action" action="/admin/<?= $h($page['id']) ?>/action/<?= $h($action['id']) ?>" data-action="<?= $h($action['id']) ?>" data-record="<?= $h($record) ?>">
            <input type="hidden" name="_csrf" value="<?= $h($csrf) ?>">
            <input type="hidden" name="_record" value="<?= $h($record) ?>">
            <?php if ($action['params'] !== [] && ($availability['available'] ?? true) !== false): ?>
              <details class="row-params"><summary class="button<?= $action['dangerous'] ? ' danger' : '' ?>"><?= $h($action['label']) ?></summary>
                <?php if ($action['help'] !== null): ?><p class="help"><?= $h($action['help']) ?></p><?php endif ?>
                <?php foreach ($action['params'] as $param): $idPrefix = $action['id'] . '-' . $record . '-'; ?>
                  <div class="param"><?php require __DIR__ . '/param.php' ?></div>
                <?php endforeach ?>
                <?= $button($action, $availability, $record) ?>
              </details>
            <?php else: ?>
              <?= $button($action, $availability, $record) ?>
            <?php endif ?>
          </form>
        <?php endforeach; $current = []; ?>
      </div></td></tr>
      <?php endif ?>
    <?php endforeach ?>
    <?php if ($table['rows'] === [] && $table['error'] === null): ?><tr class="plain"><td colspan="<?= $span ?>">No entries yet.</td></tr><?php endif ?>
    </tbody>
  </table>
  </div>
</section>
