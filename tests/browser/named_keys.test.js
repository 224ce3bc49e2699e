// named_keys.test.js - named keys in the web panel, in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core; no browser download), on Settings > API Key: Create key with a label, scope checkboxes, an
// expiry, allowed IPs and a rate limit shows the key once and names its record; the key works at the API with its
// scopes only; its row in the Keys table shows the hint, never the key; Edit on the row (its parameters open from
// the row) changes the label and rate limit, never the key; Reset on the row with a grace period (after the
// confirmation step) shows a new key once while the old one keeps working; Revoke on the row (confirmed) stops
// both and removes the row.
// Prints PASS/FAIL lines; exits 1 on a failure.
// Environment: PANEL_URL, ADMIN_PASSWORD, SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium).
'use strict';

const path = require('path');
const { base, shots, check, api, login, submit, run } = require('./harness');

const hint = (key) => `${key.slice(0, 4)}…${key.slice(-4)}`;
const notice = async (page) => ((await page.locator('#notice').count()) === 1 ? page.textContent('#notice') : '');
const keysRow = (page, id) => page.locator(`#table-keys tbody.record[data-record="${id}"] tr.record-cells`);

run(async (page, cspErrors) => {
  await login(page, 'admin', process.env.ADMIN_PASSWORD);
  await page.goto(base + '/admin/settings/api-key');
  await submit(page, 'form[data-action="enable"] button[type=submit]');

  // ----- Create key
  await page.fill('#param-create-key-label', 'Minecraft server');
  await page.check('#param-create-key-scopes input[value="store.read"]');
  await page.check('#param-create-key-scopes input[value="deliveries.pull"]');
  await page.selectOption('#param-create-key-expires', '30d');
  await page.fill('#param-create-key-allowed_ips', '127.0.0.1, 10.0.0.0/8');
  await page.fill('#param-create-key-rate_limit', '100');
  await submit(page, 'form[data-action="create-key"] button[type=submit]');
  const created = await notice(page);
  check(/Key \d+ created: "Minecraft server"/.test(created), 'Create key says what it created', created);
  const key = (await page.locator('#one-time-secret').count()) === 1 ? await page.inputValue('#one-time-secret') : '';
  check(/^sak_[0-9A-Za-z]{49}$/.test(key), 'the new key is shown once in the secret box', key ? hint(key) : 'none');
  const record = (await page.locator('#created-record').count()) === 1 ? await page.textContent('#created-record') : '';
  const id = (record.match(/\d+/) || [''])[0];
  check(id !== '', 'the page names the created record', record);
  await page.screenshot({ path: path.join(shots, 'named-key-created.png'), fullPage: true,
    mask: [page.locator('#one-time-secret')] });

  let r = await api('/api/v1/store', key);
  check(r.status === 200, 'the named key reads the store (scope store.read)', `${r.status} ${r.body}`);
  r = await api('/api/v1/whoami', key);
  check(r.status === 200 && r.body.includes(`"principal":"apikeys:key:${id}"`) && r.body.includes('"Minecraft server"'),
    'whoami names the named key and its label', r.body);

  await page.goto(base + '/admin/settings/api-key');
  check((await page.content()).indexOf(key.slice(4)) < 0, 'a fresh page load shows the key nowhere');
  const row = await keysRow(page, id).innerText();
  check(row.includes('Minecraft server') && row.includes(hint(key)) && row.includes('store.read,deliveries.pull') &&
    row.includes('127.0.0.1,10.0.0.0/8') && row.includes('100/min'),
  'the Keys table row shows the label, hint, scopes, allowed IPs and rate limit', row);

  // A refused create: the message names the bad item; no key is shown.
  await page.fill('#param-create-key-label', 'Bad');
  await page.check('#param-create-key-scopes input[value="store.read"]');
  await page.fill('#param-create-key-allowed_ips', '10.0.0.300');
  await submit(page, 'form[data-action="create-key"] button[type=submit]');
  const refusal = await page.content();
  check(/allowed IP 1 \(&quot;10\.0\.0\.300&quot;\)|allowed IP 1 \("10\.0\.0\.300"\)/.test(refusal) &&
    (await page.locator('#one-time-secret').count()) === 0, 'a bad CIDR is refused, naming the item, with no key');

  // ----- Edit on the row: its parameters open from the row; the label and rate limit change, the key does not.
  await page.goto(base + '/admin/settings/api-key');
  const editForm = `form.row-action[data-action="edit"][data-record="${id}"]`;
  await page.click(`${editForm} summary`);
  await page.fill(`#param-edit-${id}-label`, 'Minecraft lobby');
  await page.fill(`#param-edit-${id}-rate_limit`, '0');
  await submit(page, `${editForm} button[type=submit]`);
  check(/Key "Minecraft lobby" \(ID \d+, sak_…\w{4}\) saved/.test(await notice(page)) &&
    (await page.locator('#one-time-secret').count()) === 0, 'Edit on a row saves the label, shows no key',
  await notice(page));
  const edited = await keysRow(page, id).innerText();
  check(edited.includes('Minecraft lobby') && edited.includes(hint(key)) && /\bnone\b/.test(edited),
    'the row shows the new label and no rate limit, with the same key hint', edited);
  r = await api('/api/v1/whoami', key);
  check(r.status === 200 && r.body.includes('"Minecraft lobby"'), 'the same key works and whoami has the new label',
    r.body);

  // ----- Reset on the row with a grace period: a confirmation step, then a new key once; the old one keeps
  // working for the grace period.
  await page.goto(base + '/admin/settings/api-key');
  const resetForm = `form.row-action[data-action="reset-key"][data-record="${id}"]`;
  await page.click(`${resetForm} summary`);
  await page.selectOption(`#param-reset-key-${id}-grace`, '1h');
  await submit(page, `${resetForm} button[type=submit]`);
  check((await page.locator('#confirm-step').count()) === 1, 'Reset on a row asks for confirmation first',
    await page.title());
  check((await page.content()).includes('1h'), 'the confirmation step repeats the chosen grace period');
  r = await api('/api/v1/store', key);
  check(r.status === 200, 'before the confirmation the key still works', String(r.status));
  await submit(page, '#confirm-yes');
  const newKey = (await page.locator('#one-time-secret').count()) === 1 ? await page.inputValue('#one-time-secret') : '';
  check(/^sak_/.test(newKey) && newKey !== key && /stays valid until/.test(await notice(page)),
    'the confirmed Reset shows a new key once and says until when the old one works', await notice(page));
  r = await api('/api/v1/store', key);
  check(r.status === 200, 'the old key still works in its grace period', `${r.status} ${r.body}`);
  r = await api('/api/v1/store', newKey);
  check(r.status === 200, 'the new key works', `${r.status} ${r.body}`);

  // ----- Revoke on the row, confirmed: 401 and the row is gone.
  await page.goto(base + '/admin/settings/api-key');
  await submit(page, `form.row-action[data-action="revoke"][data-record="${id}"] button`);
  check((await page.locator('#confirm-step').count()) === 1, 'Revoke on a row asks for confirmation first');
  await submit(page, '#confirm-yes');
  check(/is revoked: requests with it get 401 now/.test(await notice(page)), 'Revoke says the key is revoked',
    await notice(page));
  r = await api('/api/v1/store', newKey);
  check(r.status === 401, 'the revoked key gets 401', `${r.status} ${r.body}`);
  r = await api('/api/v1/store', key);
  check(r.status === 401, 'its previous value in the grace period gets 401 too', `${r.status} ${r.body}`);
  await page.goto(base + '/admin/settings/api-key');
  check((await page.locator(`form.row-action[data-record="${id}"]`).count()) === 0, 'the revoked key has no row');
  check(cspErrors.length === 0, 'no Content-Security-Policy violations', cspErrors.join('; '));
});
