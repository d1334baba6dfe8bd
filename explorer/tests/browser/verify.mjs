// Presses a page's "Verify in this browser" button in Debian's Chromium and prints what the page concluded:
//   node verify.mjs PAGE_URL
// {"verified": "true"|"false"|"error", "summary": "...", "problems": [{"sequence", "signature", "text"}], "errors": []}
import { launch } from "./launch.mjs";

const [url] = process.argv.slice(2);
const browser = await launch();
const report = { errors: [] };
try {
  const page = await (await browser.newContext()).newPage();
  page.on("pageerror", (e) => report.errors.push(String(e)));
  await page.goto(url, { waitUntil: "load" });
  await page.getByRole("button", { name: "Verify in this browser" }).click();
  const section = page.locator("section.verify");
  await page.waitForFunction(() => document.querySelector("section.verify").dataset.verified, null, {
    timeout: 120000,
  });
  report.verified = await section.getAttribute("data-verified");
  report.summary = await section.locator(".verify-result").innerText();
  report.problems = await section.locator("ul.problems li").evaluateAll((items) =>
    items.map((li) => ({
      sequence: li.dataset.sequence === undefined ? null : Number(li.dataset.sequence),
      signature: li.dataset.signature || null,
      text: li.textContent,
    })),
  );
} catch (e) {
  report.errors.push(String(e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
