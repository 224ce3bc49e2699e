// laravel_panel.test.js - the panel/laravel admin pages in a real Laravel 8 application (tests/laravel/app under
// nginx + php-fpm, started by tests/cli/laravel_app.sh) in headless Chromium: the application's own login guards
// the route group; the owner enables the API, resets the key with a grace period (the confirmation step; the old
// key keeps working through the apikey middleware, the new one works too), creates a named key (label, scope
// checkboxes, expiry choice labels; "Record: N", the key once), edits it (parameters folded in the row), revokes it
// (the confirmation step; then 401); a pasted key with a trailing space reaches the plugin as typed and is
// refused next to its field; a forged CSRF token changes nothing; a support user's gate hides the page
// (no menu entry, 403), a user with no panel user gets 403, and the application's own gate (Gate::before) shuts
// out a user whose panel user is an owner. Screenshots: build/screenshots/laravel-*.png.
// Environment: PANEL_URL, OWNER_PASSWORD, SUPPORT_PASSWORD, NOBODY_PASSWORD, SUSPENDED_PASSWORD, SCREENSHOT_DIR, CHROMIUM.
'use strict';

const path = require('path');
const { base, shots, check, api, run } = require('../browser/harness');

const PAGE = '/admin/panel/settings/api-key';

async function login(page, name, password) {
  await page.goto(base + '/login');
  await page.fill('#name', name);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('#login-form button[type=submit]')]);
}

async function logout(page) {
  await Promise.all([page.waitForNavigation(), page.click('header form button')]);
}

async function secretShown(page) {
  if ((await page.locator('#one-time-secret-box').count()) !== 1) return null;
  return { key: await page.inputValue('#one-time-secret'), note: await page.innerText('#one-time-secret-box') };
}

async function submitIn(page, form) {
  await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
}

async function namedKey(page, siteKey) {
  let r;
  const create = page.locator('form[data-action="create-key"]');
  await create.locator('input[name="param[label]"]').fill('Minecraft server');
  await create.locator('input[name="pc[scopes][]"][value="store.read"]').check();
  await create.locator('input[name="pc[scopes][]"][value="deliveries.pull"]').check();
  check((await create.locator('select[name="param[expires]"] option', { hasText: 'in 90 days' }).count()) === 1,
    'the expiry choices show their labels');
  await create.locator('select[name="param[expires]"]').selectOption('90d');
  await submitIn(page, create);
  const recordText = (await page.locator('#result-record').count()) === 1 ? await page.textContent('#result-record') : '';
  const recordId = (/^Record: ([0-9]+)$/.exec(recordText.trim()) || [])[1] || 'missing';
  check(recordId !== 'missing', 'Create key answers with "Record: N"', `result: ${recordText}`);
  const shown = await secretShown(page);
  const key = shown ? shown.key : 'missing';
  check(key.startsWith('sak_') && key !== siteKey, 'the named key is shown once');
  const row = page.locator(`#table-keys tr[data-record="${recordId}"]`);
  check((await row.count()) === 1 && /Minecraft server/.test(await row.innerText())
    && /store\.read,deliveries\.pull/.test(await row.innerText()), 'the keys table lists it with its label and scopes');
  check(!(await page.locator('#table-keys').innerText()).includes(key), 'the keys table never shows the key');
  r = await api('/api/v1/whoami', key);
  const who = r.status === 200 ? JSON.parse(r.body) : {};
  check(who.label === 'Minecraft server' && /^apikeys:/.test(who.principal || '')
    && JSON.stringify(who.scopes) === '["store.read","deliveries.pull"]',
  'the middleware hands the controller the principal, label and scopes', `${r.status} ${r.body}`);
  await page.screenshot({ path: path.join(shots, 'laravel-named-keys.png'), fullPage: true,
    mask: [page.locator('#one-time-secret')] });

  await page.goto(base + PAGE);
  const edit = page.locator(`#table-keys form.row-action[data-action="edit"][data-record="${recordId}"]`);
  check(!(await edit.locator('input[name="param[label]"]').isVisible()), "Edit's parameters are folded until opened");
  await edit.locator('summary').click();
  await edit.locator('input[name="param[label]"]').fill('Minecraft');
  await edit.locator('input[name="pc[scopes][]"][value="store.read"]').check();
  await submitIn(page, edit);
  const edited = page.locator(`#table-keys tr[data-record="${recordId}"]`);
  check((await page.locator('#result-message.notice').count()) === 1 && (await edited.count()) === 1
    && /Minecraft/.test(await edited.innerText()) && !/Minecraft server/.test(await edited.innerText())
    && !/deliveries\.pull/.test(await edited.innerText()), 'Edit on the row changes its label and scopes');
  r = await api('/api/v1/whoami', key);
  check(r.status === 200 && /"label":"Minecraft"/.test(r.body), 'the edited key gets 200 with its new label', r.body);

  const forged = await page.evaluate(async (id) => {
    const res = await fetch('/admin/panel/settings/api-key/action/revoke', { method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `_token=forged&_record=${id}&confirmed=1` });
    return res.status;
  }, recordId);
  r = await api('/api/v1/ping', key);
  check(forged === 419 && r.status === 200, "a POST with a forged CSRF token gets Laravel's 419 and changes nothing",
    `status ${forged}, key ${r.status}`);

  const revoke = page.locator(`#table-keys form.row-action[data-action="revoke"][data-record="${recordId}"]`);
  await submitIn(page, revoke);
  const text = (await page.locator('#confirm-step .confirm-text').count()) === 1
    ? await page.textContent('#confirm-step .confirm-text') : '';
  check(/stops working/.test(text), "Revoke asks for confirmation with the plugin's text", page.url());
  r = await api('/api/v1/ping', key);
  check(r.status === 200, 'before confirming, the named key still works');
  await Promise.all([page.waitForNavigation(), page.click('#confirm-yes')]);
  check((await page.locator(`#table-keys tr[data-record="${recordId}"]`).count()) === 0,
    'the confirmed revoke removes the key from the table');
  r = await api('/api/v1/ping', key);
  check(r.status === 401 && /"error":"unknown"/.test(r.body), 'the revoked key gets 401 through the middleware',
    `${r.status} ${r.body}`);
}

