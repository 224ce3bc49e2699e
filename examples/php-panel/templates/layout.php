<?php /* layout.php - the frame of every page: header with the user and logout, the menu grouped by its first label. */ ?>
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Panel</title>
<link rel="stylesheet" href="/panel.css">
<script src="/panel.js" defer></script>
</head>
<body>
<header>
  <strong>Store panel</strong>
  <?php if ($user !== null): ?>
    <span>Signed in as <span id="current-user"><?= $h($user) ?></span></span>
    <form method="post" action="/logout"><input type="hidden" name="_csrf" value="<?= $h($csrf) ?>"><button type="submit">Log out</button></form>
  <?php endif ?>
</header>
<?php if ($user !== null): ?>
<nav>
  <?php $groups = []; foreach ($menu as $entry) { $parts = explode(' > ', $entry['path']); $groups[count($parts) > 1 ? $parts[0] : ''][] = [end($parts), $entry['page']]; } ?>
  <?php foreach ($groups as $group => $entries): ?>
    <div class="group"><?php if ($group !== ''): ?><span><?= $h($group) ?></span><?php endif ?>
      <?php foreach ($entries as [$label, $pageId]): ?><a href="/admin/<?= $h($pageId) ?>"><?= $h($label) ?></a><?php endforeach ?>
    </div>
  <?php endforeach ?>
</nav>
<?php endif ?>
<main><?= $content ?></main>
</body>
</html>
