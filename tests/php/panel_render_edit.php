<?php
// panel_render_edit.php - renders the example panel's page template (examples/php-panel/templates/page.php) for a
// made-up page whose row action "edit" has parameters naming the row's cells (edits_index, the binding's form of
// ABI 1.3's edits_column) and one that names none, and prints a PASS:/FAIL: line per check (run by
// tests/cli/php_panel_edit.sh): the form is filled from the row (text, a list's choices ticked, an enum chosen
// by its label in the cell), a parameter without edits_index keeps its default, a choice label that does not name
// its choice shows beside it, the actions row spans the table, a list cell breaks after its commas; without
// edits_index nothing is filled. Generic: no plugin, no API-key knowledge.
declare(strict_types=1);

$templates = $argv[1] . '/templates';
$param = static fn(string $id, string $type, ?array $choices, ?array $labels, ?string $default, ?int $edits): array => [
    'id' => $id, 'label' => ucfirst($id), 'help' => null, 'type' => $type, 'choices' => $choices,
    'choice_labels' => $labels, 'default' => $default, 'required' => $default === null, 'edits_index' => $edits];

function render_page(string $templates, array $params): DOMXPath
{
    $page = ['id' => 'demo/page', 'title' => 'Demo', 'description' => null, 'status' => [], 'fields' => [],
        'tables' => [['id' => 'things', 'title' => 'Things', 'columns' => ['ID', 'Name', 'Tags', 'Size', 'Note'],
            'rows' => [['7', 'Bot', 'a,c', 'large one', 'x']], 'error' => null, 'row_id_column' => 'ID',
            'row_id_index' => 0, 'row_actions' => ['edit']]],
        'actions' => [['id' => 'edit', 'label' => 'Edit', 'help' => null, 'dangerous' => false, 'confirm' => null,
            'params' => $params, 'row_table' => 'things', 'available' => null, 'reason' => null]]];
    $h = static fn(?string $s): string => htmlspecialchars((string)$s, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
    $csrf = 'token';
    $notice = [];
    $available = [];
    $apiUrl = 'http://localhost';
    ob_start();
    require $templates . '/page.php';
    $html = (string)ob_get_clean();
    $doc = new DOMDocument();
    @$doc->loadHTML('<?xml encoding="utf-8"?>' . $html);
    return new DOMXPath($doc);
}

$failures = 0;
function check(bool $ok, string $what): void
{
    global $failures;
    echo ($ok ? 'PASS: ' : 'FAIL: ') . $what . "\n";
    $failures += $ok ? 0 : 1;
}
$value = static fn(DOMXPath $x, string $q): ?string => ($n = $x->query($q)->item(0)) instanceof DOMElement
    ? $n->getAttribute('value') : null;

$filled = render_page($templates, [
    $param('name', 'text', null, null, '', 1),
    $param('tags', 'list', ['a', 'b', 'c'], ['a', 'Bee things', 'c'], '', 2),
    $param('size', 'enum', ['s', 'l'], ['small one', 'large one'], 's', 3),
    $param('note', 'text', null, null, 'keep', null),
]);
$form = "//form[@data-action='edit'][@data-record='7']";
check($value($filled, "$form//input[@name='param[name]']") === 'Bot', 'a text parameter with edits_index shows the row\'s cell');
$ticked = array_map(static fn(DOMElement $e): string => $e->getAttribute('value'),
    iterator_to_array($filled->query("$form//input[@name='pc[tags][]'][@checked]")));
check($ticked === ['a', 'c'], 'a list parameter ticks the choices the row\'s cell holds (a, c; not b): ' . implode(',', $ticked));
check($value($filled, "$form//select[@name='param[size]']/option[@selected]") === 'l',
    'an enum parameter chooses the choice whose label the cell shows ("large one" -> l)');
check($value($filled, "$form//input[@name='param[note]']") === 'keep', 'a parameter without edits_index keeps its default');
$bee = $filled->query("$form//label[.//input[@value='b']]")->item(0);
check($bee !== null && str_contains($bee->textContent, 'b') && str_contains($bee->textContent, 'Bee things'),
    'a choice label that does not name its choice is shown beside the choice');
$cell = $filled->query("//tr[@data-record='7']/td[3]")->item(0);
check($cell !== null && $filled->query('.//wbr', $cell)->length === 1, 'a list cell may break after its comma');
$actions = $filled->query("//tr[@class='record-actions']/td")->item(0);
check($actions instanceof DOMElement && $actions->getAttribute('colspan') === '5',
    'the record\'s actions are a row of their own spanning the 5 columns');

$plain = render_page($templates, [
    $param('name', 'text', null, null, '', null),
    $param('tags', 'list', ['a', 'b', 'c'], null, '', null),
]);
check($value($plain, "$form//input[@name='param[name]']") === ''
    && $plain->query("$form//input[@name='pc[tags][]'][@checked]")->length === 0,
    'without edits_index the form is not filled from the row (the defaults)');
exit($failures > 0 ? 1 : 0);
