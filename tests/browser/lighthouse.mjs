// Lighthouse (pinned 12.2.3) against the same Chromium, mobile profile:
// accessibility and performance scores of the public pages.
//   node lighthouse.mjs <base-url> <artifacts-dir>
// Exits non-zero when accessibility is below 100 or performance below 95.

import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { mkdirSync, writeFileSync } from "node:fs";

const [base, artifacts] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const chrome = await chromeLauncher.launch({
  chromePath: process.env.TSUNAGU_CHROMIUM || "/usr/bin/chromium",
  chromeFlags: [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const pages = [
  ["home", "/"],
  ["search", `/search?q=${encodeURIComponent("無料 体操")}`],
  ["detail", "/resources/chuo-k-006"],
];
let failed = 0;
try {
  for (const [name, path] of pages) {
    const result = await lighthouse(`${base}${path}`, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["accessibility", "performance"],
    });
    const lhr = result.lhr;
    const a11y = Math.round(lhr.categories.accessibility.score * 100);
    const perf = Math.round(lhr.categories.performance.score * 100);
    writeFileSync(`${artifacts}/lighthouse-${name}.json`, JSON.stringify(lhr, null, 1));
    const ok = a11y === 100 && perf >= 95;
    if (!ok) failed += 1;
    const misses = Object.values(lhr.audits)
      .filter((a) => a.score !== null && a.score < 1 && lhr.categories.accessibility.auditRefs.some((r) => r.id === a.id))
      .map((a) => a.id);
    console.log(`${ok ? "ok  " : "FAIL"}  lighthouse ${name}: accessibility ${a11y}, performance ${perf}${misses.length ? " (" + misses.join(", ") + ")" : ""}`);
  }
} finally {
  await chrome.kill();
}
process.exit(failed ? 1 : 0);
