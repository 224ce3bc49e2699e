{{-- confirm.blade.php - the confirmation step of a dangerous action (a page action, or a row action with its
     record): the plugin's text, then confirm or cancel; the parameters and the record are posted again. --}}
@extends('panel::layout')
@section('content')
<section id="confirm-step">
  <h1>Please confirm</h1>
  <p class="confirm-text">{{ $text }}</p>
  <form method="post" action="{{ route('panel.action', ['page' => $pageId, 'action' => $actionId]) }}">
    @csrf
    <input type="hidden" name="confirmed" value="1">
    @if ($record !== null)<input type="hidden" name="_record" value="{{ $record }}">@endif
    @foreach ($params as $name => $value)<input type="hidden" name="param[{{ $name }}]" value="{{ $value }}">@endforeach
    <button type="submit" id="confirm-yes" class="danger">Yes, go ahead</button>
    <a href="{{ route('panel.page', ['page' => $pageId]) }}" id="confirm-no">Cancel</a>
  </form>
</section>
@endsection
