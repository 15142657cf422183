// Drives The Markup's Blacklight collector for the trackscan site benchmark.
// Usage: node run.js URL PAGES RESOLVE_RULES CHROMIUM OUT_DIR SUMMARY_JSON
// PAGES counts the landing page too; Blacklight's numPages counts only the
// extra pages it samples from the landing page's links.
'use strict';
const fs = require('fs');
const { collect } = require('@themarkup/blacklight-collector');

const [url, pages, rules, chromium, outDir, summaryPath] = process.argv.slice(2);
if (!summaryPath) {
  console.error('usage: node run.js URL PAGES RESOLVE_RULES CHROMIUM OUT_DIR SUMMARY_JSON');
  process.exit(2);
}

const sorted = (xs) => Array.from(new Set(xs)).sort();

(async () => {
  const result = await collect(url, {
    numPages: Math.max(0, Number(pages) - 1),
    headless: true,
    outDir,
    puppeteerExecutablePath: chromium,
    // Blacklight's own default flag is kept; the rest reach the loopback site.
    extraChromiumArgs: [
      '--disable-features=TrackingProtection3pcd',
      '--host-resolver-rules=' + rules,
      '--ignore-certificate-errors',
      '--no-sandbox',
    ],
    // Neither tool is asked for screenshots or a HAR: only detection work is timed.
    saveScreenshots: false,
    captureHar: false,
    quiet: true,
  });
  if (result.status !== 'success') {
    console.error('blacklight: ' + JSON.stringify(result.page_response));
    process.exit(3);
  }
  const r = result.reports || {};
  const cookies = Array.isArray(r.cookies) ? r.cookies : [];
  const trackers = Array.isArray(r.third_party_trackers) ? r.third_party_trackers : [];
  const canvas = (r.canvas_fingerprinters && r.canvas_fingerprinters.fingerprinters) || [];
  const summary = {
    pages: (result.browsing_history || []).length,
    third_party_hosts: sorted((result.hosts && result.hosts.requests.third_party) || []),
    cookies: sorted(cookies.map((c) => `${c.name}@${c.domain}`)),
    third_party_cookies: sorted(cookies.filter((c) => c.third_party).map((c) => `${c.name}@${c.domain}`)),
    beacons: sorted(trackers.map((t) => new URL(t.url).hostname)),
    beacon_requests: trackers.length,
    session_recorders: sorted(Object.keys(r.session_recorders || {})),
    fingerprinters: sorted(canvas),
    fb_pixel_events: Array.isArray(r.fb_pixel_events) ? r.fb_pixel_events.length : 0,
  };
  fs.writeFileSync(summaryPath, JSON.stringify(summary, null, 2) + '\n');
})().catch((err) => {
  console.error('blacklight: ' + (err && err.message ? err.message : String(err)));
  process.exit(1);
});
