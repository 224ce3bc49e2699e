<?php /* secret.php - the one-time secret box (included by page.php, only on the GET right after the action that made
       the secret): the secret with a Copy button, and a ready command that calls the store's API with it
       (GET /api/v1/whoami at $apiUrl: [host] public_url, or this request's address) with its own Copy button, so
       the owner can test the key from the user side. Shown this once: the secret came out of the session's
       one-time state, which is gone. */
$command = "curl -H 'X-API-Key: " . $notice['secret'] . "' " . $apiUrl . '/api/v1/whoami';
?>
<div class="secret" role="status" id="one-time-secret-box">
  <p><strong><?= $h($notice['source'] ?? 'New secret') ?>: copy this secret now. It will not be shown again.</strong>
    Store it where your tool can read it; if it is lost, a new one has to be made.</p>
  <div class="secret-row">
    <input type="text" id="one-time-secret" readonly value="<?= $h($notice['secret']) ?>" autocomplete="off" spellcheck="false" aria-label="One-time secret">
    <button type="button" data-copy-target="one-time-secret">Copy</button>
  </div>
  <label for="secret-command">Try it from the user's side: this command asks the store's API who the key is</label>
  <p class="help" id="try-secret-help">Run it, then reload this page: the key's last use shows the request (the
    web server's workers write it within seconds).</p>
  <div class="secret-row">
    <textarea id="secret-command" readonly rows="2" autocomplete="off" spellcheck="false"><?= $h($command) ?></textarea>
    <button type="button" data-copy-target="secret-command">Copy</button>
  </div>
</div>
