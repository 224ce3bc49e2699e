<?php

// Descriptors.php - Panel\Descriptors, the part of Panel\Host that reads what a page's plugin registered: its
// fields with their values and availability, its tables (record tables' row-id column and row actions), its
// actions with their parameters, choices, labels, availability and notes, turned into the arrays page() returns.
// Used by Host only.
declare(strict_types=1);

namespace Panel;

use FFI;
use FFI\CData;

use function count;

/** @internal */
trait Descriptors
{
    private function fields(CData $caller, string $pageId): array
    {
        $fields = [];
        $value = $this->ffi->new('char[' . (self::VALUE_MAX + 1) . ']');
        $err = $this->ffi->new('char[' . self::ERR_MAX . ']');
        for ($i = 0; !self::isNull($f = $this->ffi->panelhost_field_at($this->host(), $pageId, $i)); $i++) {
            $id = self::str($f->id);
            $rc = $this->ffi->panelhost_field_get(
                $this->host(),
                $caller,
                $pageId,
                $id,
                $value,
                self::VALUE_MAX + 1,
                $err,
                self::ERR_MAX
            );
            $dangerous = ($f->flags & self::FLAG_DANGEROUS) !== 0;
            $arc = $this->ffi->panelhost_field_available($this->host(), $caller, $pageId, $id, $err, self::ERR_MAX);
            $availability = self::availability($arc, FFI::string($err));
            if (isset($availability['ok'])) { // a refusal of the library: render the field as it is
                $availability = ['available' => true, 'reason' => null, 'note' => null];
            }
            $fields[] = [
                'id' => $id,
                'label' => self::str($f->label),
                'type' => self::FIELD_TYPES[$f->type] ?? 'text',
                'value' => $rc === 0 ? FFI::string($value) : null,
                'error' => $rc === 0 ? null : FFI::string($err),
                'help' => self::text($f->help),
                'dangerous' => $dangerous,
                'confirm' => $dangerous ? self::text($f->confirm) : null,
            ] + $availability;
        }
        return $fields;
    }

    private function tables(CData $caller, string $pageId): array
    {
        $tables = [];
        for ($i = 0; !self::isNull($t = $this->ffi->panelhost_table_at($this->host(), $pageId, $i)); $i++) {
            $columns = [];
            for ($j = 0; $j < $t->n_columns; $j++) {
                $columns[] = self::str($t->columns[$j]);
            }
            $id = self::str($t->id);
            $idIndex = $t->row_id_column >= 1 && $t->row_id_column <= $t->n_columns ? $t->row_id_column - 1 : null;
            $pageRows = $t->page_rows > 0 ? $t->page_rows : self::TABLE_ROWS_DEFAULT;
            $rows = $this->tableRows($caller, $pageId, $id, 0, $pageRows);
            $refused = self::refused($rows);
            $tables[] = [
                'id' => $id,
                'title' => self::str($t->title),
                'columns' => $columns,
                'rows' => $refused ? [] : $rows,
                'error' => $refused ? $rows['message'] : null,
                'row_id_column' => $idIndex === null ? null : $columns[$idIndex],
                'row_id_index' => $idIndex,
                'row_actions' => $idIndex === null ? [] : $this->rowActionIds($pageId, $id),
                'series' => self::timeSeries($t, $columns),
            ];
        }
        return $tables;
    }

    /**
     * Since ABI 1.3 (libpanelhost 2.1): a table that is a time series a panel may draw as a chart, as
     * ['time_index' => int, 'group_index' => ?int, 'series' => [column index => title, ...], 'stacked' => bool,
     * 'unit' => ?string] (indexes 0-based); null for a plain table and with an older library.
     */
    private static function timeSeries(CData $t, array $columns): ?array
    {
        if ($t->struct_size < self::TABLE_SIZE_1_3 || $t->time_column < 1 || $t->time_column > $t->n_columns) {
            return null;
        }
        $series = [];
        foreach ($columns as $i => $title) {
            if ($i < 32 && (($t->series_columns >> $i) & 1) === 1) {
                $series[$i] = $title;
            }
        }
        return $series === [] ? null : [
            'time_index' => $t->time_column - 1,
            'group_index' => $t->group_column >= 1 && $t->group_column <= $t->n_columns ? $t->group_column - 1 : null,
            'series' => $series,
            'stacked' => ($t->series_flags & self::SERIES_STACKED) !== 0,
            'unit' => self::text($t->series_unit),
        ];
    }

