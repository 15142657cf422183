// Checks the shop's ground truth by hand, without trackscan: visits every
// page in a fresh browser context per consent phase (the choice clicked on
// the home page first), stays DWELL_MS on each, and prints per phase the
// cookies the browser stored, the localStorage and sessionStorage keys of the
// shop's origin and the requests made, counted by host and path.
//
//   go run ./bench/realbench -serve &   # prints RULES (host-resolver-rules)
//   NODE_PATH=bench/blacklight/node_modules node bench/realsite/verify.js RULES [DWELL_MS]
//
// puppeteer comes with bench/blacklight/install.sh. The browser presents
// itself as an ordinary Chrome, as trackscan does: vanilla-cookieconsent
// hides its banner from navigator.webdriver, and posthog-js sends nothing
// from a HeadlessChrome user agent.
'use strict';
const puppeteer = require('puppeteer-core');

const [rules, dwellArg] = process.argv.slice(2);
if (!rules) {
  console.error('usage: node verify.js RESOLVE_RULES [DWELL_MS]');
  process.exit(2);
}
const dwell = Number(dwellArg || 6000);
const base = 'https://www.realshop.example';
const pages = ['/', '/category/coffee', '/product/espresso-beans', '/product/pour-over-kettle', '/product/burr-grinder', '/cart', '/privacy'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function phase(browser, name) {
  const ctx = await browser.createBrowserContext();
  const requests = {};
  const cookies = new Set();
  const local = new Set();
  const session = new Set();
  for (const [i, path] of pages.entries()) {
    const page = await ctx.newPage();
    await page.setUserAgent((await browser.userAgent()).replace('HeadlessChrome', 'Chrome'));
    page.on('request', (req) => {
      const u = new URL(req.url());
      const k = u.hostname + u.pathname;
      requests[k] = (requests[k] || 0) + 1;
    });
    await page.goto(base + path, { waitUntil: 'load' });
    if (i === 0 && name !== 'pre-consent') {
      const role = name === 'after-accept' ? 'all' : 'necessary';
      const sel = `#cc-main .cm button[data-role='${role}']`;
      await page.waitForSelector(sel, { visible: true, timeout: 10000 });
      await page.click(sel);
    }
    await sleep(dwell);
    const cdp = await page.createCDPSession();
    const { cookies: all } = await cdp.send('Network.getAllCookies');
    for (const c of all) cookies.add(`${c.name}@${c.domain}`);
    const keys = await page.evaluate(() => [Object.keys(localStorage), Object.keys(sessionStorage)]);
    keys[0].forEach((k) => local.add(k));
    keys[1].forEach((k) => session.add(k));
    await page.close();
  }
  await ctx.close();
  const sorted = (s) => Array.from(s).sort();
  return { phase: name, cookies: sorted(cookies), localStorage: sorted(local), sessionStorage: sorted(session), requests };
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    ignoreDefaultArgs: ['--enable-automation'],
    args: ['--host-resolver-rules=' + rules, '--ignore-certificate-errors', '--no-sandbox',
      '--disable-blink-features=AutomationControlled'],
  });
  try {
    for (const name of ['pre-consent', 'after-reject', 'after-accept']) {
      console.log(JSON.stringify(await phase(browser, name), null, 1));
    }
  } finally {
    await browser.close();
  }
})().catch((err) => {
  console.error('verify: ' + (err && err.message ? err.message : String(err)));
  process.exit(1);
});
