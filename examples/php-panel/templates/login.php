<?php /* login.php - the login form (users of panel.ini, the sample host's passwords). */ ?>
<section class="login">
<h1>Log in</h1>
<?php if ($error !== null): ?><p class="error" id="login-error" role="alert"><?= $h($error) ?></p><?php endif ?>
<form method="post" action="/login" id="login-form">
  <input type="hidden" name="_csrf" value="<?= $h($csrf) ?>">
  <p><label for="user">User</label> <input id="user" name="user" autocomplete="username" required></p>
  <p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <button type="submit">Log in</button>
</form>
</section>
