// layout.test.js - the web panel on a phone and on a desktop (issue 12), in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core; no browser download): the API Key page with its one-time secret and
// a named key's row in the Keys table (its Edit parameters open)
// and the Extensions page (with a long load error) at 390 px and at 1280 px wide. At each width: the document
// does not scroll sideways, the one-time secret's Copy button is visible inside the viewport, tables scroll in
// their own box; at 390 px the menu sits above the content, at 1280 px beside it. Screenshots of both pages at
// both widths (secret masked) go to $SCREENSHOT_DIR. Prints "PASS: ..." / "FAIL: ..." lines; exits 1 on a failure.
// Environment: PANEL_URL, ADMIN_PASSWORD, SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium).
'use strict';

const fs = require('fs');
const path = require('path');
const { base, shots, check, login, submit, run } = require('./harness');

const WIDTHS = [390, 1280];

// How wide the document is against the viewport, and where the menu and the content are.
async function geometry(page) {
  return page.evaluate(() => {
    const box = (sel) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width };
    };
    const scrollers = Array.from(document.querySelectorAll('.table-scroll')).map((el) => ({
      overflowX: getComputedStyle(el).overflowX, right: el.getBoundingClientRect().right }));
    return {
      viewport: window.innerWidth,
      docWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
      nav: box('nav'), main: box('main'), copy: box('button[data-copy-target="one-time-secret"]'),
      secret: box('#one-time-secret'), scrollers,
    };
  });
}

function checkLayout(g, width, what) {
  check(g.docWidth <= g.viewport, `${what} at ${width} px: the document does not scroll sideways`,
    `document ${g.docWidth} px wide in a ${g.viewport} px viewport`);
  if (g.nav && g.main) {
    if (width < 700) {
      check(g.nav.bottom <= g.main.top + 1, `${what} at ${width} px: the menu is above the content`,
        JSON.stringify({ nav: g.nav, main: g.main }));
    } else {
      check(g.nav.right <= g.main.left + 1 && g.nav.top < g.main.bottom,
        `${what} at ${width} px: the menu is beside the content`, JSON.stringify({ nav: g.nav, main: g.main }));
    }
  }
  check(g.scrollers.every((s) => s.overflowX === 'auto' && s.right <= g.viewport + 0.5),
    `${what} at ${width} px: every table scrolls inside its own box`, JSON.stringify(g.scrollers));
}

run(async (page, cspErrors) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page, 'admin', process.env.ADMIN_PASSWORD);
  await page.goto(base + '/admin/settings/api-key');
  await submit(page, 'form[data-action="enable"] button[type=submit]');
  check((await page.locator('#one-time-secret').count()) === 1, 'enabling shows the one-time secret');
  // a named key with a long label, so the Keys table has a row with its row actions (Edit open at each width)
  await page.fill('#param-create-key-label', 'Minecraft survival server, EU west node');
  await page.check('#param-create-key-scopes input[value="store.read"]');
  await page.check('#param-create-key-scopes input[value="deliveries.pull"]');
  await page.fill('#param-create-key-allowed_ips', '203.0.113.0/24, 2001:db8:1234:5678::/64');
  await submit(page, 'form[data-action="create-key"] button[type=submit]');
  check((await page.locator('#one-time-secret').count()) === 1, 'creating a named key shows its one-time secret');
  await page.click('form.row-action[data-action="edit"] summary');

  // the same page with its secret at each width (the box is shown once, so the viewport changes under it)
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width < 700 ? 844 : 900 });
    const g = await geometry(page);
    checkLayout(g, width, 'the API Key page');
    const copyVisible = await page.isVisible('button[data-copy-target="one-time-secret"]');
    check(copyVisible && g.copy && g.copy.left >= 0 && g.copy.right <= g.viewport,
      `the API Key page at ${width} px: the one-time secret's Copy button is visible inside the viewport`,
      JSON.stringify(g.copy));
    check(g.secret && g.secret.right <= g.viewport && g.secret.width >= 120,
      `the API Key page at ${width} px: the secret box fits and stays readable`, JSON.stringify(g.secret));
    const file = path.join(shots, `layout-api-key-${width}.png`);
    await page.screenshot({ path: file, fullPage: true, mask: [page.locator('#one-time-secret')] });
    check(fs.existsSync(file), `a screenshot of the API Key page at ${width} px is saved (secret masked)`);
  }

  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width < 700 ? 844 : 900 });
    await page.goto(base + '/admin/system/extensions');
    const g = await geometry(page);
    checkLayout(g, width, 'the Extensions page');
    const buttons = await page.evaluate(() => Array.from(document.querySelectorAll('main button'))
      .map((b) => b.getBoundingClientRect()).filter((r) => r.width > 0).map((r) => r.right));
    check(buttons.length > 0 && buttons.every((right) => right <= (width + 0.5)),
      `the Extensions page at ${width} px: every button fits in the viewport`, JSON.stringify(buttons));
    const file = path.join(shots, `layout-extensions-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    check(fs.existsSync(file), `a screenshot of the Extensions page at ${width} px is saved`);
  }
  check(cspErrors.length === 0, 'no Content-Security-Policy violations', cspErrors.join('; '));
});
