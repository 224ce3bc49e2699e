// admin_panel.test.js - drives the sample host's admin panel in headless Chromium (Debian's /usr/bin/chromium
// through playwright-core; no browser is ever downloaded): log in, open Settings > API Key, enable, read the
// key shown once, call the API with it, reset with confirmation, old key 401, new key 200, disable -> 403;
// then a user without the permission sees no menu entry and gets 403 on the page URL. Screenshots before and
// after the reset (revealed key masked) go to $SCREENSHOT_DIR. Prints "PASS: ..." / "FAIL: ..." lines and exits
// 1 when anything failed.
// Environment: PANEL_URL (e.g. http://127.0.0.1:PORT/), ADMIN_PASSWORD, HELPDESK_PASSWORD, SCREENSHOT_DIR,
// CHROMIUM (default /usr/bin/chromium).
'use strict';

const fs = require('fs');
const path = require('path');
const { base, shots, check, api, login, submit, run } = require('./harness');

async function revealedSecret(page) {
  const box = page.locator('#one-time-secret-box');
  if ((await box.count()) !== 1) return null;
  return { key: await page.inputValue('#one-time-secret'), note: await box.innerText() };
}

run(async (page, cspErrors) => {
  await login(page, 'admin', process.env.ADMIN_PASSWORD);
  check((await page.textContent('#current-user')) === 'admin', 'admin logs in through the login form');

  const menuLink = page.locator('nav a', { hasText: 'API Key' });
  check((await menuLink.count()) === 1, 'the menu shows Settings > API Key to admin');
  const navText = await page.textContent('nav');
  check(/Settings/.test(navText), 'the menu groups the entry under Settings');
  const [pageResponse] = await Promise.all([page.waitForNavigation(), menuLink.click()]);
  check(new URL(page.url()).pathname === '/admin/settings/api-key', 'the entry opens /admin/settings/api-key');
  check((await page.textContent('h1')).includes('API Key'), 'the page shows its title');
  check(pageResponse && /no-store/.test(pageResponse.headers()['cache-control'] || ''),
    'the page is sent with Cache-Control: no-store');

  await Promise.all([page.waitForNavigation(), page.click('form[data-action="enable"] button[type=submit]')]);
  const first = await revealedSecret(page);
  check(first !== null && first.key.length >= 32, 'enabling shows the new key once');
  check(first !== null && /will not be shown again/i.test(first.note), 'the key comes with a "will not be shown again" note');
  check(await page.isVisible('button[data-copy-target="one-time-secret"]'), 'the key has a copy button');
  await page.screenshot({ path: path.join(shots, 'api-key-before-reset.png'), fullPage: true,
    mask: [page.locator('#one-time-secret')] });
  check(fs.existsSync(path.join(shots, 'api-key-before-reset.png')), 'a screenshot before the reset is saved (key masked)');
  const oldKey = first ? first.key : 'missing';

  let r = await api('/api/v1/ping', oldKey);
  check(r.status === 200, 'the API answers 200 to the new key', `status ${r.status} ${r.body}`);
  r = await api('/api/v1/ping', null);
  check(r.status === 401, 'the API answers 401 without a key', `status ${r.status}`);

  await page.goto(base + '/admin/settings/api-key');
  check((await page.locator('#one-time-secret').count()) === 0 && !(await page.content()).includes(oldKey),
    'the key is not shown again when the page is opened again');

  // reset: without the confirmation box the panel shows the plugin's confirmation text first
  await Promise.all([page.waitForNavigation(), page.click('form[data-action="reset"] button[type=submit]')]);
  const confirmText = (await page.locator('#confirm-step .confirm-text').count()) === 1
    ? await page.textContent('#confirm-step .confirm-text') : '';
  check(confirmText.length > 0, 'reset asks for confirmation showing the plugin\'s text', `page: ${page.url()}`);
  r = await api('/api/v1/ping', oldKey);
  check(r.status === 200, 'before confirming, the old key still works');
  await Promise.all([page.waitForNavigation(), page.click('#confirm-yes')]);
  const second = await revealedSecret(page);
  check(second !== null && second.key.length >= 32 && second.key !== oldKey, 'the confirmed reset shows a new key once');
  await page.screenshot({ path: path.join(shots, 'api-key-after-reset.png'), fullPage: true,
    mask: [page.locator('#one-time-secret')] });
  check(fs.existsSync(path.join(shots, 'api-key-after-reset.png')), 'a screenshot after the reset is saved (key masked)');
  const newKey = second ? second.key : 'missing';

  r = await api('/api/v1/ping', oldKey);
  check(r.status === 401, 'the old key gets 401 after the reset', `status ${r.status} ${r.body}`);
  check(!r.body.includes(oldKey), 'the denial does not echo the key');
  r = await api('/api/v1/ping', newKey);
  check(r.status === 200, 'the new key gets 200', `status ${r.status} ${r.body}`);
  r = await api('/api/v1/store', newKey);
  check(r.status === 200 && /"store_name"/.test(r.body) && /"currency"/.test(r.body),
    'GET /api/v1/store gives store_name and currency', r.body);

  // a refused value: the error appears next to the field, the secret input comes back empty
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

  await page.goto(base + '/admin/settings/api-key');
  await Promise.all([page.waitForNavigation(), page.click('form[data-action="disable"] button[type=submit]')]);
  check((await page.locator('#one-time-secret').count()) === 0, 'disabling reveals nothing');
  r = await api('/api/v1/ping', newKey);
  check(r.status === 403, 'after disabling, the key gets 403', `status ${r.status} ${r.body}`);
  check(cspErrors.length === 0, 'no Content-Security-Policy violations', cspErrors.join('; '));

  await Promise.all([page.waitForNavigation(), page.click('header form[action="/logout"] button')]);
  check(new URL(page.url()).pathname === '/login', 'logging out returns to the login page');

  await login(page, 'helpdesk', process.env.HELPDESK_PASSWORD);
  check((await page.textContent('#current-user')) === 'helpdesk', 'a user without the permission logs in');
  check((await page.locator('nav a', { hasText: 'API Key' }).count()) === 0,
    'that user\'s menu has no API Key entry');
  const denied = await page.goto(base + '/admin/settings/api-key');
  check(denied && denied.status() === 403, 'that user gets 403 on the page URL', `status ${denied && denied.status()}`);
  check(!(await page.content()).includes('data-action="reset"'), 'the 403 page shows none of the page');
});
