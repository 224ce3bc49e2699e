// harness.js - what every browser test shares: PASS/FAIL reporting, API calls with a key, logging in, and a
// headless Debian Chromium (/usr/bin/chromium through playwright-core; never a browser download) with a fresh
// profile and the flags this machine needs.
// Environment: PANEL_URL (e.g. http://127.0.0.1:PORT/), SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const base = (process.env.PANEL_URL || '').replace(/\/$/, '');
const shots = process.env.SCREENSHOT_DIR || 'build/screenshots';
let failures = 0;

// Prints "PASS: what" or "FAIL: what" (with the detail); returns ok.
function check(ok, what, detail) {
  if (ok) {
    console.log(`PASS: ${what}`);
  } else {
    failures++;
    console.log(`FAIL: ${what}${detail ? `\n  ${detail}` : ''}`);
  }
  return ok;
}

// GET route with the key in X-API-Key (none when key is empty): { status, body }.
async function api(route, key) {
  const headers = key ? { 'X-API-Key': key } : {};
  const res = await fetch(base + route, { headers });
  return { status: res.status, body: await res.text() };
}

async function login(page, user, password) {
  await page.goto(base + '/admin');
  await page.fill('#user', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(/\/admin$/), page.click('#login-form button[type=submit]')]);
}

// Clicks selector and waits for the page it leads to.
async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

// Runs test(page, cspErrors) in a fresh headless Chromium, then exits 0 when every check passed, else 1.
function run(test) {
  const main = async () => {
    const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
    if (!fs.existsSync(executablePath)) {
      check(false, `Chromium is installed at ${executablePath}`, 'install it: apt-get install -y chromium');
      return;
    }
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'panel-chromium-'));
    fs.mkdirSync(shots, { recursive: true });
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = context.pages()[0] || (await context.newPage());
      page.setDefaultTimeout(15000);
      const cspErrors = [];
      page.on('console', (msg) => { if (/Content Security Policy/i.test(msg.text())) cspErrors.push(msg.text()); });
      await test(page, cspErrors);
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  };
  main().then(() => process.exit(failures > 0 ? 1 : 0), (err) => {
    console.log(`FAIL: the browser test ran to the end\n  ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  });
}

module.exports = { base, shots, check, api, login, submit, run };
