<?php /* home.php - the start page: what the menu offers. */ ?>
<h1>Admin</h1>
<?php if ($menu === []): ?><p>Your role gives you no page here.</p><?php else: ?>
<ul><?php foreach ($menu as $entry): ?><li><a href="/admin/<?= $h($entry['page']) ?>"><?= $h($entry['path']) ?></a></li><?php endforeach ?></ul>
<?php endif ?>
