{{-- error.blade.php - a refusal or error, with the library's message. --}}
@extends('panel::layout')
@section('title', $title)
@section('content')
<h1>{{ $title }}</h1>
<p class="error" id="error-message">{{ $message }}</p>
@endsection
