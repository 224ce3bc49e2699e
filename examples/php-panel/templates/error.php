<?php /* error.php - a refusal or error with the library's message. */ ?>
<h1><?= $h($title) ?></h1>
<p class="error" id="error-message"><?= $h($message) ?></p>
<p><a href="/admin">Back to the overview</a></p>
