{{-- home.blade.php - the panel's start page: what the menu offers this user. --}}
@extends('panel::layout')
@section('content')
<h1>Admin</h1>
@if ($menu === [])
  <p>Your role gives you no page here.</p>
@else
  <ul class="entries">@foreach ($menu as $entry)<li><a href="{{ route('panel.page', ['page' => $entry['page']]) }}">{{ $entry['path'] }}</a></li>@endforeach</ul>
@endif
@endsection
