// php_panel.test.js - the seed flow through the example PHP panel (examples/php-panel under nginx + php-fpm)
// in headless Chromium, as admin_panel.test.js does for the sample host: log in, open Settings > API Key,
// enable, read the key shown once, call the API with it, reset with confirmation, old key 401, new key 200,
// a refused pasted key; a named key: Create key (label, scope checkboxes) names the key and marks its row, shows the
// key once, its row in the keys table gets Edit (parameters folded in <details>) and Revoke (the confirmation step), the
// key's API answers follow; disable -> 403; a POST without the CSRF token is refused (also a row action's); a
// user without the permission sees no menu entry and gets 403 on the page URL. Prints "PASS: ..." / "FAIL: ..."
// lines.
// Environment: PANEL_URL, ADMIN_PASSWORD, HELPDESK_PASSWORD, SCREENSHOT_DIR, CHROMIUM.
'use strict';

const path = require('path');
const { base, shots, check, api, login, run } = require('./harness');

async function revealedSecret(page) {
  const box = page.locator('#one-time-secret-box');
  if ((await box.count()) !== 1) return null;
  return { key: await page.inputValue('#one-time-secret'), note: await box.innerText() };
}

// Create key, then its row's Edit and Revoke, through the panel (the page is open, the site key newKey works).
async function namedKeys(page, newKey) {
  let r;
  const create = page.locator('form[data-action="create-key"]');
  check((await create.count()) === 1 && (await page.locator('form[data-action="revoke"]:not(.row-action)').count()) === 0,
    'Create key is a page action form; the row actions are not offered as page actions');
  await create.locator('input[name="param[label]"]').fill('Minecraft server');
  await create.locator('input[name="pc[scopes][]"][value="store.read"]').check();
  await create.locator('input[name="pc[scopes][]"][value="deliveries.pull"]').check();
  check((await create.locator('select[name="param[expires]"] option', { hasText: 'in 90 days' }).count()) === 1,
    'the expiry choices show their labels');
  await create.locator('select[name="param[expires]"]').selectOption('90d');
  await Promise.all([page.waitForNavigation(), create.locator('button[type=submit]').click()]);
  const created = page.locator('#table-keys tr.record.created');
  const recordId = ((await created.count()) === 1 ? await created.getAttribute('data-record') : null) || 'missing';
  const createdText = (await page.locator('#result-message').count()) === 1 ? await page.textContent('#result-message') : '';
  check(/^[0-9]+$/.test(recordId) && new RegExp(`\\b${recordId}\\b`).test(createdText),
    'Create key names the new key in its message and marks its row in the keys table', `result: ${createdText}`);
  const createdRecord = page.locator('#created-record');
  check((await createdRecord.count()) === 1 && (await createdRecord.getAttribute('hidden')) !== null
    && (await createdRecord.textContent()).trim() === recordId,
    'the message that names the key is not followed by "Created: N" (the record id stays in a hidden #created-record)');
  const namedSecret = await revealedSecret(page);
  const namedKey = namedSecret ? namedSecret.key : 'missing';
  check(namedSecret !== null && namedKey.startsWith('sak_') && namedKey !== newKey, 'the new named key is shown once');
  const keyRow = page.locator(`#table-keys tr[data-record="${recordId}"]`);
  check((await keyRow.count()) === 1 && /Minecraft server/.test(await keyRow.innerText())
    && /store\.read,deliveries\.pull/.test(await keyRow.innerText()), 'the keys table lists it by its record id, label and scopes');
  check(!(await page.locator('#table-keys').innerText()).includes(namedKey), 'the keys table never shows the key');
  r = await api('/api/v1/ping', namedKey);
  check(r.status === 200, 'the named key gets 200', `status ${r.status} ${r.body}`);
  await page.screenshot({ path: path.join(shots, 'php-panel-named-keys.png'), fullPage: true,
    mask: [page.locator('#one-time-secret'), page.locator('#secret-command')] });

  await page.goto(base + '/admin/settings/api-key');
  const edit = page.locator(`#table-keys form.row-action[data-action="edit"][data-record="${recordId}"]`);
  check((await edit.locator('input[type=hidden][name="_record"]').getAttribute('value')) === recordId,
    'each row action form carries the record id hidden');
  check(!(await edit.locator('input[name="param[label]"]').isVisible()), "edit's parameters are folded until opened");
  await edit.locator('summary').click();
  await edit.locator('input[name="param[label]"]').fill('Minecraft');
  await edit.locator('input[name="pc[scopes][]"][value="store.read"]').check();
  await edit.locator('input[name="pc[scopes][]"][value="deliveries.pull"]').uncheck(); // (ticked when the form is filled from the row)
  await Promise.all([page.waitForNavigation(), edit.locator('button[type=submit]').click()]);
  const editMessage = (await page.locator('#result-message').count()) === 1 ? await page.textContent('#result-message') : '';
  const editedRow = page.locator(`#table-keys tr[data-record="${recordId}"]`);
  check((await page.locator('#result-message.notice').count()) === 1 && (await editedRow.count()) === 1
    && /Minecraft/.test(await editedRow.innerText()) && !/Minecraft server/.test(await editedRow.innerText())
    && !/deliveries\.pull/.test(await editedRow.innerText()), 'Edit on the row changes its label and scopes', editMessage);
  check((await page.locator('#one-time-secret').count()) === 0, 'editing reveals no key');
  r = await api('/api/v1/ping', namedKey);
  check(r.status === 200, 'the edited key still gets 200', `status ${r.status}`);

  const forgedRow = await page.evaluate(async (id) => {
    const res = await fetch('/admin/settings/api-key/action/revoke', { method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `_csrf=forged&_record=${id}&confirmed=1` });
    return res.status;
  }, recordId);
  r = await api('/api/v1/ping', namedKey);
  check(forgedRow === 403 && r.status === 200, 'a row action POST with a wrong CSRF token gets 403 and changes nothing',
    `status ${forgedRow}`);

  const revoke = page.locator(`#table-keys form.row-action[data-action="revoke"][data-record="${recordId}"]`);
  await Promise.all([page.waitForNavigation(), revoke.locator('button[type=submit]').click()]);
  const revokeText = (await page.locator('#confirm-step .confirm-text').count()) === 1
    ? await page.textContent('#confirm-step .confirm-text') : '';
  check(/stops working/.test(revokeText), 'Revoke asks for confirmation showing the plugin\'s text', `page: ${page.url()}`);
  r = await api('/api/v1/ping', namedKey);
  check(r.status === 200, 'before confirming, the named key still works');
  await Promise.all([page.waitForNavigation(), page.click('#confirm-yes')]);
  const revokedRow = page.locator(`#table-keys tr[data-record="${recordId}"]`);
  check((await page.locator('#result-message.notice').count()) === 1
    && ((await revokedRow.count()) === 0 || /revoked/i.test(await revokedRow.innerText())),
    'the confirmed revoke removes the key from the table (or marks it revoked)');
  r = await api('/api/v1/ping', namedKey);
  check(r.status === 401, 'the revoked key gets 401', `status ${r.status} ${r.body}`);
  r = await api('/api/v1/ping', newKey);
  check(r.status === 200, 'the site key is untouched by the named key\'s revoke', `status ${r.status}`);
}

