// php_panel_layout.test.js - the example PHP panel looks like a panel (issues 24 §3, 25 §2 and §5), in headless
// Chromium against nginx + php-fpm: its style sheet is served as text/css and applied (computed styles: the
// layout's grid, the header's colour, the buttons' borders), the viewport meta tag, /favicon.ico; on the API Key
// page (the one-time secret shown, two named keys, one with a long label) at 1280 and 390 px: the page never
// scrolls sideways (the document's width is measured), the menu is beside the content at 1280 and above it at
// 390, every table fits its box (no column hidden to the right), each record's actions sit below its row at the
// table's full width, each row is a card at 390 px, a scope
// list wraps inside its cell, every row action's button of every row is inside the viewport once scrolled to
// vertically, an opened Edit form fits; the secret box leaves room below the baseline (the _ of sak_ is not
// clipped); the paste-key box's checkbox has its "I understand" label; under mobile emulation the page is laid
// out at the phone's width at scale 1 (the viewport meta tag at work). Screenshots (secrets masked):
// $SCREENSHOT_DIR/php-{api-key,api-key-edit,overview,login,confirm}-{1280,390}.png, the keys table with Edit open
// php-keys-edit-{1280,390}.png.
// Environment: PANEL_URL, ADMIN_PASSWORD, SCREENSHOT_DIR, CHROMIUM.
'use strict';

const fs = require('fs');
const path = require('path');
const { base, shots, check, login, submit, run } = require('./harness');

const WIDTHS = [1280, 390];
const viewport = (width) => ({ width, height: width < 700 ? 844 : 900 });
const masks = (page) => [page.locator('#one-time-secret'), page.locator('#secret-command')];

async function shot(page, name, width) {
  const file = path.join(shots, `php-${name}-${width}.png`);
  await page.screenshot({ path: file, fullPage: true, mask: masks(page) });
  check(fs.existsSync(file), `a screenshot of ${name} at ${width} px is saved (${path.basename(file)})`);
}

// The document's width against the viewport's, and the menu's and the content's boxes.
async function geometry(page) {
  return page.evaluate(() => {
    const box = (sel) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width };
    };
    return { viewport: window.innerWidth,
      docWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
      nav: box('nav'), main: box('main') };
  });
}

function noSidewaysScroll(g, what) {
  check(g.docWidth <= g.viewport, `${what}: the page does not scroll sideways (document ${g.docWidth} px, viewport ${g.viewport} px)`);
}

// Where control c is once scrolled to vertically, and whether that is inside the viewport.
async function placed(c) {
  await c.evaluate((el) => el.scrollIntoView({ block: 'center', inline: 'nearest' }));
  const r = await c.evaluate((el) => {
    const b = el.getBoundingClientRect();
    return { left: b.left, right: b.right, top: b.top, bottom: b.bottom, text: el.textContent.trim(),
      scrollX: window.scrollX, w: window.innerWidth, h: window.innerHeight };
  });
  r.inside = r.left >= 0 && r.right <= r.w && r.top >= 0 && r.bottom <= r.h && r.scrollX === 0 && r.right > r.left;
  return r;
}

// Every row action of every record: its button, or its summary and, opened, the button that runs it.
async function actionsReachable(page, width) {
  const forms = page.locator('tr.record-actions form.row-action');
  const n = await forms.count();
  const outside = [];
  let controls = 0;
  for (let i = 0; i < n; i++) {
    const form = forms.nth(i);
    const folded = (await form.locator('details').count()) === 1;
    const first = await placed(form.locator(folded ? 'summary' : 'button[type=submit]'));
    controls++;
    if (!first.inside) outside.push(first);
    if (folded) {
      await form.locator('summary').click();
      const run = await placed(form.locator('details button[type=submit]'));
      controls++;
      if (!run.inside) outside.push(run);
      await form.locator('summary').click();
    }
  }
  check(n >= 6 && outside.length === 0,
    `at ${width} px every row action of every record (${n} actions, ${controls} buttons, folded ones opened) is inside the viewport when scrolled to vertically`,
    JSON.stringify(outside));
}