    /** The ids of the page's row actions of table tableId, in registration order. */
    private function rowActionIds(string $pageId, string $tableId): array
    {
        $ids = [];
        for ($i = 0; !self::isNull($a = $this->ffi->panelhost_action_at($this->host(), $pageId, $i)); $i++) {
            if (self::text($a->row_table) === $tableId) {
                $ids[] = self::str($a->id);
            }
        }
        return $ids;
    }

    private function actions(CData $caller, string $pageId): array
    {
        $reason = $this->ffi->new('char[' . self::REASON_MAX . ']');
        $actions = [];
        for ($i = 0; !self::isNull($a = $this->ffi->panelhost_action_at($this->host(), $pageId, $i)); $i++) {
            $params = [];
            for ($j = 0; $j < $a->n_params; $j++) {
                $p = $a->params[$j];
                $choices = self::text($p->choices);
                $default = self::text($p->default_value);
                $labels = $choices === null ? null : self::text($p->choice_labels);
                $params[] = [
                    'id' => self::str($p->id),
                    'label' => self::str($p->label),
                    'help' => self::text($p->help),
                    'type' => self::PARAM_TYPES[$p->type] ?? 'text',
                    'choices' => $choices === null ? null : explode('|', $choices),
                    'choice_labels' => $labels === null ? null : explode('|', $labels),
                    'default' => $default,
                    'required' => $default === null,
                    'edits_index' => $this->editsIndex($p),
                ];
            }
            $dangerous = ($a->flags & self::FLAG_DANGEROUS) !== 0;
            $id = self::str($a->id);
            $rowTable = self::text($a->row_table);
            $availability = ['available' => null, 'reason' => null, 'note' => null];
            if ($rowTable === null) {
                $rc = $this->ffi->panelhost_action_available(
                    $this->host(),
                    $caller,
                    $pageId,
                    $id,
                    null,
                    $reason,
                    self::REASON_MAX
                );
                $availability = self::availability($rc, FFI::string($reason));
                if (isset($availability['ok'])) { // a refusal of the library: render the action as it is
                    $availability = ['available' => true, 'reason' => null, 'note' => null];
                }
            }
            $actions[] = [
                'id' => $id,
                'label' => self::str($a->label),
                'help' => self::text($a->help),
                'dangerous' => $dangerous,
                'confirm' => $dangerous ? self::text($a->confirm) : null,
                'params' => $params,
                'row_table' => $rowTable,
            ] + $availability;
        }
        return $actions;
    }

    /**
     * available()'s answer for a status of panelhost_action_available or panelhost_field_available and its text:
     * 'reason' why not (or the plugin's message when it could not tell), 'note' the plugin's note on an available
     * action or field (ABI 1.3, e.g. what running it now would break; null when it gave none).
     */
    private static function availability(int $rc, string $reason): array
    {
        $text = $reason === '' ? null : $reason;
        if ($rc === 0 || $rc === self::E_STATE) {
            return ['available' => $rc === 0, 'reason' => $rc === 0 ? null : $text, 'note' => $rc === 0 ? $text : null];
        }
        if (in_array($rc, [-1, -2, -3], true)) { // the library's refusals: invalid, denied, not_found
            return self::refusal($rc, $reason);
        }
        return ['available' => true, 'reason' => $text, 'note' => null]; // the plugin could not tell
    }

    /**
     * ABI 1.3's edits_column of a row action's parameter as the index of the row's cell holding the parameter's
     * current value (the host checked it names a column of the row table), null when it names none or the
     * library's copy predates the field.
     */
    private function editsIndex(CData $param): ?int
    {
        if ($param->struct_size < FFI::sizeof($this->ffi->type('panel_param_t'))) {
            return null;
        }
        return $param->edits_column >= 1 ? $param->edits_column - 1 : null;
    }

    private static function isNull(mixed $pointer): bool
    {
        return $pointer === null || ($pointer instanceof CData && FFI::isNull($pointer));
    }

    /** A nullable C string as ?string (FFI reads a const char * member as a PHP string already, NULL as null). */
    private static function text(mixed $pointer): ?string
    {
        if ($pointer === null || is_string($pointer)) {
            return $pointer;
        }
        return FFI::isNull($pointer) ? null : FFI::string($pointer);
    }

    /** A non-NULL C string as string. */
    private static function str(mixed $pointer): string
    {
        return self::text($pointer) ?? '';
    }
}
