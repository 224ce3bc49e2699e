// php_panel_prg.test.js - no double submits in the example PHP panel (issue 25 §3, and §4's confirmation words), in
// headless Chromium against nginx + php-fpm: every POST of an action, a row action, a confirmation and a field is
// answered with 303 to the page; the outcome and the one-time secret reach the next GET through the session's
// data (never the URL nor a cookie's value) and are gone from the session's file once shown; reloading after
// Enable, Create key, Reset (site key, with a grace period) and a named key's Reset changes nothing (same number
// of audit entries and keys, the key just shown still works) and does not show the secret again; a HEAD of the
// page does not take the outcome meant for the GET; a refused
// field change shows its message once; the confirmation step names the key's choices by their labels (the grace
// period "1 hour", "none: ...", not "1h" or "0").
// Environment: PANEL_URL, ADMIN_PASSWORD, SESSION_DIR (the panel's php-sessions folder), CHROMIUM.
'use strict';

const fs = require('fs');
const path = require('path');
const { base, check, api, login, submit, run } = require('./harness');

const PAGE = '/admin/settings/api-key';

// Whether any session file holds text.
function sessionsHold(text) {
  const dir = process.env.SESSION_DIR;
  return fs.readdirSync(dir).some((f) => fs.readFileSync(path.join(dir, f), 'latin1').includes(text));
}

