// Debian's Chromium as this machine needs it (playwright-core drives it; no browser of its own is downloaded):
// no sandbox as root, and no network beyond the pages' own servers. Each launch gets a new, empty profile.
import { chromium } from "playwright-core";

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
