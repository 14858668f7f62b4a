// End-to-end tests of tsunagu's pages in headless Chromium (Debian's),
// driven by playwright-core, with an axe-core scan of every page.
// Run by tests/browser.rs, which starts `tsunagu serve` on the seed data:
//   node run.mjs <base-url> <artifacts-dir>
// Prints one line per check; exits non-zero when any fails.

import { chromium } from "playwright-core";
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const [base, artifacts] = process.argv.slice(2);
if (!base || !artifacts) {
  console.error("usage: node run.mjs <base-url> <artifacts-dir>");
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const failures = [];
let checks = 0;
function check(ok, what) {
  checks += 1;
  if (ok) console.log(`ok    ${what}`);
  else { console.log(`FAIL  ${what}`); failures.push(what); }
}

const browser = await chromium.launch({
  executablePath: process.env.TSUNAGU_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

// bypassCSP only so that axe-core can be injected; the pages' own policy is
// checked separately (csp violations are collected from the console).
async function newPage(options = {}) {
  const context = await browser.newContext({
    bypassCSP: options.bypassCSP ?? true,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    viewport: options.viewport ?? { width: 1024, height: 900 },
    locale: "ja-JP",
  });
  const page = await context.newPage();
  page.problems = [];
  // Map tiles come from the tile server, which a closed test machine cannot
  // reach: the pages must work without them, so their failures are not
  // problems. Anything else that fails to load is.
  const tiles = (u) => u.includes("cyberjapandata.gsi.go.jp");
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) page.problems.push(m.text());
  });
  page.on("pageerror", (e) => page.problems.push(String(e)));
  // A load cut short by the page moving on (ERR_ABORTED) is not a failure.
  page.on("requestfailed", (r) => {
    const why = r.failure()?.errorText || "";
    if (!tiles(r.url()) && !why.includes("ERR_ABORTED")) page.problems.push(`failed: ${r.url()} ${why}`);
  });
  // Pages answer refusals with 4xx on purpose; what they load must not fail.
  page.on("response", (r) => {
    if (r.status() >= 400 && !tiles(r.url()) && r.request().resourceType() !== "document") page.problems.push(`${r.status()}: ${r.url()}`);
  });
  return page;
}

let shot = 0;
async function screenshot(page, name) {
  shot += 1;
  const file = `${artifacts}/${String(shot).padStart(2, "0")}-${name}.png`;
  await page.screenshot({ path: file, fullPage: true });
}

async function axe(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  writeFileSync(`${artifacts}/axe-${name}.json`, JSON.stringify(result, null, 2));
  check(bad.length === 0, `axe: ${name} has no serious or critical violations ${bad.length ? JSON.stringify(bad) : ""}`);
}

async function pdfPages(page, name) {
  await page.emulateMedia({ media: "print" });
  const pdf = await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
  await page.emulateMedia({ media: "screen" });
  writeFileSync(`${artifacts}/${name}.pdf`, pdf);
  const text = pdf.toString("latin1");
  return (text.match(/\/Type\s*\/Page[^s]/g) || []).length;
}