run(async (page) => {
  const posts = [];
  page.on('response', (res) => {
    if (res.request().method() === 'POST' && !/\/login$/.test(res.url())) {
      posts.push({ url: new URL(res.url()).pathname, status: res.status(), location: res.headers().location || '' });
    }
  });
  await login(page, 'admin', process.env.ADMIN_PASSWORD);
  await page.goto(base + PAGE);
  const auditRows = async () => page.locator('#table-audit tbody tr').count();
  const keyRows = async () => page.locator('#table-keys tr.record').count();
  const secretShown = async () => (await page.locator('#one-time-secret').count()) === 1;

  // after reading a secret: not in the URL, not in a cookie, no longer in the session's file
  const secretOnlyOnPage = async (secret, what) => {
    const cookies = await page.context().cookies();
    check(!page.url().includes(secret) && new URL(page.url()).pathname === PAGE && !cookies.some((c) => c.value.includes(secret)),
      `${what}: the secret is in neither the URL (${new URL(page.url()).pathname}) nor a cookie`);
    check(!sessionsHold(secret), `${what}: once shown, the secret is no longer in the session's file`);
  };
  // a reload repeats nothing: same audit entries and keys, no secret, the key shown still works
  const reloadChangesNothing = async (secret, what) => {
    const audit = await auditRows(); const keys = await keyRows(); const before = posts.length;
    await page.reload();
    const r = await api('/api/v1/ping', secret);
    check(posts.length === before && !(await secretShown()) && (await auditRows()) === audit && (await keyRows()) === keys
      && r.status === 200, `reloading after ${what} posts nothing, changes nothing (audit ${audit}, keys ${keys}), shows no secret and the key still works`,
      `posts ${posts.length - before}, audit ${await auditRows()}, keys ${await keyRows()}, secret shown ${await secretShown()}, API ${r.status}`);
    check(!(await page.content()).includes(secret), `after the reload the page does not hold the secret from ${what}`);
  };

  // Enable
  await submit(page, 'form[data-action="enable"] button[type=submit]');
  const last = posts[posts.length - 1] || {};
  check(last.status === 303 && last.location === PAGE, 'Enable API is answered with 303 to the page', JSON.stringify(last));
  const siteKey = (await secretShown()) ? await page.inputValue('#one-time-secret') : 'missing';
  check(siteKey.startsWith('sak_'), 'the GET after the redirect shows the new key once');
  const command = (await page.locator('#secret-command').count()) === 1 ? await page.inputValue('#secret-command') : '';
  check(command === `curl -H 'X-API-Key: ${siteKey}' ${base}/api/v1/whoami`,
    'the secret box offers the curl command for GET /api/v1/whoami with the key', command.replace(siteKey, '<key>'));
  const who = await api('/api/v1/whoami', siteKey);
  check(who.status === 200 && /"principal"/.test(who.body), 'that command\'s request is answered 200 with the principal', who.body);
  await secretOnlyOnPage(siteKey, 'Enable');
  await reloadChangesNothing(siteKey, 'Enable');

  // Create key
  await page.fill('#param-create-key-label', 'Minecraft server');
  await page.check('#param-create-key-scopes input[value="store.read"]');
  await submit(page, 'form[data-action="create-key"] button[type=submit]');
  const named = (await secretShown()) ? await page.inputValue('#one-time-secret') : 'missing';
  check(named.startsWith('sak_') && (await keyRows()) === 1 && (await page.locator('#result-message.ok').count()) === 1,
    'Create key: the page after the redirect shows its message, the key once and its row');
  await secretOnlyOnPage(named, 'Create key');
  await reloadChangesNothing(named, 'Create key');
  // the secret box's hint: run the command, reload, the key's last use shows (each php-fpm worker writes its
  // counts every few seconds: reload until it does, for at most 30 s)
  check((await api('/api/v1/whoami', named)).status === 200, 'the command\'s request with the new named key works');
  const namedId = await page.locator('#table-keys tr.record').first().getAttribute('data-record');
  const usesOf = async () => page.$$eval(`#table-keys tr.record[data-record="${namedId}"] td`,
    (tds) => Object.fromEntries(tds.map((td) => [td.querySelector('.record-label').textContent, td.lastChild.textContent])));
  let used = await usesOf();
  for (const until = Date.now() + 30000; Number(used.Uses) < 1 && Date.now() < until;) {
    await page.reload();
    used = await usesOf();
  }
  check(Number(used.Uses) >= 1 && used['Last used'] !== 'never',
    'after the command ran, reloading the page shows the key\'s last use (as the secret box says)', JSON.stringify(used));

  // Reset the site key with a grace period: the confirmation names the choice by its label
  await page.selectOption('#param-reset-grace', '1h');
  await submit(page, 'form[data-action="reset"] button[type=submit]');
  const confirmParams = (await page.locator('#confirm-params').count()) === 1 ? await page.innerText('#confirm-params') : '';
  check(/Grace period\s+1 hour/.test(confirmParams) && !/\b1h\b/.test(confirmParams),
    'the reset\'s confirmation shows the grace period by its label ("1 hour")', confirmParams);
  check(new URL(page.url()).pathname === PAGE && posts[posts.length - 1].status === 303,
    'the POST asking for the confirmation is answered with 303 too');
  await submit(page, '#confirm-yes');
  const resetKey = (await secretShown()) ? await page.inputValue('#one-time-secret') : 'missing';
  check(resetKey.startsWith('sak_') && resetKey !== siteKey, 'the confirmed reset shows the new key once');
  await secretOnlyOnPage(resetKey, 'Reset');
  await reloadChangesNothing(resetKey, 'Reset');
  const old = await api('/api/v1/ping', siteKey);
  check(old.status === 200, 'the reset was made once: the previous key is in its grace hour, not ended by a second reset',
    `status ${old.status}`);

  // a named key's Reset (a row action), grace "none"
  const row = page.locator('#table-keys form.row-action[data-action="reset-key"]').first();
  await row.locator('summary').click();
  await row.locator('select').selectOption('0');
  await submit(page, '#table-keys form.row-action[data-action="reset-key"] button[type=submit]');
  const rowConfirm = (await page.locator('#confirm-params').count()) === 1 ? await page.innerText('#confirm-params') : '';
  check(/none/.test(rowConfirm) && !/\s0$/.test(rowConfirm.trim()), 'the named key\'s reset confirmation shows "none", not 0', rowConfirm);
  const rowShown = (await page.locator('#confirm-record').count()) === 1 ? await page.innerText('#confirm-record') : '';
  check(/Minecraft server/.test(rowShown) && /sak_/.test(rowShown) && !rowShown.includes(named),
    'the named key\'s reset confirmation shows the key it acts on (its row: label and hint, never the key)', rowShown);
  await submit(page, '#confirm-yes');
  const namedNew = (await secretShown()) ? await page.inputValue('#one-time-secret') : 'missing';
  check(namedNew.startsWith('sak_') && namedNew !== named, 'the named key\'s confirmed reset shows its new key once');
  await secretOnlyOnPage(namedNew, 'a named key\'s Reset');
  await reloadChangesNothing(namedNew, 'a named key\'s Reset');

  // a refused field change: its message next to the field, once
  await page.fill('#input-api_key', 'sak_tooshort');
  await page.check('#confirm-api_key');
  await submit(page, '#field-api_key button[type=submit]');
  check((await page.locator('#field-api_key .error').count()) === 1, 'a refused pasted key shows the message next to the field');
  await page.reload();
  check((await page.locator('#field-api_key .error').count()) === 0, 'after a reload the field\'s message is gone (shown once)');

  // a HEAD of the page between the POST and its GET leaves the outcome for the GET (its answer has no body)
  const csrf = await page.getAttribute('form[data-action="create-key"] input[name="_csrf"]', 'value');
  const head = await page.evaluate(async ({ token, url }) => {
    const body = new URLSearchParams({ _csrf: token, 'param[label]': 'Headless', 'pc[scopes][]': 'store.read' });
    await fetch('/admin/settings/api-key/action/create-key', { method: 'POST', body, redirect: 'manual' });
    return (await fetch(url, { method: 'HEAD' })).status;
  }, { token: csrf, url: PAGE });
  const dir = process.env.SESSION_DIR;
  const waiting = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'latin1')).join('\n');
  await page.goto(base + PAGE);
  check(head === 200 && (await secretShown()) && /Headless/.test(await page.textContent('#result-message')),
    'a HEAD of the page before the GET does not take the outcome: the GET still shows the message and the key once',
    `HEAD ${head}`);
  const headless = (await secretShown()) ? await page.inputValue('#one-time-secret') : 'missing';
  check(headless.startsWith('sak_') && !waiting.includes(headless) && !waiting.includes(headless.slice(4)),
    'while the outcome waited for the GET, the session file did not hold the secret readable (sealed under the browser\'s key)');

  // a browser without the key (here: a wrong one) gets the message but not the secret, and is told so
  const token2 = await page.getAttribute('form[data-action="create-key"] input[name="_csrf"]', 'value');
  await page.evaluate(async (token) => {
    const body = new URLSearchParams({ _csrf: token, 'param[label]': 'Other browser', 'pc[scopes][]': 'store.read' });
    await fetch('/admin/settings/api-key/action/create-key', { method: 'POST', body, redirect: 'manual' });
  }, token2);
  await page.context().addCookies([{ name: 'panel_outcome', value: '0'.repeat(64), domain: new URL(base).hostname,
    path: '/admin', httpOnly: true, sameSite: 'Strict' }]);
  await page.goto(base + PAGE);
  check(!(await secretShown()) && (await page.locator('#secret-lost').count()) === 1
    && /Other browser/.test(await page.textContent('#result-message')),
    'a browser without the sealed secret\'s key sees the message and a note, never the secret');

  const bad = posts.filter((p) => p.status !== 303 || p.location !== PAGE);
  check(posts.length >= 7 && bad.length === 0, `every one of the ${posts.length} POSTs was answered with 303 to the page`,
    JSON.stringify(bad));
});
