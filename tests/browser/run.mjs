// Browser test of the web console: the real `aftersale` binary on a fresh
// SQLite database, driven in headless Chromium through playwright-core.
//
// Signs in with the credentials the first start prints, opens an
// installation ticket, is refused by the appliance plugin for a missing
// checklist item (A3), completes the checklist, reads the timeline, answers
// the customer survey from its link on a phone-sized page, and sees the
// dashboard change. Saves a screenshot of every page and checks that every
// page stays under 100 KB and labels every control.
//
// Environment: AFTERSALE_BIN (the binary; default: the cargo target dir's
// debug build), CHROMIUM (default /usr/bin/chromium), ARTIFACTS (screenshot
// folder; default <target>/browser-artifacts).

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const target = process.env.CARGO_TARGET_DIR || path.join(repo, "target");
const binary = process.env.AFTERSALE_BIN || path.join(target, "debug", "aftersale");
const artifacts = process.env.ARTIFACTS || path.join(target, "browser-artifacts");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const PAGE_BUDGET = 100 * 1024;

if (!existsSync(binary)) {
  console.error(`no aftersale binary at ${binary}; run \`cargo build -p aftersale\` first`);
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

/** Start `aftersale serve` on a free port; resolve with where and how to sign in. */
function startServer(dir) {
  const child = spawn(
    binary,
    ["serve", "--listen", "127.0.0.1:0", "--database", `sqlite://${path.join(dir, "console.db")}`],
    { env: { ...process.env, AFTERSALE_LOG: "warn" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  // Never leave the server behind, whatever happens to this script.
  process.on("exit", () => child.kill());
  child.stderr.on("data", (chunk) => process.stderr.write(chunk));
  return new Promise((resolve, reject) => {
    let seen = "";
    // Compiling the embedded plugins on a busy two-core machine is slow.
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the server did not print its sign-in line:\n${seen}`));
    }, 600_000);
    child.on("exit", (code) => reject(new Error(`the server exited with ${code}:\n${seen}`)));
    child.stdout.on("data", (chunk) => {
      seen += chunk;
      const m = seen.match(/sign in at (http:\/\/\S+?)\/? with login (\S+) and password (\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, base: m[1], login: m[2], password: m[3] });
      }
    });
  });
}

const sizes = [];
let shot = 0;

/** Screenshot, page weight and label check of the page as it is now. */
async function record(page, name, weigh = true) {
  shot += 1;
  const file = path.join(artifacts, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input:not([type=hidden]), select, textarea, button")]
      .filter((el) => {
        if (el.tagName === "BUTTON") return !el.textContent.trim() && !el.getAttribute("aria-label");
        return !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby");
      })
      .map((el) => el.name || el.id || el.outerHTML.slice(0, 60)),
  );
  assert.deepEqual(unlabelled, [], `${name}: controls without a label`);
  if (weigh) {
    // Sizes as decoded (uncompressed), from the timing entries, so nothing
    // is fetched twice.
    const bytes = await page.evaluate(() => {
      const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
      return entries
        .filter((e) => !/\.(png|jpe?g|gif|webp|svg)(\?|$)/.test(e.name))
        .reduce((sum, e) => sum + (e.decodedBodySize || 0), 0);
    });
    sizes.push([name, bytes]);
    assert.ok(bytes < PAGE_BUDGET, `${name} weighs ${bytes} bytes, over ${PAGE_BUDGET}`);
  }
  console.log(`  ✓ ${name}`);
}

async function state(page) {
  return page.locator("#ticket-state").getAttribute("data-state");
}

/** Click something that submits a form, and wait for the page it leads to. */
async function submit(page, locator) {
  await Promise.all([page.waitForNavigation(), locator.click()]);
}

async function transition(page, name) {
  await submit(page, page.locator(`button[data-transition="${name}"]`));
}

async function kpis(page) {
  const values = {};
  for (const el of await page.locator("[data-kpi]").all()) {
    values[await el.getAttribute("data-kpi")] = (await el.textContent()).trim();
  }
  return values;
}

const dir = mkdtempSync(path.join(tmpdir(), "aftersale-browser-"));
const server = await startServer(dir);
const browser = await chromium.launch({
  executablePath,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
let failed = false;
try {
  console.log(`console at ${server.base}, signing in as ${server.login}`);
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
  const page = await desk.newPage();
  const scriptErrors = [];
  page.on("pageerror", (e) => scriptErrors.push(`${page.url()}: ${e.message}`));

  // Sign in, with the keyboard only; a wrong password first.
  await page.goto(`${server.base}/`);
  assert.match(page.url(), /\/signin/);
  await record(page, "signin");
  await page.locator("#login").fill(server.login);
  await page.locator("#password").fill("not the password");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  assert.equal(await page.locator("p.error").count(), 1, "a wrong password is refused");
  await page.locator("#password").focus();
  await page.keyboard.type(server.password);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${server.base}/`);
  assert.equal(await page.locator("h1").textContent(), "工单队列", "a new tenant's console speaks Chinese");
  await record(page, "queue-empty-zh");

  // The dashboard before any ticket.
  await page.goto(`${server.base}/dashboard`);
  const before = await kpis(page);
  assert.equal(before.tickets, "0");
  await record(page, "dashboard-before-zh");

  // A new installation ticket.
  await page.goto(`${server.base}/tickets/new`);
  await record(page, "new-ticket-kinds");
  await page.locator("#kind-installation").check();
  await submit(page, page.locator("main form button[type=submit]"));
  await page.locator("#title").fill("安装分体式空调");
  await page.locator("#customer_name").fill("李雷");
  await page.locator("#customer_phone").fill("13800000000");
  await page.locator("#customer_address").fill("南宁市青秀区");
  await page.locator("#product_category").fill("air_conditioner");
  await page.locator("#product_model").fill("KFR-35GW");
  await page.locator("#product_serial").fill("SN-2026-0001");
  await page.locator("#product_price").fill("3299.00");
  await page.locator("#product_invoice_date").fill("2026-01-10");
  await page.locator("#a-region").selectOption("city");
  await page.locator("#a-appointment_at").fill("2026-01-12T09:00");
  await page.locator("#a-technician").fill("tech-7");
  await record(page, "new-ticket-form");
  await Promise.all([page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/), page.locator("form.work-form > button[type=submit]").click()]);
  const ticketUrl = page.url();
  assert.equal(await state(page), "scheduled");
  await record(page, "ticket-scheduled");

  // Along the workflow to commissioning.
  await transition(page, "check_in");
  assert.equal(await state(page), "on_site");
  for (const item of ["model_matches", "accessories_complete", "certificate_present", "warranty_card_present", "undamaged"]) {
    await page.locator(`#a-unboxing-${item}`).selectOption("true");
  }
  await transition(page, "unbox");
  assert.equal(await state(page), "unboxed");
  await transition(page, "install");
  await transition(page, "commission");
  assert.equal(await state(page), "commissioned");

  // Acceptance with the leak test missing: the plugin refuses (A3).
  await page.locator("#a-customer_signature").fill("李雷");
  const partial = "vacuum_mmhg = -756\nvacuum_hold_minutes = 15\nvacuum_rise = false\ndrain_test = true\n" +
    "trial_run_minutes = 35\nanchor_bolts = 4\nexposed_pipe_cm = 15";
  await page.locator("#a-checklist").fill(partial);
  await transition(page, "accept");
  const refusal = page.locator("#rejection");
  await refusal.waitFor();
  const refusalText = await refusal.textContent();
  assert.match(refusalText, /A3/, "the refusal names its rule");
  assert.match(refusalText, /leak_test/, "the refusal names the missing item");
  assert.equal(await state(page), "commissioned", "the ticket is unchanged");
  assert.equal(await page.locator("#a-checklist").inputValue(), partial, "what was typed is kept");
  await record(page, "ticket-guard-rejection");

  // Complete the checklist and accept.
  await page.locator("#a-checklist").fill(partial + "\nleak_test = true");
  await transition(page, "accept");
  assert.equal(await state(page), "accepted");
  assert.equal(await page.locator("#rejection").count(), 0);
  const events = await page.locator(".timeline li").count();
  assert.ok(events >= 8, `the timeline shows every change (${events} events)`);
  assert.match(await page.locator(".timeline").textContent(), /commissioned|调试/);
  await record(page, "ticket-accepted-timeline");

  // The installer's photo, chosen as a file: kept, with a thumbnail on the
  // page and on the timeline.
  const png = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
    "base64",
  );
  await page.locator("#attach-files").setInputFiles({ name: "outdoor-unit.png", mimeType: "image/png", buffer: png });
  await submit(page, page.locator("#attach-form button[type=submit]"));
  const thumb = page.locator("ul.attachments img").first();
  await thumb.waitFor();
  assert.ok(await thumb.evaluate((img) => img.complete && img.naturalWidth > 0), "the thumbnail loads");
  assert.match(await page.locator(".timeline").textContent(), /outdoor-unit\.png/);
  await record(page, "ticket-attachment");

  // A named decision: the warranty (W1).
  await submit(page, page.locator('button[data-action="warranty"]'));
  assert.match(await page.locator("#action-answer").textContent(), /in warranty/);
  await record(page, "ticket-action-answer");

  // The customer answers the survey from the link, on a phone, signed out.
  const link = await page.locator("#survey-link").getAttribute("href");
  assert.match(link, /^\/survey\//);
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, locale: "zh-CN" });
  const customer = await phone.newPage();
  await customer.goto(`${server.base}${link}`);
  assert.equal(await customer.locator("h1").textContent(), "请为我们的服务评分");
  const width = await customer.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the survey fits a phone (${width}px wide)`);
  await record(customer, "survey-phone");
  for (const attribute of ["timeliness", "attitude", "professionalism", "result"]) {
    await customer.locator(`label[for="r-${attribute}-5"]`).click();
  }
  await customer.locator('label[for="nps-9"]').click();
  await customer.locator("#comment").fill("师傅很专业");
  await submit(customer, customer.locator("form.survey button"));
  assert.equal(await customer.locator("h1").textContent(), "谢谢您");
  await record(customer, "survey-thanks");
  await customer.goto(`${server.base}${link}`);
  assert.equal(await customer.locator("h1").textContent(), "请为我们的服务评分");
  assert.match(await customer.locator("p").first().textContent(), /已填写/, "a link works once");
  await phone.close();

  // Switch to English, and see the dashboard change.
  await page.goto(`${server.base}/account`);
  await page.locator("#locale").selectOption("en");
  await submit(page, page.locator("form[action='/account/locale'] button"));
  await page.goto(`${server.base}/dashboard`);
  assert.equal(await page.locator("h1").textContent(), "Dashboard");
  const after = await kpis(page);
  assert.equal(after.tickets, String(Number(before.tickets) + 1), "the new ticket counts");
  assert.equal(after.resolved, "1");
  assert.equal(after.surveys, "1");
  assert.equal(after.csi, "100", "five of five everywhere is a CSI of 100");
  assert.equal(after.nps, "100");
  assert.equal(after.ftf, "100%", "one visit, no part back-ordered: a first-time fix");
  assert.equal(await page.locator("#chart-times canvas").count(), 1, "the trend is drawn");
  await record(page, "dashboard-after-en");
  const csv = await page.evaluate(async () => (await fetch(document.querySelector("a[download]").href)).text());
  assert.match(csv.split("\r\n")[0], /^group,tickets,/);
  assert.match(csv.split("\r\n")[1], /^all,1,/);

  // The ticket and queue in English, the plugins page.
  await page.goto(ticketUrl);
  assert.equal(await page.locator("#timeline-title").textContent(), "Timeline");
  await record(page, "ticket-en");
  await page.goto(`${server.base}/?sla=met`);
  await record(page, "queue-filtered-en");
  // The header's search finds the ticket by the customer's phone; the
  // queue as searched is saved as a view, and listed.
  const search = page.locator('header input[name="q"]');
  await search.fill("138 0000 0000");
  await Promise.all([page.waitForNavigation(), search.press("Enter")]);
  const ticketPath = new URL(ticketUrl).pathname;
  assert.equal(await page.locator(`main a[href="${ticketPath}"]`).count(), 1, "found by its phone");
  await page.locator("#view-name").fill("Li Lei's tickets");
  await submit(page, page.locator("section.views > form button"));
  assert.equal((await page.locator("#saved-views a").first().textContent()).trim(), "Li Lei's tickets");
  assert.equal(await page.locator(`main a[href="${ticketPath}"]`).count(), 1, "the view selects it");
  await record(page, "queue-search-en");
  await page.goto(`${server.base}/plugins`);
  assert.match(await page.locator("body").textContent(), /appliance@/);
  await record(page, "plugins-en");
  await page.goto(`${server.base}/parts`);
  assert.equal(await page.locator("h1").textContent(), "Spare parts");
  await record(page, "parts-en");
  await page.goto(`${server.base}/jobs`);
  assert.equal(await page.locator("h1").textContent(), "My jobs");
  await record(page, "jobs-en");
  await page.goto(`${server.base}/dispatch`);
  assert.equal(await page.locator("h1").textContent(), "Dispatch board");
  await record(page, "dispatch-board-en");
  await page.goto(`${server.base}/users`);
  await record(page, "users-en");

  // Sign out: the session is gone.
  await Promise.all([page.waitForURL(/\/signin/), page.locator("header form button").click()]);
  await page.goto(`${server.base}/dashboard`);
  assert.match(page.url(), /\/signin/);

  assert.deepEqual(scriptErrors, [], "no script errors");

  console.log("\npage weights (HTML + CSS + JS, before images):");
  for (const [name, bytes] of sizes) {
    console.log(`  ${name.padEnd(26)} ${(bytes / 1024).toFixed(1).padStart(6)} KB`);
  }
  console.log(`\nbrowser test passed; screenshots in ${artifacts}`);
} catch (e) {
  failed = true;
  console.error(`browser test FAILED: ${e.stack || e}`);
} finally {
  await browser.close();
  server.child.kill();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
