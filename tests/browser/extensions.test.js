// extensions.test.js - drives the web panel's System > Extensions page in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core; no browser download): admin enables the API and gets a key,
// opens Extensions from the menu, sees a broken extension's load error, disables API Keys (cancel first, then
// confirm): the menu loses Settings > API Key, the page answers 404 and the key gets 503; enables it again:
// the same key gets 200. A user without extensions.manage has no menu entry and gets 403. Prints
// "PASS: ..." / "FAIL: ..." lines; exits 1 when anything failed.
// Environment: PANEL_URL, ADMIN_PASSWORD, HELPDESK_PASSWORD, SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium).
'use strict';

const path = require('path');
const { base, shots, check, api, login, submit, run } = require('./harness');

run(async (page, cspErrors) => {
  await login(page, 'admin', process.env.ADMIN_PASSWORD);
  await page.goto(base + '/admin/settings/api-key');
  await submit(page, 'form[data-action="enable"] button[type=submit]');
  const key = (await page.locator('#one-time-secret').count()) === 1 ? await page.inputValue('#one-time-secret') : '';
  check(key.length >= 32, 'admin enables the API and gets a key');
  let r = await api('/api/v1/ping', key);
  check(r.status === 200, 'the key answers 200', `status ${r.status} ${r.body}`);

  const menuEntry = page.locator('nav a#menu-extensions');
  check((await menuEntry.count()) === 1, 'the menu has System > Extensions');
  await submit(page, 'nav a#menu-extensions');
  check(new URL(page.url()).pathname === '/admin/system/extensions', 'the entry opens the Extensions page');
  check((await page.textContent('h1')) === 'Extensions', 'the page is titled Extensions');
  const apikeysRow = page.locator('#ext-apikeys');
  check((await apikeysRow.count()) === 1 && /API Keys/.test(await apikeysRow.innerText()) &&
    /1\.0\.0/.test(await apikeysRow.innerText()), 'the page lists API Keys with its version');
  check(/Enabled, running/.test(await page.textContent('#ext-apikeys .ext-status')), 'API Keys shows as enabled and running');
  const broken = page.locator('#ext-no_entry .ext-load-error');
  check((await broken.count()) === 1 && /does not export the symbol/.test(await broken.innerText()),
    'an extension that fails to load shows its load error');
  await page.screenshot({ path: path.join(shots, 'extensions.png'), fullPage: true });

  // disable: a confirmation step first; Cancel changes nothing
  await submit(page, '#disable-apikeys');
  const confirmText = (await page.locator('#confirm-text').count()) === 1 ? await page.textContent('#confirm-text') : '';
  check(/Settings > API Key/.test(confirmText) && /503/.test(confirmText),
    'disabling asks for confirmation, naming the menu entry and the 503', confirmText);
  await submit(page, '#confirm-cancel');
  r = await api('/api/v1/ping', key);
  check(r.status === 200, 'cancelling changes nothing (the key still answers 200)', `status ${r.status}`);

  await submit(page, '#disable-apikeys');
  await submit(page, '#confirm-yes');
  check((await page.locator('#notice').count()) === 1 && /Disabled/.test(await page.textContent('#notice')),
    'the confirmed disable reports success');
  check((await page.locator('nav a', { hasText: 'API Key' }).count()) === 0, 'the menu loses Settings > API Key');
  check((await page.locator('#enable-apikeys').count()) === 1, 'API Keys now offers Enable');
  r = await api('/api/v1/ping', key);
  check(r.status === 503 && /no API authentication is configured/.test(r.body),
    'with API Keys disabled the key gets 503 no API authentication is configured', `status ${r.status} ${r.body}`);
  const gone = await page.goto(base + '/admin/settings/api-key');
  check(gone && gone.status() === 404, 'the API Key page answers 404', `status ${gone && gone.status()}`);

  await page.goto(base + '/admin/system/extensions');
  await submit(page, '#enable-apikeys');
  check((await page.locator('nav a', { hasText: 'API Key' }).count()) === 1, 'enabling brings the menu entry back');
  r = await api('/api/v1/ping', key);
  check(r.status === 200, 'enabling brings back the same key (200)', `status ${r.status} ${r.body}`);
  check((await page.locator('#host-audit').count()) === 1 && /extension\.disable/.test(await page.textContent('#host-audit')),
    'the page shows the host audit entries of the changes');
  check(cspErrors.length === 0, 'no Content-Security-Policy violations', cspErrors.join('; '));

  await submit(page, 'header form[action="/logout"] button');
  await login(page, 'helpdesk', process.env.HELPDESK_PASSWORD);
  check((await page.locator('nav a#menu-extensions').count()) === 0, 'a user without extensions.manage has no Extensions entry');
  const denied = await page.goto(base + '/admin/system/extensions');
  check(denied && denied.status() === 403, 'that user gets 403 on the Extensions page', `status ${denied && denied.status()}`);
  check((await page.locator('#disable-apikeys').count()) === 0, 'the 403 page offers no buttons');
});
