<?php /* layout.php - the frame of every page, as the sample host's (sample-host/web/web_layout.c): the viewport
       meta tag, the store's name and the signed-in user with the role and logout in the header, then the menu
       (Overview, the entries grouped by the first part of their path) beside the content. $store: the store's
       name ([host] store_name); $role: the user's role; $title: the page's title. */
$currentPage = $currentPage ?? null;
$store = $store ?? 'Store';
?>
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title><?= $h(($title ?? 'Admin') . ' - ' . $store . ' admin') ?></title>
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="/panel.css">
<script src="/panel.js" defer></script>
</head>
<body>
<header>
  <span><strong><?= $h($store) ?></strong> admin panel</span>
  <?php if ($user !== null): ?>
    <span>Signed in as <strong id="current-user"><?= $h($user) ?></strong><?php if (($role ?? null) !== null): ?> (<?= $h($role) ?>)<?php endif ?>
    <form method="post" action="/logout"><input type="hidden" name="_csrf" value="<?= $h($csrf) ?>"><button type="submit">Log out</button></form></span>
  <?php endif ?>
</header>
<div class="layout<?= $user === null ? ' no-menu' : '' ?>">
<?php if ($user !== null): ?>
<nav aria-label="Admin menu"><ul>
  <li><a href="/admin"<?= $currentPage === null ? ' aria-current="page"' : '' ?>>Overview</a></li>
  <?php $groups = []; foreach ($menu as $entry) { $parts = explode(' > ', $entry['path']); $leaf = array_pop($parts); $groups[implode(' > ', $parts)][] = [$leaf, $entry['page']]; } ?>
  <?php foreach ($groups as $group => $entries): ?>
    <?php if ($group !== ''): ?><li><span><?= $h((string)$group) ?></span><ul><?php endif ?>
    <?php foreach ($entries as [$label, $pageId]): ?>
      <li><a href="/admin/<?= $h($pageId) ?>"<?= $currentPage === $pageId ? ' aria-current="page"' : '' ?>><?= $h($label) ?></a></li>
    <?php endforeach ?>
    <?php if ($group !== ''): ?></ul></li><?php endif ?>
  <?php endforeach ?>
</ul></nav>
<?php endif ?>
<main><?= $content ?></main>
</div>
</body>
</html>
