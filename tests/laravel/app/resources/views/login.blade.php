{{-- login.blade.php - the application's own login form. --}}
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Log in</title></head>
<body>
<h1>Log in</h1>
@if ($error !== null)<p id="login-error">{{ $error }}</p>@endif
<form method="post" action="/login" id="login-form">
  @csrf
  <label for="name">Name</label> <input id="name" name="name" autocomplete="username" required>
  <label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Log in</button>
</form>
</body>
</html>