run(async (page, cspErrors) => {
  let r;
  const first = await page.goto(base + PAGE);
  check(new URL(page.url()).pathname === '/login' && first.ok(),
    "the panel's route group is behind the application's own authentication (redirect to /login)", page.url());

  await login(page, 'owner', process.env.OWNER_PASSWORD);
  check(new URL(page.url()).pathname === PAGE, 'after logging in, the application returns to the panel page',
    page.url());
  check((await page.textContent('#current-user')) === 'owner', 'the page shows the signed-in application user');
  const link = page.locator('nav a', { hasText: 'API Key' });
  check((await link.count()) === 1 && /Settings/.test(await page.textContent('nav')),
    'the menu shows Settings > API Key');
  check((await page.textContent('h1')).includes('API Key'), "the page shows the plugin's title");
  check((await page.locator('dl.status dt', { hasText: 'API' }).count()) > 0, "the page shows the plugin's status lines");
  const grid = await page.evaluate(() => getComputedStyle(document.querySelector('.frame')).display);
  check(grid === 'grid', "the package's stylesheet is applied (the frame is a grid)", grid);

  await submitIn(page, page.locator('form[data-action="enable"]'));
  const enabled = await secretShown(page);
  check(enabled !== null && enabled.key.startsWith('sak_') && /will not be shown again/i.test(enabled.note),
    'enabling shows the new key once, with its note');
  await page.screenshot({ path: path.join(shots, 'laravel-api-key.png'), fullPage: true,
    mask: [page.locator('#one-time-secret')] });
  const oldKey = enabled ? enabled.key : 'missing';
  r = await api('/api/v1/ping', oldKey);
  check(r.status === 200 && r.body === '{"ok":true}', 'the key gets 200 through the apikey middleware', `${r.status} ${r.body}`);
  await page.goto(base + PAGE);
  check(!(await page.content()).includes(oldKey), 'the key is not shown again');

  const reset = page.locator('form[data-action="reset"]');
  check((await reset.locator('select[name="param[grace]"] option', { hasText: '1 hour' }).count()) === 1,
    'the grace choices show their labels');
  await reset.locator('select[name="param[grace]"]').selectOption('1h');
  await submitIn(page, reset);
  const confirmText = (await page.locator('#confirm-step .confirm-text').count()) === 1
    ? await page.textContent('#confirm-step .confirm-text') : '';
  check(/breaks every external tool|old key/.test(confirmText), "reset asks for confirmation with the plugin's text",
    confirmText);
  check((await page.locator('#confirm-step input[name="param[grace]"]').getAttribute('value')) === '1h',
    'the confirmation step carries the chosen grace period');
  await Promise.all([page.waitForNavigation(), page.click('#confirm-yes')]);
  const second = await secretShown(page);
  const newKey = second ? second.key : 'missing';
  check(second !== null && newKey !== oldKey && newKey.startsWith('sak_'), 'the confirmed reset shows a new key once');
  r = await api('/api/v1/ping', oldKey);
  check(r.status === 200, 'in its grace period the old key still gets 200', `${r.status} ${r.body}`);
  r = await api('/api/v1/ping', newKey);
  check(r.status === 200, 'the new key gets 200', `${r.status} ${r.body}`);
  r = await api('/api/v1/store', newKey);
  check(r.status === 200 && /"store_name":"Test <Store>"/.test(r.body) && /"principal":"apikeys:/.test(r.body),
    'the store route (apikey:store.read) answers with the principal', r.body);

  await page.goto(base + PAGE);
  await page.fill('#input-api_key', 'sak_tooshort ');
  await page.check('#confirm-api_key');
  await Promise.all([page.waitForNavigation(), page.click('#field-api_key button[type=submit]')]);
  const fieldError = page.locator('#field-api_key .error');
  check((await fieldError.count()) === 1 && /trailing space/.test(await fieldError.innerText()),
    "a pasted key reaches the plugin exactly as typed (the application's TrimStrings does not touch it), and its "
    + 'refusal is shown next to the field', (await fieldError.count()) === 1 ? await fieldError.innerText() : '');
  check((await page.inputValue('#input-api_key')) === '', 'the secret input is never refilled');
  r = await api('/api/v1/ping', newKey);
  check(r.status === 200, 'a refused key changes nothing (the current key still works)', `${r.status}`);

  await page.goto(base + PAGE);
  if (check((await page.locator('#table-keys').count()) === 1, 'the page has the named keys table')) {
    await namedKey(page, newKey);
  }
  check(cspErrors.length === 0, 'no Content-Security-Policy violations', cspErrors.join('; '));
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + PAGE);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 390, 'at 390 px the page needs no sideways scroll', `scrollWidth ${width}`);
  await page.screenshot({ path: path.join(shots, 'laravel-api-key-390.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await logout(page);
  check(new URL(page.url()).pathname === '/login', "logging out uses the application's logout");

  await login(page, 'support', process.env.SUPPORT_PASSWORD);
  check((await page.locator('nav a', { hasText: 'API Key' }).count()) === 0,
    "a support user's gate hides the API Key entry");
  const denied = await page.goto(base + PAGE);
  check(denied.status() === 403 && !(await page.content()).includes('data-action="reset"'),
    'a support user gets 403 on the page, and none of it', `status ${denied.status()}`);
  await logout(page);

  await login(page, 'nobody', process.env.NOBODY_PASSWORD);
  const none = await page.goto(base + PAGE);
  check(none.status() === 403 && /no role in the panel/.test(await page.textContent('#error-message')),
    'an application user with no panel user gets 403', `status ${none.status()}`);
  await logout(page);

  await login(page, 'suspended', process.env.SUSPENDED_PASSWORD);
  check((await page.locator('nav a', { hasText: 'API Key' }).count()) === 0,
    "the application's own gate (Gate::before) hides the entry from a user whose panel user is an owner");
  const suspended = await page.goto(base + PAGE);
  check(suspended.status() === 403 && !(await page.content()).includes('data-action="reset"'),
    "... and refuses the page (403)", `status ${suspended.status()}`);
  const forbiddenPost = await page.evaluate(async () => {
    const token = document.querySelector('header input[name="_token"]').value;
    const res = await fetch('/admin/panel/settings/api-key/action/disable', { method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `_token=${token}` });
    return res.status;
  });
  r = await api('/api/v1/ping', newKey);
  check(forbiddenPost === 403 && r.status === 200, "... and its actions (403; the API stays enabled)",
    `status ${forbiddenPost}, key ${r.status}`);
});
