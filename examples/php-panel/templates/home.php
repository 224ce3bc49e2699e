<?php /* home.php - the start page (Overview): every page the user's role may open, as the menu offers them. */ ?>
<h1>Overview</h1>
<section id="overview">
<?php if ($menu === []): ?><p>Your role gives you no page here.</p><?php else: ?>
<p>The pages you may open:</p>
<ul><?php foreach ($menu as $entry): ?><li><a href="/admin/<?= $h($entry['page']) ?>"><?= $h($entry['path']) ?></a></li><?php endforeach ?></ul>
<?php endif ?>
</section>
