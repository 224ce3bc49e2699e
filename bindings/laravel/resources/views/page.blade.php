{{-- page.blade.php - a plugin page rendered from Panel\Host::page(): the outcome of the last change (the
     one-time secret box, the record it created), status lines, fields, page actions (their parameters;
     dangerous ones ask first; one that makes no sense now is disabled with its reason) and tables; a table of
     records gets a form per row action in each row (the record id hidden, the parameters folded behind the
     action's name, the same confirmation step). $available: [table][record][action] => Host::available(). --}}
@extends('panel::layout')
@section('title', $page['title'])
@section('content')
@php
  $rowActions = [];
  foreach ($page['actions'] as $action) {
      if ($action['row_table'] !== null) {
          $rowActions[$action['id']] = $action;
      }
  }
@endphp
<h1>{{ $page['title'] }}</h1>
@if ($page['description'] !== null)<p class="description">{{ $page['description'] }}</p>@endif

@if ($notice !== [] && $notice['field'] === null)
  <p class="{{ $notice['ok'] ? 'notice' : 'error' }}" id="result-message">{{ $notice['message'] }}</p>
@endif
@if (($notice['record'] ?? null) !== null)
  <p class="notice" id="result-record">Record: {{ $notice['record'] }}</p>
@endif
@if (($notice['secret'] ?? null) !== null)
  <section id="one-time-secret-box">
    <label for="one-time-secret">Copy it now: it will not be shown again.</label>
    <input id="one-time-secret" readonly value="{{ $notice['secret'] }}" autocomplete="off" spellcheck="false">
    <button type="button" data-copy-target="one-time-secret">Copy</button>
  </section>
@endif

@if ($page['status'] !== [])
<dl class="status">
  @foreach ($page['status'] as [$label, $value])<dt>{{ $label }}</dt><dd>{{ $value }}</dd>@endforeach
</dl>
@endif

@foreach ($page['fields'] as $field)
<section class="field" id="field-{{ $field['id'] }}">
  <h2>{{ $field['label'] }}</h2>
  @if ($field['help'] !== null)<p class="help">{{ $field['help'] }}</p>@endif
  @if ($field['type'] === 'readonly')
    <p class="value">{{ $field['value'] ?? $field['error'] }}</p>
  @else
    <p class="value">Current: {{ $field['value'] ?? $field['error'] }}</p>
    <form method="post" action="{{ route('panel.field', ['page' => $page['id'], 'field' => $field['id']]) }}">
      @csrf
      @if ($field['type'] === 'toggle')
        <select name="value" id="input-{{ $field['id'] }}"><option value="1">on</option><option value="0">off</option></select>
      @elseif ($field['type'] === 'secret')
        <input type="password" name="value" id="input-{{ $field['id'] }}" value="" autocomplete="off">
      @else
        <input name="value" id="input-{{ $field['id'] }}" value="{{ $field['value'] }}">
      @endif
      @if ($field['dangerous'])
        <label><input type="checkbox" name="confirmed" value="1" id="confirm-{{ $field['id'] }}"> {{ $field['confirm'] }}</label>
      @endif
      <button type="submit">Save</button>
    </form>
    @if (($notice['field'] ?? null) === $field['id'])
      <p class="{{ $notice['ok'] ? 'notice' : 'error' }}">{{ $notice['message'] }}</p>
    @endif
  @endif
</section>
@endforeach

<section class="actions">
@foreach ($page['actions'] as $action)
  @continue($action['row_table'] !== null)
  <form method="post" action="{{ route('panel.action', ['page' => $page['id'], 'action' => $action['id']]) }}" data-action="{{ $action['id'] }}">
    @csrf
    @if ($action['available'] !== false)
      @foreach ($action['params'] as $param)
        <div class="param">@include('panel::param', ['param' => $param, 'idPrefix' => $action['id'] . '-'])</div>
      @endforeach
    @endif
    @include('panel::button', ['action' => $action, 'availability' => $action, 'suffix' => ''])
    @if ($action['help'] !== null)<span class="help">{{ $action['help'] }}</span>@endif
  </form>
@endforeach
</section>

@foreach ($page['tables'] as $table)
@php
  $actionsHere = array_values(array_filter(array_map(static fn ($id) => $rowActions[$id] ?? null, $table['row_actions'])));
@endphp
<section class="table" id="table-{{ $table['id'] }}">
  <h2>{{ $table['title'] }}</h2>
  @if ($table['error'] !== null)<p class="error">{{ $table['error'] }}</p>@endif
  <div class="scroll"><table>
    <thead><tr>@foreach ($table['columns'] as $column)<th scope="col">{{ $column }}</th>@endforeach @if ($actionsHere !== [])<th scope="col">Actions</th>@endif</tr></thead>
    <tbody>
    @foreach ($table['rows'] as $row)
      @php $record = $table['row_id_index'] !== null ? ($row[$table['row_id_index']] ?? '') : null; @endphp
      <tr @if ($record !== null) data-record="{{ $record }}" @endif>@foreach ($row as $cell)<td>{{ $cell }}</td>@endforeach
      @if ($actionsHere !== [])<td class="row-actions">
        @foreach ($actionsHere as $action)
          @php $availability = $available[$table['id']][$record][$action['id']] ?? null; @endphp
          <form method="post" class="row-action" action="{{ route('panel.action', ['page' => $page['id'], 'action' => $action['id']]) }}" data-action="{{ $action['id'] }}" data-record="{{ $record }}">
            @csrf
            <input type="hidden" name="_record" value="{{ $record }}">
            @if ($action['params'] !== [] && ($availability['available'] ?? true) !== false)
              <details class="row-params"><summary>{{ $action['label'] }}</summary>
                @foreach ($action['params'] as $param)
                  <div class="param">@include('panel::param', ['param' => $param, 'idPrefix' => $action['id'] . '-' . $record . '-'])</div>
                @endforeach
                @include('panel::button', ['action' => $action, 'availability' => $availability, 'suffix' => (string)$record])
              </details>
            @else
              @include('panel::button', ['action' => $action, 'availability' => $availability, 'suffix' => (string)$record])
            @endif
          </form>
        @endforeach
      </td>@endif</tr>
    @endforeach
    @if ($table['rows'] === [] && $table['error'] === null)<tr><td colspan="{{ count($table['columns']) + ($actionsHere !== [] ? 1 : 0) }}">No entries yet.</td></tr>@endif
    </tbody>
  </table></div>
</section>
@endforeach
@endsection
