{{-- layout.blade.php - the frame of every panel page: the header (the signed-in user, the application's logout
     when it has a route named "logout"), the menu grouped by its first label, the page. --}}
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@yield('title', 'Panel')</title>
<link rel="stylesheet" href="{{ route('panel.asset', ['file' => 'panel.css']) }}">
<script src="{{ route('panel.asset', ['file' => 'panel.js']) }}" defer></script>
</head>
<body>
<header>
  <a class="brand" href="{{ route('panel.home') }}">Store panel</a>
  @if ($userName !== null)
    <span>Signed in as <span id="current-user">{{ $userName }}</span>@if ($panelUser !== null) <span class="role">(panel user {{ $panelUser }})</span>@endif</span>
    @if (Route::has('logout'))
      <form method="post" action="{{ route('logout') }}">@csrf<button type="submit">Log out</button></form>
    @endif
  @endif
</header>
<div class="frame">
@if ($menu !== [])
<nav>
  @php
    $groups = [];
    foreach ($menu as $entry) {
        $parts = explode(' > ', $entry['path']);
        $groups[count($parts) > 1 ? $parts[0] : ''][] = [end($parts), $entry['page']];
    }
  @endphp
  @foreach ($groups as $group => $entries)
    <div class="group">@if ($group !== '')<span>{{ $group }}</span>@endif
      @foreach ($entries as [$label, $pageId])<a href="{{ route('panel.page', ['page' => $pageId]) }}">{{ $label }}</a>@endforeach
    </div>
  @endforeach
</nav>
@endif
<main>@yield('content')</main>
</div>
</body>
</html>
