// chart.test.js - the time-series chart (ABI 1.3) of the sample host's web panel in headless Chromium, on the
// abi13 fixture's page with the host clock fixed (PANEL_NOW, the server's --now): every bar's height is its number
// times one scale (numbers computed here from the fixture's rule, not read from the page), in the SVG's rect
// attributes and as drawn on screen, per day and per hour, summed over the keys and for key 3 alone (reached by
// the link on key 3's row); the legend's totals; at 1280 and 390 px wide, nothing wider than the window and axis
// labels at least 9 px tall; screenshots build/screenshots/chart-*.png; no Content-Security-Policy violation.
// Environment: PANEL_URL, ADMIN_PASSWORD, PANEL_NOW, SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium).
'use strict';

const path = require('path');
const { base, shots, check, login, run } = require('./harness');

const now = Number(process.env.PANEL_NOW);
const DAY = 86400;
const HOUR = 3600;

// The fixture's rows (tests/fixtures/abi13.c): hours back from the current one, per key.
function fixtureRows() {
  const current = now - (now % HOUR);
  const rows = [];
  for (let o = 0; o < 31 * 24; o++) {
    if (o >= 48 && o % 5 !== 0) continue;
    const start = current - o * HOUR;
    rows.push({ start, key: 'site', Allowed: 1 + (o % 7), Denied: o % 3 });
    const allowed = o % 4;
    const denied = o % 5 === 0 ? 2 : 0;
    if (allowed + denied > 0) rows.push({ start, key: '3', Allowed: allowed, Denied: denied });
  }
  return rows;
}

// { days: Map(bucket -> {Allowed, Denied}), hours: ..., totals } for the rows of `key` (all when null).
function expected(key) {
  const firstDay = now - (now % DAY) - 29 * DAY;
  const firstHour = now - (now % HOUR) - 47 * HOUR;
  const days = new Map();
  const hours = new Map();
  const totals = { Allowed: 0, Denied: 0 };
  const add = (map, bucket, row) => {
    const cur = map.get(bucket) || { Allowed: 0, Denied: 0 };
    cur.Allowed += row.Allowed;
    cur.Denied += row.Denied;
    map.set(bucket, cur);
  };
  for (const row of fixtureRows()) {
    if (row.start < firstDay || (key !== null && row.key !== key)) continue;
    const iso = new Date(row.start * 1000).toISOString();
    add(days, iso.slice(0, 10), row);
    if (row.start >= firstHour) add(hours, `${iso.slice(0, 13)}:00Z`, row);
    totals.Allowed += row.Allowed;
    totals.Denied += row.Denied;
  }
  return { days, hours, totals };
}

// The bars of one drawing: attributes and the drawn (on-screen) height.
async function barsOf(page, svgId) {
  return page.$$eval(`svg#${svgId} rect.bar`, (rects) => rects.map((r) => ({
    series: r.getAttribute('data-series'),
    bucket: r.getAttribute('data-bucket'),
    height: Number(r.getAttribute('height')),
    drawn: r.getBoundingClientRect().height,
  })));
}

// Checks that drawing svgId shows exactly the numbers of `want` (Map bucket -> {Allowed, Denied}), each bar's
// height (attribute and on screen) being its number times one scale.
async function checkBars(page, svgId, want, what) {
  const bars = await barsOf(page, svgId);
  const expectedBars = [];
  for (const [bucket, v] of want) {
    for (const series of ['Allowed', 'Denied']) if (v[series] > 0) expectedBars.push({ bucket, series, value: v[series] });
  }
  check(bars.length === expectedBars.length, `${what}: one bar per non-zero number (${expectedBars.length})`,
    `drawn ${bars.length}`);
  const max = Math.max(...expectedBars.map((b) => b.value));
  const scale = Math.max(...bars.map((b) => b.height)) / max;
  const drawnScale = Math.max(...bars.map((b) => b.drawn)) / max;
  const wrong = [];
  for (const e of expectedBars) {
    const bar = bars.find((b) => b.bucket === e.bucket && b.series === e.series);
    if (!bar) { wrong.push(`${e.bucket} ${e.series}: no bar`); continue; }
    if (Math.abs(bar.height - e.value * scale) > 0.01) wrong.push(`${e.bucket} ${e.series}: height ${bar.height} for ${e.value}`);
    if (Math.abs(bar.drawn - e.value * drawnScale) > 0.5) wrong.push(`${e.bucket} ${e.series}: drawn ${bar.drawn} px for ${e.value}`);
  }
  check(wrong.length === 0 && scale > 0, `${what}: every bar's height is its number times one scale`, wrong.slice(0, 5).join('; '));
}

