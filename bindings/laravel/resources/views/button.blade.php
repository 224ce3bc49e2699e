{{-- button.blade.php - an action's submit button; one the plugin says makes no sense now ($availability
     ['available'] false) is disabled, with its reason beside it. $suffix: the record, for a row action. --}}
@php
  $ok = $availability === null || $availability['available'] !== false;
  $reasonId = 'unavailable-' . $action['id'] . ($suffix !== '' ? '-' . $suffix : '');
@endphp
<button type="submit"@if ($action['dangerous']) class="danger"@endif @if (!$ok) disabled aria-describedby="{{ $reasonId }}"@endif>{{ $action['label'] }}</button>
@if (!$ok) <span class="unavailable" id="{{ $reasonId }}">{{ $availability['reason'] }}</span>@endif
