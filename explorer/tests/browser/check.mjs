// Drives Debian's Chromium over the explorer's pages, as a reader would, and prints one JSON report on stdout:
//   node check.mjs BASE_URL SCREENSHOT_PNG PATH...
// (Playwright gives each launch a new, empty profile directory of its own.)
// - axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) on every PATH: each violation with its rule and nodes;
// - what each page looks like without JavaScript: the same pages with JavaScript off must render their <h1>;
// - a keyboard-only walk: search for a word with the keyboard, then Tab and Enter from the results to an award,
//   and from the award to one of its payments; every step's URL is reported;
// - a screenshot of the home page.
import { launch } from "./launch.mjs";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const [base, screenshot, ...paths] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });

const report = { pages: [], without_javascript: [], walk: [], errors: [] };
try {
  const page = await context.newPage();
  page.on("pageerror", (e) => report.errors.push(String(e)));
  for (const path of paths) {
    const response = await page.goto(base + path, { waitUntil: "load" });
    await page.evaluate(axeSource);
    const result = await page.evaluate(async () =>
      // eslint-disable-next-line no-undef
      axe.run(document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
      }),
    );
    report.pages.push({
      path,
      status: response.status(),
      title: await page.title(),
      violations: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" ")),
      })),
    });
  }
  await page.goto(base + "/", { waitUntil: "load" });
  await page.screenshot({ path: screenshot, fullPage: false });

  // The same pages with JavaScript switched off.
  const plain = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  for (const path of paths) {
    await plain.goto(base + path, { waitUntil: "load" });
    report.without_javascript.push({ path, h1: await plain.locator("h1").first().innerText() });
  }

  // Keyboard only: Tab to the search box, type, Enter; then Tab to the first award link and Enter; then Tab to
  // the first payment link and Enter.
  const walk = await context.newPage();
  await walk.goto(base + "/search", { waitUntil: "load" });
  report.walk.push(walk.url());
  const tabTo = async (matches, limit) => {
    for (let i = 0; i < limit; i++) {
      await walk.keyboard.press("Tab");
      const focused = await walk.evaluate(() => {
        const e = document.activeElement;
        return { tag: e.tagName, id: e.id, href: e.getAttribute("href") || "" };
      });
      if (matches(focused)) return focused;
    }
    return null;
  };
  const word = process.env.WALK_WORD || "";
  if (await tabTo((f) => f.id === "q", 40)) {
    await walk.keyboard.type(word);
    await Promise.all([walk.waitForNavigation(), walk.keyboard.press("Enter")]);
    report.walk.push(walk.url());
    if (await tabTo((f) => f.href.startsWith("/award/"), 400)) {
      await Promise.all([walk.waitForNavigation(), walk.keyboard.press("Enter")]);
      report.walk.push(walk.url());
      if (await tabTo((f) => f.href.startsWith("/payment/"), 400)) {
        await Promise.all([walk.waitForNavigation(), walk.keyboard.press("Enter")]);
        report.walk.push(walk.url());
      }
    }
  }
} catch (e) {
  report.errors.push(String(e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