async function checkLayout(page, width, what) {
  const fit = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    svg: Math.max(...[...document.querySelectorAll('svg.chart')].map((s) => s.getBoundingClientRect().right)),
    label: Math.min(...[...document.querySelectorAll('svg.chart text')].map((t) => t.getBoundingClientRect().height)),
  }));
  check(fit.scroll <= width && fit.svg <= width, `${what}: the charts fit in ${width} px (no sideways scrolling)`,
    JSON.stringify(fit));
  check(fit.label >= 9, `${what}: the axis labels are at least 9 px tall (readable)`, JSON.stringify(fit));
}

run(async (page, cspErrors) => {
  check(Number.isInteger(now) && now > 0, 'PANEL_NOW is the server\'s fixed clock');
  await login(page, 'admin', process.env.ADMIN_PASSWORD);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.goto(base + '/admin/abi13/page');
    const all = expected(null);
    check((await page.locator('#chart-usage h2').innerText()) === 'Requests in the last 30 days',
      `${width} px: the chart is titled with the table's title`);
    await checkBars(page, 'chart-usage-days', all.days, `${width} px, per day, every key`);
    await checkBars(page, 'chart-usage-hours', all.hours, `${width} px, per hour, every key`);
    const legend = await page.$$eval('#chart-usage .chart-legend li', (lis) => lis.map((li) => li.textContent.trim()));
    check(legend[0] === `Allowed: ${all.totals.Allowed} requests` && legend[1] === `Denied: ${all.totals.Denied} requests`,
      `${width} px: the legend names each series with its total`, legend.join(' | '));
    const desc = await page.locator('svg#chart-usage-days desc').textContent();
    check(/Stacked bars of Allowed and Denied requests/.test(desc) &&
      (await page.getAttribute('svg#chart-usage-days', 'role')) === 'img',
    `${width} px: the drawing is an image with a text description`, desc);
    await checkLayout(page, width, `${width} px`);
    await page.locator('#chart-usage').screenshot({ path: path.join(shots, `chart-${width}.png`) });
  }

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(base + '/admin/abi13/page');
  const link = page.locator('#table-keys tbody[data-record="3"] a.chart-link');
  check((await link.count()) === 1, 'key 3\'s row links to its own chart');
  await Promise.all([page.waitForNavigation(), link.click()]);
  check(/\?chart=usage&group=3$/.test(page.url()), 'the link opens ?chart=usage&group=3', page.url());
  const mine = expected('3');
  await checkBars(page, 'chart-usage-days', mine.days, 'key 3 alone, per day');
  await checkBars(page, 'chart-usage-hours', mine.hours, 'key 3 alone, per hour');
  const legend = await page.$$eval('.chart-legend li', (lis) => lis.map((li) => li.textContent.trim()));
  check(legend[0] === `Allowed: ${mine.totals.Allowed} requests`, 'key 3\'s legend has key 3\'s total', legend.join(' | '));
  await page.screenshot({ path: path.join(shots, 'chart-group.png'), fullPage: true });
  check(cspErrors.length === 0, 'no Content-Security-Policy violations', cspErrors.join('; '));
});
