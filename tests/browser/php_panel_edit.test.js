// php_panel_edit.test.js - a named key's Edit in the example PHP panel keeps what it shows (issues 25 §1, 24 §3),
// in headless Chromium against nginx + php-fpm with the API Keys plugin: a key made with store.read and
// deliveries.pull; its Edit form opens with the key's current label and scopes ticked (when the plugin says which
// column each parameter edits, PAGE_FACTS.prefill), the owner ticks one more scope (deliveries.ack) and saves: the
// key holds all three, and GET /api/v1/whoami with it says so. Without edits_column from the plugin the form keeps
// the defaults (nothing ticked, which the plugin reads as "keep"), and ticking all three gives the same end state.
// Scope checkboxes show the plugin's choice labels (descriptions) beside their ids when it gives them.
// Environment: PANEL_URL, ADMIN_PASSWORD, PAGE_FACTS (JSON: prefill, scope_labels), SCREENSHOT_DIR, CHROMIUM.
'use strict';

const path = require('path');
const { base, shots, check, api, login, submit, run } = require('./harness');

const facts = JSON.parse(process.env.PAGE_FACTS || '{}');

run(async (page) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page, 'admin', process.env.ADMIN_PASSWORD);
  await page.goto(base + '/admin/settings/api-key');
  await submit(page, 'form[data-action="enable"] button[type=submit]');

  const labels = facts.scope_labels || null;
  if (labels) {
    const shown = await page.locator('#param-create-key-scopes label').allInnerTexts();
    check(labels.every((l, i) => shown[i] && shown[i].includes(l)),
      'each scope checkbox shows the plugin\'s description beside it', JSON.stringify({ shown, labels }));
  } else {
    check((await page.locator('#param-create-key-scopes label').allInnerTexts()).join('|') === 'store.read|deliveries.pull|deliveries.ack',
      'the scope checkboxes show the scope ids (the plugin gives no descriptions yet)');
  }

  await page.fill('#param-create-key-label', 'Minecraft server');
  await page.check('#param-create-key-scopes input[value="store.read"]');
  await page.check('#param-create-key-scopes input[value="deliveries.pull"]');
  await submit(page, 'form[data-action="create-key"] button[type=submit]');
  const key = (await page.locator('#one-time-secret').count()) === 1 ? await page.inputValue('#one-time-secret') : 'missing';
  const row = page.locator('#table-keys tr.record.created');
  const record = (await row.count()) === 1 ? await row.getAttribute('data-record') : 'missing';
  check(key.startsWith('sak_') && /^[0-9]+$/.test(record), 'a named key with store.read and deliveries.pull is made');

  await page.goto(base + '/admin/settings/api-key');
  const edit = page.locator(`#table-keys form.row-action[data-action="edit"][data-record="${record}"]`);
  await edit.locator('summary').click();
  const ticked = async () => edit.locator('input[name="pc[scopes][]"]:checked').evaluateAll((els) => els.map((e) => e.value));
  const before = await ticked();
  const label = await edit.locator('input[name="param[label]"]').inputValue();
  if (facts.prefill) {
    check(label === 'Minecraft server' && before.join(',') === 'store.read,deliveries.pull',
      'Edit opens with the key\'s label and its current scopes ticked', JSON.stringify({ label, before }));
  } else {
    check(label === '' && before.length === 0,
      'Edit opens with the defaults (the plugin names no edited column yet, so nothing is filled from the row)',
      JSON.stringify({ label, before }));
    await edit.locator('input[name="pc[scopes][]"][value="store.read"]').check();
    await edit.locator('input[name="pc[scopes][]"][value="deliveries.pull"]').check();
  }
  await edit.locator('input[name="pc[scopes][]"][value="deliveries.ack"]').check();
  await page.screenshot({ path: path.join(shots, 'php-edit-open-1280.png'), fullPage: true,
    mask: [page.locator('#one-time-secret'), page.locator('#secret-command')] });
  await submit(page, `#table-keys form.row-action[data-action="edit"][data-record="${record}"] details button[type=submit]`);

  const message = (await page.locator('#result-message').count()) === 1 ? await page.textContent('#result-message') : '';
  const after = await page.locator(`#table-keys tr.record[data-record="${record}"]`).innerText();
  check((await page.locator('#result-message.ok').count()) === 1
    && ['store.read', 'deliveries.pull', 'deliveries.ack'].every((s) => after.includes(s)) && after.includes('Minecraft server'),
    'after adding one scope in Edit, the key keeps its label and every earlier scope and has the new one', `${message} | ${after}`);
  const who = await api('/api/v1/whoami', key);
  let scopes = [];
  try { scopes = JSON.parse(who.body).scopes || []; } catch (e) { scopes = []; }
  check(who.status === 200 && scopes.slice().sort().join(',') === 'deliveries.ack,deliveries.pull,store.read',
    'GET /api/v1/whoami with the key lists the three scopes', who.body);
  const store = await api('/api/v1/store', key);
  check(store.status === 200, 'the key still reads the store (store.read was not lost)', `status ${store.status}`);

  // the form opened again shows the new state
  await page.goto(base + '/admin/settings/api-key');
  await edit.locator('summary').click();
  const again = await ticked();
  check(facts.prefill ? again.join(',') === 'store.read,deliveries.pull,deliveries.ack' : again.length === 0,
    facts.prefill ? 'Edit opened again ticks the three scopes' : 'Edit opened again shows the defaults', JSON.stringify(again));
});
