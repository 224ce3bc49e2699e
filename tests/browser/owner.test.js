// owner.test.js - the API Key page as a store owner meets it (issue 25), in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core; no browser download). Every form post is answered 303 and a reload
// after Enable, Create key and Reset repeats nothing and shows no secret again; Create key says "Key N created" and
// offers a ready curl command beside the secret; Edit opens with the key's label, scopes, allowed IPs and rate
// limit, so ticking one more scope keeps the others; the confirmations of Reset and Revoke name the key and say
// what stops working, with the grace choice's words; scope checkboxes carry the catalogue's descriptions; the
// Overview lists every page (Extensions too); /favicon.ico is served. At 1280 and 390 px every action of every
// key row is inside the viewport's width and the page never scrolls sideways. Screenshots go to
// $SCREENSHOT_DIR/owner-*.png (secrets masked). With OWNER_SHOTS_ONLY=1 it only takes the layout screenshots, named
// owner-before-*.png (to photograph an older build). Prints PASS/FAIL lines; exits 1 on a failure.
// Environment: PANEL_URL, ADMIN_PASSWORD, SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium).
'use strict';

const path = require('path');
const { base, shots, check, api, login, submit, run } = require('./harness');

const PAGE = '/admin/settings/api-key';
const shotsOnly = process.env.OWNER_SHOTS_ONLY === '1';
const prefix = shotsOnly ? 'owner-before-' : 'owner-';
const hint = (key) => `${key.slice(0, 4)}…${key.slice(-4)}`;
const notice = async (page) => ((await page.locator('#notice').count()) === 1 ? page.textContent('#notice') : '');
const secretOf = async (page) => ((await page.locator('#one-time-secret').count()) === 1
  ? page.inputValue('#one-time-secret') : '');
const masks = (page) => [page.locator('#one-time-secret'), page.locator('#try-secret-command')];
const shot = (page, name) => page.screenshot({ path: path.join(shots, `${prefix}${name}.png`), fullPage: true,
  mask: masks(page) });
const rowCells = (page, id) => page.locator(`#table-keys tbody.record[data-record="${id}"] tr.record-cells`);
const rowForm = (id, action) => `form.row-action[data-action="${action}"][data-record="${id}"]`;

async function createKey(page, label, scopes) {
  await page.goto(base + PAGE);
  await page.fill('#param-create-key-label', label);
  for (const s of scopes) await page.check(`#param-create-key-scopes input[value="${s}"]`);
  await submit(page, 'form[data-action="create-key"] button[type=submit]');
}

// The reload of the page a post led to: a GET (never the post again), answered 200.
async function reloadIsGet(page, what) {
  const res = await page.reload();
  check(res && res.request().method() === 'GET' && res.status() === 200 && new URL(page.url()).pathname === PAGE,
    `${what}: the browser is on the page by GET, so a reload repeats nothing`,
    res ? `${res.request().method()} ${res.status()} ${page.url()}` : 'no response');
}

// Where every row action's button (or its fold's summary) sits against the viewport, and the document's width.
async function actionGeometry(page) {
  return page.evaluate(() => {
    const items = Array.from(document.querySelectorAll('#table-keys form.row-action'))
      .map((f) => f.querySelector('details > summary') || f.querySelector('button'))
      .map((el) => { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right, w: r.width, text: el.textContent }; });
    return { viewport: window.innerWidth, docWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
      items, rows: document.querySelectorAll('#table-keys tbody.record').length };
  });
}