// --- Public search → detail → print preview -------------------------------
{
  const page = await newPage();
  await page.goto(`${base}/`);
  check((await page.title()).includes("つなぐ"), "home page has a title");
  await screenshot(page, "home");
  await axe(page, "home");

  await page.fill("#q", "無料 体操");
  await Promise.all([page.waitForURL(/\/search\?/), page.click("form[role=search] button[type=submit]")]);
  const count = await page.textContent(".count-line");
  check(/件見つかりました/.test(count || ""), `search 無料 体操 finds results (${count})`);
  const chips = await page.locator(".chip").allTextContents();
  check(chips.some((c) => c.includes("無料")), `the query is understood as 無料 (${chips.join(" | ")})`);
  await screenshot(page, "search");
  await axe(page, "search");

  // Removing the understood constraint with one click.
  const remove = page.locator(".chip", { hasText: "無料" }).locator("a");
  await Promise.all([page.waitForURL(/\/search\?/), remove.click()]);
  const q = new URL(page.url()).searchParams.get("q") || "";
  check(!q.includes("無料") && q.includes("体操"), `removing 無料 searches 「${q}」`);
  const after = await page.locator(".chip").allTextContents();
  check(!after.some((c) => c.includes("無料")), "the 無料 chip is gone");

  // Detail page and its print preview.
  await Promise.all([page.waitForURL(/\/resources\//), page.locator(".result h2 a").first().click()]);
  check(await page.locator("h1").count() === 1, "the detail page has one heading 1");
  check(await page.locator(".facts dt", { hasText: "費用" }).count() === 1, "the detail page says the cost");
  await screenshot(page, "detail");
  await axe(page, "detail");
  const pages = await pdfPages(page, "detail-print");
  check(pages === 1, `the detail page prints on one A4 page (${pages})`);
  await page.emulateMedia({ media: "print" });
  await screenshot(page, "detail-print");
  check(await page.locator(".qr svg").isVisible(), "the printed detail page has a QR code");
  check(!(await page.locator(".site-header").isVisible()), "the printed page has no navigation");
  await page.emulateMedia({ media: "screen" });

  // A result list prints on one page too (the first page of 20).
  await page.goto(`${base}/search?q=${encodeURIComponent("サロン")}&ward=${encodeURIComponent("稲毛区")}`);
  const listPages = await pdfPages(page, "search-print");
  check(listPages >= 1, `a result list prints (${listPages} A4 pages)`);
  check(page.problems.length === 0, `no script errors on the public pages ${page.problems.join(" / ")}`);
}

// --- Page weight of the public search page (no map tiles) ------------------
// Bytes as transferred (compressed), every resource the page loads.
for (const [name, path] of [
  ["search", `/search?q=${encodeURIComponent("体操")}`],
  ["search-near", `/search?q=${encodeURIComponent("体操")}&near=${encodeURIComponent("稲毛区小仲台2丁目")}`],
]) {
  const page = await newPage();
  const loaded = [];
  page.on("requestfinished", async (req) => {
    if (req.url().includes("cyberjapandata.gsi.go.jp")) return;
    const sizes = await req.sizes();
    loaded.push([req.url().replace(base, ""), sizes.responseBodySize + sizes.responseHeadersSize]);
  });
  await page.goto(`${base}${path}`, { waitUntil: "networkidle" });
  const bytes = loaded.reduce((sum, [, n]) => sum + n, 0);
  writeFileSync(`${artifacts}/page-weight-${name}.txt`, loaded.map(([u, n]) => `${n}\t${u}`).join("\n") + `\n${bytes}\ttotal\n`);
  check(bytes < 100 * 1024, `the public ${name} page weighs under 100 KB without tiles (${Math.round(bytes / 1024)} KB transferred)`);
}

// --- Larger text and ふりがな switches -----------------------------------
{
  const page = await newPage();
  await page.goto(`${base}/search?q=${encodeURIComponent("体操")}`);
  const before = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  await Promise.all([page.waitForURL(/\/search\?/), page.click("text=文字を大きく")]);
  const after = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  check(after > before, `文字を大きく makes the text larger (${before}px → ${after}px)`);
  check(new URL(page.url()).searchParams.get("q") === "体操", "the switch comes back to the same search");
  await Promise.all([page.waitForURL(/\/search\?/), page.click("text=ふりがなをつける")]);
  const rubies = await page.locator("ruby rt").count();
  check(rubies > 0, `ふりがな puts readings over kanji (${rubies} readings)`);
  await screenshot(page, "search-large-ruby");
  await axe(page, "search-large-ruby");
  await Promise.all([page.waitForURL(/\/search\?/), page.click("text=ふりがなを消す")]);
  check(await page.locator("ruby").count() === 0, "ふりがなを消す removes them");
}

// --- Without JavaScript ----------------------------------------------------
{
  const page = await newPage({ javaScriptEnabled: false });
  await page.goto(`${base}/search?q=${encodeURIComponent("認知症カフェ")}`);
  check(await page.locator(".result").count() > 0, "search works without JavaScript");
  await page.locator(".result h2 a").first().click();
  check(await page.locator(".facts").count() === 1, "a detail page works without JavaScript");
}

// --- The pages' own Content-Security-Policy holds ---------------------------
{
  const page = await newPage({ bypassCSP: false });
  const violations = [];
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await page.goto(`${base}/`);
  await page.goto(`${base}/search?q=${encodeURIComponent("体操")}&near=${encodeURIComponent("稲毛区小仲台2丁目")}`);
  const drawn = await page.waitForSelector(".map.leaflet-container", { timeout: 5000 }).then(() => true, () => false);
  check(drawn, "results near a place are drawn on a map (without tiles when none load)");
  check(await page.locator(".leaflet-interactive").count() > 1, "the map shows the place and the results");
  await screenshot(page, "near-with-map");
  await Promise.all([page.waitForURL(/\/resources\//), page.locator(".result h2 a").first().click()]);
  const detailMap = await page.waitForSelector(".map.leaflet-container", { timeout: 5000 }).then(() => true, () => false);
  check(detailMap, "the detail page draws its map");
  check(violations.length === 0, `no CSP violations ${violations.join(" / ")}`);
  await screenshot(page, "detail-with-map");
  // The same page with its map drawn, scanned (axe is injected, so this
  // context lets the test's own script in).
  const scanned = await newPage();
  await scanned.goto(page.url());
  await scanned.waitForSelector(".map.leaflet-container", { timeout: 5000 }).catch(() => {});
  await axe(scanned, "detail-with-map");
}

// --- Keyboard only: public search ------------------------------------------
{
  const page = await newPage();
  await page.goto(`${base}/`);
  await page.keyboard.press("Tab");
  const skip = await page.evaluate(() => document.activeElement?.textContent);
  check(skip === "本文へ移動", `the first Tab reaches the skip link (${skip})`);
  // Tab until the search box has focus.
  let reached = false;
  for (let i = 0; i < 10 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement?.id === "q");
  }
  check(reached, "the search box is reachable by Tab");
  await page.keyboard.type("サロン");
  await Promise.all([page.waitForURL(/\/search\?/), page.keyboard.press("Enter")]);
  check(await page.locator(".result").count() > 0, "Enter in the search box searches");
  let onResult = false;
  for (let i = 0; i < 40 && !onResult; i++) {
    await page.keyboard.press("Tab");
    onResult = await page.evaluate(() => !!document.activeElement?.closest(".result"));
  }
  check(onResult, "a result link is reachable by Tab");
  const focusVisible = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  });
  check(focusVisible, "the focused link shows a focus ring");
  await Promise.all([page.waitForURL(/\/resources\//), page.keyboard.press("Enter")]);
  check(page.url().includes("/resources/") && await page.locator("article.detail h1").count() === 1, "Enter opens the result");
}

// --- Coordinator: login → match → handout → logout ------------------------
{
  const login = process.env.TSUNAGU_TEST_LOGIN;
  const password = process.env.TSUNAGU_TEST_PASSWORD;
  const page = await newPage();
  await page.goto(`${base}/console`);
  check(page.url().includes("/console/login"), "the console asks for a login first");
  await axe(page, "login");
  await page.fill("#login", login);
  await page.fill("#password", "wrong-password-123");
  await Promise.all([page.waitForNavigation(), page.click("form button[type=submit]")]);
  check(await page.locator(".error-summary[role=alert]").count() === 1, "a wrong password is said, on the form");
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(/\/console$/), page.click("form button[type=submit]")]);
  check(await page.locator("#match-form").count() === 1, "after login the consultation screen opens");
  await screenshot(page, "console");
  await axe(page, "console");

  // The form sent empty: field-level messages, linked from a summary.
  await Promise.all([page.waitForNavigation(), page.click("#match-form button[type=submit]")]);
  const summary = await page.locator(".error-summary li a").allTextContents();
  check(summary.length >= 1, `an empty form is refused with messages (${summary.join(" / ")})`);
  check(await page.locator(".field.error #address").count() === 1, "the address field is marked");
  await screenshot(page, "console-errors");
  await axe(page, "console-errors");

  // A point chosen on the map instead of an address: by a click, then by
  // the keyboard (the map's centre).
  await page.goto(`${base}/console`);
  await page.waitForSelector("#pick-map.leaflet-container");
  check(await page.locator(".pick-map").isVisible(), "the match form shows a map to choose the place");
  const pickBox = await page.locator("#pick-map").boundingBox();
  await page.mouse.click(pickBox.x + pickBox.width * 0.55, pickBox.y + pickBox.height * 0.45);
  const clicked = await page.inputValue("#point");
  check(/^35\.\d+,140\.\d+$/.test(clicked), `a click on the map chooses a point (${clicked})`);
  check((await page.textContent("#point-status")).includes("地図で選んだ地点"), "the chosen point is said beside the address");
  await page.focus("#pick-centre");
  await page.keyboard.press("Enter");
  const centred = await page.inputValue("#point");
  check(/^35\.\d+,140\.\d+$/.test(centred) && centred !== clicked, `the keyboard chooses the map's centre (${centred})`);
  await page.check("#match-form input[value=salon]");
  await Promise.all([page.waitForNavigation(), page.click("#match-form button[type=submit]")]);
  const fromPoint = await page.textContent("#answer-h");
  check(/結果（.+から）/.test(fromPoint || ""), `the match answers from the chosen point (${fromPoint})`);
  check(await page.inputValue("#point") === centred, "the answer keeps the chosen point");
  await screenshot(page, "console-map-point");
  await axe(page, "console-map-point");
  await page.click("#pick-clear");
  check(await page.inputValue("#point") === "", "the map's choice can be cleared");

  // Keyboard only: address, a need, and submit.
  await page.goto(`${base}/console`);
  let onAddress = false;
  for (let i = 0; i < 20 && !onAddress; i++) {
    await page.keyboard.press("Tab");
    onAddress = await page.evaluate(() => document.activeElement?.id === "address");
  }
  check(onAddress, "the address field is reachable by Tab");
  await page.keyboard.type("稲毛区小仲台2丁目");
  let onSalon = false;
  for (let i = 0; i < 30 && !onSalon; i++) {
    await page.keyboard.press("Tab");
    onSalon = await page.evaluate(() => document.activeElement?.getAttribute("value") === "salon");
  }
  check(onSalon, "a need's check box is reachable by Tab");
  await page.keyboard.press("Space");
  await page.fill("#needs_text", "一人暮らしで買い物に行けない。囲碁が好き");
  await page.focus("#needs_text");
  let onSubmit = false;
  for (let i = 0; i < 80 && !onSubmit; i++) {
    await page.keyboard.press("Tab");
    onSubmit = await page.evaluate(() => document.activeElement?.matches("#match-form button[type=submit]"));
  }
  check(onSubmit, "the search button of the match form is reachable by Tab");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const needs = await page.locator("section h3").allTextContents();
  check(needs.length >= 2, `results per need (${needs.join(" / ")})`);
  const reasons = await page.locator(".reasons li").count();
  check(reasons > 0, `each result has reasons to read out (${reasons})`);
  check(await page.locator("text=自由記述から読み取ったこと").count() === 1, "what was derived from the free text is shown");
  await screenshot(page, "console-results");
  await axe(page, "console-results");

  // Pick two and print a handout with the senior's name (not stored).
  const picks = page.locator("input[name=id]");
  await picks.nth(0).check();
  await picks.nth(1).check();
  await page.fill("#for_name", "千葉 花子");
  const [handout] = await Promise.all([
    page.context().waitForEvent("page"),
    page.click("text=選んだ資源の案内を作る"),
  ]);
  await handout.waitForLoadState();
  check((await handout.textContent("h1")).includes("千葉 花子 さんへ"), "the handout carries the typed name");
  check(await handout.locator(".handout-items > li").count() === 2, "the handout lists the two picked resources");
  check(await handout.locator("text=徒歩約").count() + await handout.locator("text=km").count() > 0, "the handout says how far from home");
  await screenshot(handout, "handout");
  const handoutPages = await pdfPages(handout, "handout");
  check(handoutPages === 1, `the handout prints on one A4 page (${handoutPages})`);
  await handout.emulateMedia({ media: "print" });
  await screenshot(handout, "handout-print");
  await handout.emulateMedia({ media: "screen" });
  await axe(handout, "handout");

  // A record of the coordinator's area: an edit with a validation error,
  // then fixed; 「情報を確認しました」; the history.
  await page.goto(`${base}/console/records/inage-k-017`);
  check(await page.locator("form[action$='/edit']").count() === 1, "the record page of the coordinator's area has an edit form");
  await screenshot(page, "record");
  await axe(page, "record");
  const original = await page.inputValue("#f-name");
  await page.fill("#f-name", "");
  await Promise.all([page.waitForNavigation(), page.click("text=保存する")]);
  check(await page.locator(".error-summary").count() === 1, "an empty name is refused with a summary");
  check(await page.locator(".field.error #f-name").count() === 1, "the name field carries the message");
  await screenshot(page, "record-error");
  await axe(page, "record-error");
  await page.fill("#f-name", `${original}（更新）`);
  await Promise.all([page.waitForNavigation(), page.click("text=保存する")]);
  check((await page.textContent("h1")).includes("（更新）"), "the fixed edit is saved");
  check(await page.locator(".notice.ok").count() === 1, "saving is said");
  await Promise.all([page.waitForNavigation(), page.click("text=情報を確認しました")]);
  check((await page.textContent(".notice.ok")).includes("確認"), "情報を確認しました is recorded");
  const rows = await page.locator("table").last().locator("tbody tr").count();
  check(rows >= 2, `the history lists the changes (${rows})`);

  // What the listing's text was read to say: rejected as a misreading,
  // then confirmed.
  await page.goto(`${base}/console/records/inage-s-020`);
  const reading = page.locator("table.derived tbody tr", { hasText: "事前の申し込み" });
  check(await reading.count() === 1, "the record page shows a fact read from the listing with its phrase");
  check((await reading.textContent()).includes("未確認"), "the reading is undecided at first");
  await Promise.all([page.waitForNavigation(), reading.getByRole("button", { name: "は誤り" }).click()]);
  check((await page.textContent(".notice.ok")).includes("判断を記録しました"), "a rejection is recorded");
  const rejected = page.locator("table.derived tbody tr", { hasText: "事前の申し込み" });
  check((await rejected.textContent()).includes("誤りとして除外"), "the reading shows as rejected");
  await screenshot(page, "record-facts");
  await axe(page, "record-facts");
  await Promise.all([page.waitForNavigation(), rejected.getByRole("button", { name: "は正しい" }).click()]);
  check((await page.locator("table.derived tbody tr", { hasText: "事前の申し込み" }).textContent()).includes("確認済み"), "the reading shows as confirmed");

  await page.goto(`${base}/console/records/inage-k-008`);
  check(await page.locator("form[action$='/edit']").count() === 0, "a record of another area has no edit form");
  await page.goto(`${base}/console/records/inage-k-002`);
  check(await page.locator("table.derived tbody tr").count() > 0 && await page.locator("table.derived button").count() === 0,
    "another area's readings are shown without buttons to decide them");

  // Quick search (internal records too) and the lists to act on.
  await page.goto(`${base}/console`);
  await page.fill("#quick", "体操");
  await Promise.all([page.waitForURL(/\/console\/search\?/), page.click("form[action='/console/search'] button")]);
  check(await page.locator(".result a[href^='/console/records/']").count() > 0, "quick search leads to record pages");
  await axe(page, "console-search");
  await page.goto(`${base}/console/lists`);
  check(await page.locator("#stale-h").count() === 1, "the stale records list opens");
  await screenshot(page, "lists");
  await axe(page, "lists");

  // 地域診断 of the coordinator's centre and its 協議体 agenda: one A4
  // page each.
  await page.goto(`${base}/console/reports`);
  await screenshot(page, "reports-form");
  await axe(page, "reports-form");
  check(await page.locator("#centre option[selected]").getAttribute("value") === "AC15", "the form starts at the coordinator's own centre");
  await Promise.all([page.waitForURL(/\/console\/reports\/area\?/), page.click("form.report-form button[type=submit]")]);
  check((await page.textContent("h1")).includes("地域診断: 千葉市あんしんケアセンター小仲台"), "the report opens for the centre");
  check(await page.locator("svg.area-map circle").count() > 0, "the report's map shows the centre's 通いの場");
  check(await page.locator("svg.chart").count() >= 1, "the report has its bar charts");
  await screenshot(page, "report");
  await axe(page, "report");
  const reportPages = await pdfPages(page, "report");
  check(reportPages === 1, `the 地域診断 report prints on one A4 page (${reportPages})`);
  await page.emulateMedia({ media: "print" });
  await screenshot(page, "report-print");
  await page.emulateMedia({ media: "screen" });
  await Promise.all([page.waitForNavigation(), page.locator("nav[aria-label='協議体資料'] a").first().click()]);
  check((await page.textContent("h1")).includes("協議体 資料"), "the agenda of the centre opens");
  await screenshot(page, "agenda");
  await axe(page, "agenda");
  const agendaPages = await pdfPages(page, "agenda");
  check(agendaPages === 1, `the 協議体 agenda prints on one A4 page (${agendaPages})`);
  await page.goto(`${base}/console/reports/kayoi-survey?year=2026`);
  check((await page.textContent("h1")).includes("通いの場の実施状況"), "the survey's counts open");
  await axe(page, "survey");
  await page.goto(`${base}/console/lists`);

  // Logout.
  await Promise.all([page.waitForURL(`${base}/`), page.click("text=ログアウト")]);
  await page.goto(`${base}/console`);
  check(page.url().includes("/console/login"), "after logout the console asks for a login again");
  check(page.problems.length === 0, `no script errors on the console ${page.problems.join(" / ")}`);
}

// --- The city: add a coordinator (選任) and print 様式第2号 ----------------
{
  const page = await newPage();
  await page.goto(`${base}/console/login`);
  await page.fill("#login", process.env.TSUNAGU_TEST_ADMIN_LOGIN);
  await page.fill("#password", process.env.TSUNAGU_TEST_ADMIN_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click("form button[type=submit]")]);
  await page.goto(`${base}/console/accounts`);
  await screenshot(page, "accounts");
  await axe(page, "accounts");
  await page.click("text=コーディネーターを選任する");
  await axe(page, "account-new");
  const fill = { login: "jiro", name: "稲毛 次郎", organization: "社会福祉法人いなげ会", center_id: "AC16",
    appointed_on: "2026-03-20", appointed_reason: "新規配置", valid_from: "2026-04-01", valid_until: "2027-03-31" };
  for (const [k, v] of Object.entries(fill)) await page.fill(`#a-${k}`, v);
  await Promise.all([page.waitForNavigation(), page.click("text=選任する >> nth=-1")]);
  check((await page.textContent(".notice.ok")).includes("初めのパスワード"), "選任 gives the first password once");
  await page.goto(`${base}/console/accounts/jiro/yoshiki/2`);
  check((await page.textContent("article")).includes("稲毛 次郎"), "様式第2号 is filled from the account");
  check((await page.textContent("article")).includes("2026年4月1日〜2027年3月31日"), "its 期間 is the 委託期間");
  await page.fill("#birth", "昭和35年5月5日");
  await screenshot(page, "yoshiki-2");
  await axe(page, "yoshiki-2");
  const cardPages = await pdfPages(page, "yoshiki-2");
  check(cardPages === 1, `様式第2号 prints on one A4 page (${cardPages})`);
  await page.goto(`${base}/console/accounts/jiro/yoshiki/1`);
  const firstPages = await pdfPages(page, "yoshiki-1");
  check(firstPages === 1, `様式第1号 prints on one A4 page (${firstPages})`);
  await axe(page, "yoshiki-1");
  // 解任, then 様式第3号.
  await page.goto(`${base}/console/accounts`);
  const row = page.locator("tr", { hasText: "jiro" });
  await row.locator("summary").click();
  await row.locator("input[name=reason]").fill("本人の申し出による");
  await Promise.all([page.waitForNavigation(), row.locator("button[type=submit]").click()]);
  check((await page.textContent(".notice.ok")).includes("解任しました"), "解任 is done and said");
  await page.goto(`${base}/console/accounts/jiro/yoshiki/3`);
  check((await page.textContent("article")).includes("本人の申し出による"), "様式第3号 carries the reason");
  const thirdPages = await pdfPages(page, "yoshiki-3");
  check(thirdPages === 1, `様式第3号 prints on one A4 page (${thirdPages})`);
  await axe(page, "yoshiki-3");
  check(page.problems.length === 0, `no script errors on the city's pages ${page.problems.join(" / ")}`);

  // An error page.
  const missing = await page.goto(`${base}/no/such/page`);
  check(missing.status() === 404 && (await page.textContent("h1")).includes("見つかりません"), "a missing page is a page");
  await axe(page, "not-found");
}

await browser.close();
console.log(`${checks - failures.length}/${checks} checks passed`);
if (failures.length) {
  console.log("failed:\n  " + failures.join("\n  "));
  process.exit(1);
}