run(async (page, cspErrors) => {
  await login(page, 'admin', process.env.ADMIN_PASSWORD);
  check((await page.textContent('#current-user')) === 'admin', 'admin logs in through the PHP panel\'s login form');

  const menuLink = page.locator('nav a', { hasText: 'API Key' });
  check((await menuLink.count()) === 1, 'the menu shows Settings > API Key to admin');
  check(/Settings/.test(await page.textContent('nav')), 'the menu groups the entry under Settings');
  const [pageResponse] = await Promise.all([page.waitForNavigation(), menuLink.click()]);
  check(new URL(page.url()).pathname === '/admin/settings/api-key', 'the entry opens /admin/settings/api-key');
  check((await page.textContent('h1')).includes('API Key'), 'the page shows its title');
  check(pageResponse && /no-store/.test(pageResponse.headers()['cache-control'] || ''),
    'the page is sent with Cache-Control: no-store');
  check((await page.locator('dl.status dt', { hasText: 'API' }).count()) > 0, 'the page shows the plugin\'s status lines');

  await Promise.all([page.waitForNavigation(), page.click('form[data-action="enable"] button[type=submit]')]);
  const first = await revealedSecret(page);
  check(first !== null && first.key.startsWith('sak_') && first.key.length === 53, 'enabling shows the new key once');
  check(first !== null && /will not be shown again/i.test(first.note), 'the key comes with a "will not be shown again" note');
  check(await page.isVisible('button[data-copy-target="one-time-secret"]'), 'the key has a copy button');
  await page.screenshot({ path: path.join(shots, 'php-panel-api-key.png'), fullPage: true,
    mask: [page.locator('#one-time-secret'), page.locator('#secret-command')] });
  const oldKey = first ? first.key : 'missing';

  let r = await api('/api/v1/ping', oldKey);
  check(r.status === 200 && r.body === '{"ok":true}', 'the API answers 200 {"ok":true} to the new key', `status ${r.status} ${r.body}`);
  r = await api('/api/v1/ping', null);
  check(r.status === 401 && /"error":"missing"/.test(r.body), 'the API answers 401 "missing" without a key', `status ${r.status}`);

  await page.goto(base + '/admin/settings/api-key');
  check((await page.locator('#one-time-secret').count()) === 0 && !(await page.content()).includes(oldKey),
    'the key is not shown again when the page is opened again');

  await Promise.all([page.waitForNavigation(), page.click('form[data-action="reset"] button[type=submit]')]);
  const confirmText = (await page.locator('#confirm-step .confirm-text').count()) === 1
    ? await page.textContent('#confirm-step .confirm-text') : '';
  check(/breaks every external tool/.test(confirmText), 'reset asks for confirmation showing the plugin\'s text', `page: ${page.url()}`);
  r = await api('/api/v1/ping', oldKey);
  check(r.status === 200, 'before confirming, the old key still works');
  await Promise.all([page.waitForNavigation(), page.click('#confirm-yes')]);
  const second = await revealedSecret(page);
  check(second !== null && second.key.length === 53 && second.key !== oldKey, 'the confirmed reset shows a new key once');
  const newKey = second ? second.key : 'missing';

  r = await api('/api/v1/ping', oldKey);
  check(r.status === 401 && /"error":"unknown"/.test(r.body), 'the old key gets 401 after the reset', `status ${r.status} ${r.body}`);
  check(!r.body.includes(oldKey), 'the denial does not echo the key');
  r = await api('/api/v1/ping', newKey);
  check(r.status === 200, 'the new key gets 200', `status ${r.status} ${r.body}`);
  r = await api('/api/v1/store', newKey);
  check(r.status === 200 && /"store_name":"Test <Store>"/.test(r.body) && /"currency":"EUR"/.test(r.body),
    'GET /api/v1/store gives store_name and currency', r.body);

  await page.goto(base + '/admin/settings/api-key');
  await page.fill('#input-api_key', 'sak_tooshort ');
  await page.check('#confirm-api_key');
  await Promise.all([page.waitForNavigation(), page.click('#field-api_key button[type=submit]')]);
  const fieldError = page.locator('#field-api_key .error');
  check((await fieldError.count()) > 0 && (await fieldError.first().innerText()).length > 0,
    'a refused key shows the plugin\'s message next to the field');
  check((await page.inputValue('#input-api_key')) === '', 'the secret input is never refilled');
  r = await api('/api/v1/ping', newKey);
  check(r.status === 200, 'a refused key changes nothing (the current key still works)');

  const audit = await page.textContent('#table-audit');
  check(/reset/.test(audit) && /enable/.test(audit), 'the audit table lists the enable and the reset');

  // ----- a named key: create-key, then its row's edit and revoke -----
  await page.goto(base + '/admin/settings/api-key');
  if (check((await page.locator('#table-keys').count()) === 1,
    'the page has the named keys table (the PHP host gives plugins the [host] api_scopes catalogue)',
    "libpanelhost's panelhost_process_open must set the catalogue of [host] api_scopes before loading the plugins")) {
    await namedKeys(page, newKey);
  }

  // a POST without this session's CSRF token is refused, and changes nothing
  const forged = await page.evaluate(async () => {
    const res = await fetch('/admin/settings/api-key/action/disable', { method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '_csrf=forged' });
    return res.status;
  });
  r = await api('/api/v1/ping', newKey);
  check(forged === 403 && r.status === 200, 'a POST with a wrong CSRF token gets 403 and changes nothing', `status ${forged}`);

  await page.goto(base + '/admin/settings/api-key');
  await Promise.all([page.waitForNavigation(), page.click('form[data-action="disable"] button[type=submit]')]);
  check((await page.locator('#one-time-secret').count()) === 0, 'disabling reveals nothing');
  r = await api('/api/v1/ping', newKey);
  check(r.status === 403 && /"error":"disabled"/.test(r.body), 'after disabling, the key gets 403', `status ${r.status} ${r.body}`);
  check(cspErrors.length === 0, 'no Content-Security-Policy violations', cspErrors.join('; '));

  await Promise.all([page.waitForNavigation(), page.click('header form[action="/logout"] button')]);
  check(new URL(page.url()).pathname === '/login', 'logging out returns to the login page');

  await page.goto(base + '/login');
  await page.fill('#user', 'admin');
  await page.fill('#password', 'wrong-password');
  await Promise.all([page.waitForNavigation(), page.click('#login-form button[type=submit]')]);
  check((await page.locator('#login-error').count()) === 1, 'a wrong password is refused');

  await login(page, 'helpdesk', process.env.HELPDESK_PASSWORD);
  check((await page.textContent('#current-user')) === 'helpdesk', 'a user without the permission logs in');
  check((await page.locator('nav a', { hasText: 'API Key' }).count()) === 0, 'that user\'s menu has no API Key entry');
  const denied = await page.goto(base + '/admin/settings/api-key');
  check(denied && denied.status() === 403, 'that user gets 403 on the page URL', `status ${denied && denied.status()}`);
  check(!(await page.content()).includes('data-action="reset"'), 'the 403 page shows none of the page');
});