async function layout(page) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width < 700 ? 844 : 900 });
    await page.goto(base + PAGE);
    const g = await actionGeometry(page);
    const outside = g.items.filter((i) => !(i.w > 0 && i.left >= 0 && i.right <= g.viewport)).length;
    console.log(`INFO: at ${width} px: document ${g.docWidth} px wide, ${outside} of ${g.items.length} row actions outside the viewport`);
    if (!shotsOnly) {
      check(g.docWidth <= g.viewport, `at ${width} px the page does not scroll sideways`,
        `document ${g.docWidth} px in a ${g.viewport} px viewport`);
      check(g.rows >= 3 && g.items.length === g.rows * 3 && g.items.every((i) => i.w > 0 && i.left >= 0 && i.right <= g.viewport),
        `at ${width} px every action of every key row (${g.items.length}) is inside the viewport's width`,
        JSON.stringify(g.items.filter((i) => !(i.left >= 0 && i.right <= g.viewport))));
    }
    await shot(page, `keys-${width}`);
    const edit = page.locator('#table-keys form.row-action[data-action="edit"] summary').first();
    if ((await edit.count()) === 1) {
      await edit.click();
      if (!shotsOnly) {
        const boxes = await page.evaluate(() => Array.from(document.querySelectorAll(
          '#table-keys form.row-action[data-action="edit"] details[open] input[type=text], ' +
          '#table-keys form.row-action[data-action="edit"] details[open] button[type=submit]'))
          .map((el) => { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right, w: r.width }; }));
        check(boxes.length === 4 && boxes.every((b) => b.left >= 0 && b.right <= width && b.w >= 60),
          `at ${width} px an open Edit form fits the viewport with usable inputs`, JSON.stringify(boxes));
        const docWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        check(docWidth <= width, `at ${width} px the open Edit form does not make the page scroll sideways`, String(docWidth));
      }
      await shot(page, `keys-edit-open-${width}`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

run(async (page, cspErrors) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page, 'admin', process.env.ADMIN_PASSWORD);
  if (shotsOnly) {
    await page.goto(base + PAGE);
    await shot(page, 'page-disabled-1280');
    await submit(page, 'form[data-action="enable"] button[type=submit]');
    await createKey(page, 'Minecraft server', ['store.read', 'deliveries.pull']);
    await shot(page, 'key-created-1280');
    await createKey(page, 'Discord bot for the EU community server', ['store.read']);
    await createKey(page, 'Stock sync', ['store.read', 'deliveries.pull', 'deliveries.ack']);
    await layout(page);
    return;
  }

  // ----- the Overview and the tab icon
  const pages = await page.textContent('#pages');
  check(/Settings > API Key/.test(pages) && /System > Extensions/.test(pages),
    'the Overview lists every page the owner may open, Extensions too', pages);
  const icon = await fetch(base + '/favicon.ico');
  check(icon.status === 200 && /^image\//.test(icon.headers.get('content-type') || ''), '/favicon.ico is served as an image',
    `${icon.status} ${icon.headers.get('content-type')}`);

  // ----- Enable: 303 to the page, the key once; a reload changes nothing and shows no secret
  await page.goto(base + PAGE);
  await shot(page, 'page-disabled-1280');
  const [enableRes] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.click('form[data-action="enable"] button[type=submit]')]);
  await page.waitForLoadState();
  check(enableRes.status() === 303 && enableRes.headers().location === PAGE, 'Enable is answered 303 to the page',
    `${enableRes.status()} ${enableRes.headers().location}`);
  const siteKey = await secretOf(page);
  check(/^sak_/.test(siteKey), 'after the redirect the page shows the new site key once', siteKey ? hint(siteKey) : 'none');
  await reloadIsGet(page, 'Enable');
  check((await secretOf(page)) === '' && !(await page.content()).includes(siteKey.slice(4)) && (await notice(page)) === '',
    'a reload after Enable shows neither the key nor the message again');
  check((await api('/api/v1/store', siteKey)).status === 200, 'the key Enable showed still works after the reload');

  // ----- Create key: "Key N created", the key once with a ready command; a reload creates nothing
  const scopeLabel = await page.textContent('#param-create-key-scopes');
  check(/store\.read: \S/.test(scopeLabel) && /deliveries\.ack: \S/.test(scopeLabel),
    'each scope checkbox shows the catalogue\'s description beside its id', scopeLabel);
  await createKey(page, 'Minecraft server', ['store.read', 'deliveries.pull']);
  const created = await notice(page);
  const id = (/^Key (\d+) created: "Minecraft server"/.exec(created) || [])[1] || '';
  check(id !== '', 'Create key says "Key N created" with the label', created);
  check(!/Record:/.test(await page.textContent('main')), 'the page does not add "Record: N"');
  const key = await secretOf(page);
  check(/^sak_[0-9A-Za-z]{49}$/.test(key), 'the new key is shown once', key ? hint(key) : 'none');
  const command = (await page.locator('#try-secret-command').count()) === 1 ? await page.inputValue('#try-secret-command') : '';
  check(command === `curl -H 'X-API-Key: ${key}' ${base}/api/v1/whoami`,
    'the secret box offers a ready curl command for /api/v1/whoami with the key and this store\'s URL',
    command.replace(key, hint(key)));
  check(await page.isVisible('button[data-copy-target="try-secret-command"]'), 'the command has a Copy button');
  await shot(page, 'key-created-1280');
  const rowsBefore = await page.locator('#table-keys tbody.record').count();
  await reloadIsGet(page, 'Create key');
  check((await page.locator('#table-keys tbody.record').count()) === rowsBefore && (await secretOf(page)) === '' &&
    !(await page.content()).includes(key.slice(4)),
  'a reload after Create key makes no second key and shows the key nowhere', `${rowsBefore} rows before`);
  const who = await api('/api/v1/whoami', key);
  check(who.status === 200 && who.body.includes(`apikeys:key:${id}`), 'the command\'s request works with the key', who.body);
  await page.goto(base + PAGE);
  const used = await page.$$eval(`#table-keys tbody.record[data-record="${id}"] td`,
    (tds) => Object.fromEntries(tds.map((td) => [td.getAttribute('data-label'), td.textContent])));
  check(used['Last used'] !== 'never' && Number(used.Uses) >= 1,
    'after the command ran, reloading the page shows the key\'s last use', JSON.stringify(used));

  // ----- a refused Create key (no scope): 303 too, the refusal shown once, nothing created
  await page.goto(base + PAGE);
  await page.fill('#param-create-key-label', 'No scope');
  await submit(page, 'form[data-action="create-key"] button[type=submit]');
  const refused = await notice(page);
  check(/choose at least one scope/.test(refused) && new URL(page.url()).hash === '#action-create-key',
    'a refused Create key lands on the page at the form, naming the problem', `${refused} ${page.url()}`);
  await reloadIsGet(page, 'a refused Create key');
  check((await notice(page)) === '' && (await page.locator('#table-keys tbody.record').count()) === rowsBefore,
    'a reload after a refusal shows it no more and creates nothing');

  // ----- Edit opens with the key's settings; ticking one more scope keeps the others
  await page.click(`${rowForm(id, 'edit')} summary`);
  const ticked = await page.$$eval(`${rowForm(id, 'edit')} input[name="pc.scopes"]:checked`, (els) => els.map((e) => e.value));
  check(await page.inputValue(`#param-edit-${id}-label`) === 'Minecraft server' &&
    ticked.join(',') === 'store.read,deliveries.pull' &&
    await page.inputValue(`#param-edit-${id}-allowed_ips`) === 'any' &&
    await page.inputValue(`#param-edit-${id}-rate_limit`) === 'none',
  'Edit opens with the key\'s label, ticked scopes, allowed IPs and rate limit', ticked.join(','));
  await shot(page, 'edit-open-1280');
  await page.check(`${rowForm(id, 'edit')} input[name="pc.scopes"][value="deliveries.ack"]`);
  await submit(page, `${rowForm(id, 'edit')} button[type=submit]`);
  const row = await rowCells(page, id).innerText();
  check(/store\.read,\s*deliveries\.pull,\s*deliveries\.ack/.test(row) && row.includes('Minecraft server'),
    'after adding one scope in the browser every earlier scope is still there', row);
  check((await api('/api/v1/store', key)).status === 200, 'the key still reads the store after the edit');

  // ----- Reset: the confirmation names the key and the grace choice in words; a reload resets nothing
  await page.click(`${rowForm(id, 'reset-key')} summary`);
  await submit(page, `${rowForm(id, 'reset-key')} button[type=submit]`);
  const confirmText = (await page.locator('#confirm-step').count()) === 1 ? await page.textContent('#confirm-step') : '';
  check(/Label\s*Minecraft server/.test(confirmText) && confirmText.includes(hint(key)) &&
    /current value stops working/.test(confirmText) && /401/.test(confirmText),
  'the Reset confirmation shows the key (label and hint) and says what stops working', confirmText);
  const shown = await page.textContent('#confirm-step dl:not(#confirm-record)');
  check(/none: the old key stops at once/.test(shown) && !/\b0\b/.test(shown),
    'the Reset confirmation shows the grace choice\'s label, not its value', shown);
  await shot(page, 'confirm-reset-1280');
  await submit(page, '#confirm-yes');
  const newKey = await secretOf(page);
  check(/^sak_/.test(newKey) && newKey !== key, 'the confirmed Reset shows the new key once');
  await reloadIsGet(page, 'Reset');
  check((await secretOf(page)) === '' && !(await page.content()).includes(newKey.slice(4)),
    'a reload after Reset shows the new key nowhere');
  check((await api('/api/v1/store', newKey)).status === 200 && (await api('/api/v1/store', key)).status === 401,
    'the reload did not reset again: the new key works, the old one gets 401');

  // ----- Revoke: the confirmation names the key and what stops working
  await submit(page, `${rowForm(id, 'revoke')} button`);
  const revokeText = await page.textContent('#confirm-step');
  check(/Label\s*Minecraft server/.test(revokeText) && revokeText.includes(hint(newKey)) && /401/.test(revokeText) &&
    !/grace period|the new key/.test(revokeText), 'the Revoke confirmation shows the key and says what stops working',
  revokeText);
  await shot(page, 'confirm-revoke-1280');
  await reloadIsGet(page, 'the Revoke confirmation step');
  check((await page.locator('#confirm-step').count()) === 0 && (await api('/api/v1/store', newKey)).status === 200,
    'reloading the confirmation step shows the page and revokes nothing');

  // ----- the Keys table at both widths, with more keys
  await createKey(page, 'Discord bot for the EU community server', ['store.read']);
  await createKey(page, 'Stock sync', ['store.read', 'deliveries.pull', 'deliveries.ack']);
  await layout(page);
  check(cspErrors.length === 0, 'no Content-Security-Policy violations', cspErrors.join('; '));
});
