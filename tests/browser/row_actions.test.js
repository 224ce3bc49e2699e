// row_actions.test.js - ABI 1.1 actions in the web panel, in headless Chromium (Debian's /usr/bin/chromium
// through playwright-core; no browser download), on the abi11 fixture's page and on the API Key page: clicking a
// row action runs it for that row; a row action the plugin says is not available is a disabled button with the
// reason beside it; the API Key page disables Disable while the API is disabled, with the plugin's reason, and
// shows the grace choices by their labels. Screenshot of the fixture page. Prints PASS/FAIL lines; exits 1 on a failure.
// Environment: PANEL_URL, ADMIN_PASSWORD, SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium).
'use strict';

const path = require('path');
const { base, shots, check, login, submit, run } = require('./harness');

run(async (page, cspErrors) => {
  await login(page, 'admin', process.env.ADMIN_PASSWORD);
  await page.goto(base + '/admin/abi11/page');
  const k1 = 'form.row-action[data-action="drop"][data-record="k1"] button';
  const k2 = 'form.row-action[data-action="drop"][data-record="k2"] button';
  check((await page.locator(k1).count()) === 1 && (await page.locator(k2).count()) === 1,
    'each record row has its own Drop button');
  check(await page.isDisabled(k2), 'the row action the plugin says is not available is disabled');
  const reason = page.locator('#unavailable-drop-k2');
  check((await reason.count()) === 1 && (await reason.isVisible()) && (await reason.innerText()) === 'k2 is locked',
    'the disabled button shows the plugin\'s reason beside it');
  check(await page.isEnabled(k1), 'the row action on an available record is enabled');
  await page.screenshot({ path: path.join(shots, 'row-actions.png'), fullPage: true });

  await submit(page, k1);
  const notice = (await page.locator('#notice').count()) === 1 ? await page.textContent('#notice') : '';
  check(/dropped k1/.test(notice), 'clicking the row action runs it for that row', notice);

  await submit(page, 'form[data-action="make"] button[type=submit]');
  check((await page.locator('#created-record').count()) === 1 && /k3/.test(await page.textContent('#created-record')),
    'an action that creates a record shows its id');

  await page.check('#param-pick-scopes input[value="c"]');
  await page.uncheck('#param-pick-scopes input[value="a"]');
  await page.fill('#param-pick-cidrs', '10.0.0.0/8, ::1');
  await page.selectOption('#param-pick-size', 'l');
  check((await page.locator('#param-pick-size option[value="l"]').innerText()) === 'large', 'an enum shows its choice labels');
  await submit(page, 'form[data-action="pick"] button[type=submit]');
  const picked = (await page.locator('#notice').count()) === 1 ? await page.textContent('#notice') : '';
  check(/scopes=\[c\] cidrs=\[10\.0\.0\.0\/8,::1\] size=\[l\]/.test(picked),
    'checkboxes and the free list box arrive as lists', picked);

  await page.goto(base + '/admin/settings/api-key');
  const disable = 'form[data-action="disable"] button[type=submit]';
  check(await page.isDisabled(disable), 'API Key: Disable is disabled while the API is disabled');
  const why = page.locator('#unavailable-disable');
  check((await why.count()) === 1 && /already disabled/i.test(await why.innerText()),
    'API Key: the disabled Disable button says why', (await why.count()) ? await why.innerText() : 'none');
  const graceLabels = await page.locator('#param-reset-grace option').allInnerTexts();
  check(graceLabels.length > 0 && /^none: the old key stops at once$/.test(graceLabels[0]),
    'API Key: the grace select shows labels ("none: the old key stops at once"), not a bare 0', graceLabels.join(' | '));
  check(cspErrors.length === 0, 'no Content-Security-Policy violations', cspErrors.join('; '));
});