run(async (page, cspErrors) => {
  const styles = [];
  page.on('response', (res) => { if (/\/panel\.css$/.test(res.url())) styles.push(res.headers()['content-type'] || ''); });
  await page.setViewportSize(viewport(1280));
  await page.goto(base + '/login');
  check(styles.length > 0 && styles.every((t) => /^text\/css/.test(t)), 'panel.css is served as text/css', styles.join(', '));
  const meta = page.locator('meta[name="viewport"]');
  check((await meta.count()) === 1 && (await meta.getAttribute('content')) === 'width=device-width, initial-scale=1',
    'the page has the viewport meta tag (width=device-width, initial-scale=1)');
  const icon = await page.evaluate(async () => {
    const res = await fetch('/favicon.ico');
    return { status: res.status, type: res.headers.get('content-type'), size: (await res.arrayBuffer()).byteLength };
  });
  check(icon.status === 200 && /icon/.test(icon.type || '') && icon.size > 0, '/favicon.ico is served as an icon', JSON.stringify(icon));
  for (const width of WIDTHS) {
    await page.setViewportSize(viewport(width));
    noSidewaysScroll(await geometry(page), `the login page at ${width} px`);
    await shot(page, 'login', width);
  }

  await page.setViewportSize(viewport(1280));
  await login(page, 'admin', process.env.ADMIN_PASSWORD);
  const css = await page.evaluate(() => {
    const s = (sel) => { const el = document.querySelector(sel); return el ? getComputedStyle(el) : null; };
    const layout = s('.layout'); const header = s('header'); const button = s('header button');
    return { display: layout && layout.display, columns: layout && layout.gridTemplateColumns,
      headerBg: header && header.backgroundColor, border: button && `${button.borderTopStyle} ${button.borderTopWidth}`,
      radius: button && button.borderTopLeftRadius, font: getComputedStyle(document.body).fontFamily };
  });
  check(css.display === 'grid' && css.columns.split(' ').length === 2,
    'the style sheet is applied: the layout is a grid of two columns (menu, content) at 1280 px', JSON.stringify(css));
  check(css.headerBg === 'rgb(35, 48, 63)' && /system-ui/.test(css.font),
    "the style sheet is applied: the header bar's colour and the page's font", JSON.stringify(css));
  check(css.border === 'solid 1px' && css.radius === '4px', "the style sheet is applied: buttons have the panel's border",
    JSON.stringify(css));
  const overview = await page.locator('#overview a').allInnerTexts();
  check(overview.includes('Settings > API Key') && (await page.locator('nav a[aria-current="page"]').innerText()) === 'Overview',
    'the overview lists every page the user may open (Settings > API Key) and the menu marks Overview as current',
    JSON.stringify(overview));
  for (const width of WIDTHS) {
    await page.setViewportSize(viewport(width));
    noSidewaysScroll(await geometry(page), `the overview at ${width} px`);
    await shot(page, 'overview', width);
  }

  // two named keys (one with a long label and every scope), then the site key's secret on the page
  await page.setViewportSize(viewport(1280));
  await page.goto(base + '/admin/settings/api-key');
  for (const [label, scopes] of [['Minecraft survival server, EU west', ['store.read', 'deliveries.pull', 'deliveries.ack']],
    ['Discord bot', ['store.read']]]) {
    await page.fill('#param-create-key-label', label);
    for (const scope of scopes) await page.check(`#param-create-key-scopes input[value="${scope}"]`);
    await page.fill('#param-create-key-allowed_ips', '203.0.113.0/24, 2001:db8:1234:5678::/64');
    await submit(page, 'form[data-action="create-key"] button[type=submit]');
  }
  check((await page.locator('#table-keys tr.record').count()) === 2, 'the keys table has the two named keys');
  await submit(page, 'form[data-action="enable"] button[type=submit]');
  check((await page.locator('#one-time-secret').count()) === 1, 'enabling shows the one-time secret');

  const secret = await page.evaluate(() => {
    const el = document.getElementById('one-time-secret');
    const s = getComputedStyle(el);
    const content = el.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
    return { font: s.fontFamily, fontSize: parseFloat(s.fontSize), lineHeight: parseFloat(s.lineHeight), content };
  });
  check(/monospace/.test(secret.font) && secret.lineHeight >= 1.4 * secret.fontSize && secret.content >= secret.lineHeight - 0.5,
    'the secret box is monospace with room below the baseline (line height >= 1.4 em, not cut): the _ of sak_ shows',
    JSON.stringify(secret));
  const understand = page.locator('label:has(#confirm-api_key)');
  check((await understand.count()) === 1 && /I understand/.test(await understand.innerText()),
    'the paste-key box\'s checkbox has its "I understand" label');

  for (const width of WIDTHS) {
    await page.setViewportSize(viewport(width));
    const g = await geometry(page);
    noSidewaysScroll(g, `the API Key page at ${width} px`);
    if (width < 700) {
      check(g.nav.bottom <= g.main.top + 1, `at ${width} px the menu is above the content`, JSON.stringify(g));
    } else {
      check(g.nav.right <= g.main.left + 1 && g.nav.top < g.main.bottom, `at ${width} px the menu is beside the content`, JSON.stringify(g));
    }
    const t = await page.evaluate(() => {
      const table = document.querySelector('#table-keys table');
      const row = table.querySelector('tr.record');
      const actions = table.querySelector('tr.record-actions');
      const tableBox = table.getBoundingClientRect();
      const scopes = Array.from(row.children).find((td) => /deliveries/.test(td.textContent));
      const label = row.querySelector('.record-label');
      return { rowDisplay: getComputedStyle(row).display, tableWidth: tableBox.width,
        actionsBelow: actions.getBoundingClientRect().top >= row.getBoundingClientRect().bottom - 1,
        actionsWidth: actions.getBoundingClientRect().width, labelShown: getComputedStyle(label).display !== 'none',
        headShown: getComputedStyle(table.querySelector('thead')).position !== 'absolute',
        scopesFit: scopes.scrollWidth <= scopes.clientWidth + 1, scopesLines: scopes.getClientRects().length,
        scopesHeight: scopes.getBoundingClientRect().height, lineHeight: parseFloat(getComputedStyle(scopes).lineHeight) };
    });
    check(t.actionsBelow && t.actionsWidth >= t.tableWidth - 2,
      `at ${width} px a record's actions are below its row, as wide as the table`, JSON.stringify(t));
    check(t.scopesFit && t.scopesHeight > t.lineHeight * 1.5, `at ${width} px a long scope list wraps inside its cell`, JSON.stringify(t));
    if (width < 700) {
      check(t.rowDisplay === 'block' && t.labelShown && !t.headShown,
        `at ${width} px each record is a card (cells one under another, each with its column's name)`, JSON.stringify(t));
    } else {
      check(t.rowDisplay === 'table-row' && !t.labelShown && t.headShown, `at ${width} px the records are a table with its header`,
        JSON.stringify(t));
    }
    const boxes = await page.evaluate(() => Array.from(document.querySelectorAll('.table-scroll'))
      .map((el) => ({ id: el.closest('section').id, scroll: el.scrollWidth, client: el.clientWidth })));
    check(boxes.length >= 2 && boxes.every((b) => b.scroll <= b.client + 1),
      `at ${width} px every table fits its box: no column is hidden to the right`, JSON.stringify(boxes));
    await actionsReachable(page, width);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'api-key', width);
  }

  // the first key's Edit opened: its form spans the table, every input and its button fit, at each width
  for (const width of WIDTHS) {
    await page.setViewportSize(viewport(width));
    const edit = page.locator('#table-keys form.row-action[data-action="edit"]').first();
    if (!(await edit.locator('details').evaluate((d) => d.open))) await edit.locator('summary').click();
    const e = await edit.evaluate((form) => {
      const table = form.closest('table').getBoundingClientRect();
      const boxes = Array.from(form.querySelectorAll('input:not([type=hidden]), select, button'))
        .map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0);
      return { formWidth: form.getBoundingClientRect().width, tableWidth: table.width, n: boxes.length,
        maxRight: Math.max(...boxes.map((r) => r.right)), minLeft: Math.min(...boxes.map((r) => r.left)), vw: window.innerWidth };
    });
    check(e.n >= 5 && e.formWidth >= e.tableWidth * 0.9 && e.maxRight <= e.vw && e.minLeft >= 0,
      `at ${width} px the opened Edit form spans the table and every input and its button fit in the viewport`, JSON.stringify(e));
    noSidewaysScroll(await geometry(page), `the API Key page with Edit open at ${width} px`);
    await edit.scrollIntoViewIfNeeded();
    await shot(page, 'api-key-edit', width);
    await page.locator('#table-keys').screenshot({ path: path.join(shots, `php-keys-edit-${width}.png`) });
  }
  // on a phone (Chromium's mobile emulation, where a page without the viewport meta tag is laid out 980 px wide
  // and shown zoomed out): the page is laid out at the phone's width, at scale 1, and does not scroll sideways
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setDeviceMetricsOverride', { width: 390, height: 844, deviceScaleFactor: 3, mobile: true });
  await page.reload();
  const phone = await page.evaluate(() => ({ inner: window.innerWidth, scale: window.visualViewport.scale,
    doc: document.documentElement.scrollWidth }));
  check(phone.inner === 390 && phone.scale === 1 && phone.doc <= 390,
    'on a phone (mobile emulation, 390 px) the page is laid out at 390 px at scale 1, not zoomed out', JSON.stringify(phone));
  await cdp.send('Emulation.clearDeviceMetricsOverride');
  await cdp.detach();

  // the confirmation step of a row's Revoke, at each width
  await page.setViewportSize(viewport(1280));
  await page.goto(base + '/admin/settings/api-key');
  await submit(page, '#table-keys form.row-action[data-action="revoke"] button[type=submit]');
  check((await page.locator('#confirm-step').count()) === 1, 'a row\'s Revoke opens its confirmation step');
  for (const width of WIDTHS) {
    await page.setViewportSize(viewport(width));
    noSidewaysScroll(await geometry(page), `the confirmation step at ${width} px`);
    const yes = await page.locator('#confirm-yes').boundingBox();
    check(yes && yes.x >= 0 && yes.x + yes.width <= width, `at ${width} px the confirmation's button fits the viewport`, JSON.stringify(yes));
    await shot(page, 'confirm', width);
  }
  check(cspErrors.length === 0, 'no Content-Security-Policy violations', cspErrors.join('; '));
});
