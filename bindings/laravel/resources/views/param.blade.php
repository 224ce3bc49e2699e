{{-- param.blade.php - the input of one action parameter ($param, from Panel\Host::page()): a select for an enum
     (showing each choice's label, sending the choice), a checkbox per choice for a list with choices, a text box
     otherwise. $idPrefix makes the ids unique per form (a row's record). --}}
@php
  $inputId = 'param-' . $idPrefix . $param['id'];
  $labels = $param['choice_labels'] ?? $param['choices'] ?? [];
  $selected = $param['default'];
@endphp
@if ($param['type'] === 'list' && $param['choices'] !== null)
  <fieldset class="choices" id="{{ $inputId }}"><legend>{{ $param['label'] }}</legend>
    <input type="hidden" name="param[{{ $param['id'] }}]" value="">
    @php $items = array_map('trim', explode(',', (string)$selected)); @endphp
    @foreach ($param['choices'] as $i => $choice)
      <label class="inline"><input type="checkbox" name="pc[{{ $param['id'] }}][]" value="{{ $choice }}"@if (in_array($choice, $items, true)) checked @endif> {{ $labels[$i] ?? $choice }}</label>
    @endforeach
  </fieldset>
@else
  <label for="{{ $inputId }}">{{ $param['label'] }}</label>
  @if ($param['type'] === 'enum' && $param['choices'] !== null)
    <select name="param[{{ $param['id'] }}]" id="{{ $inputId }}">@foreach ($param['choices'] as $i => $choice)
      <option value="{{ $choice }}"@if ($choice === $selected) selected @endif>{{ $labels[$i] ?? $choice }}</option>@endforeach</select>
  @else
    <input type="text" name="param[{{ $param['id'] }}]" id="{{ $inputId }}" value="{{ $selected }}"@if ($param['required']) required @endif>
  @endif
@endif
@if ($param['help'] !== null)<span class="help">{{ $param['help'] }}</span>@endif
