// Raises a flag from an award page in Debian's Chromium with a Wallet Standard test wallet injected into the page:
//   node flag.mjs PAGE_URL ADDRESS SEED_HEX
// The wallet lives in the page only as its public side; signing is done here, in the test's own process, with
// the ed25519 seed the test made (the key never enters the page). Prints {"flagged": ..., "status": ...}.
import { launch } from "./launch.mjs";
import { createPrivateKey, sign } from "node:crypto";

const [url, address, seedHex] = process.argv.slice(2);
// An ed25519 private key from its 32-byte seed, as PKCS#8 DER.
const key = createPrivateKey({
  key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(seedHex, "hex")]),
  format: "der",
  type: "pkcs8",
});

const browser = await launch();
const report = { errors: [] };
try {
  const page = await (await browser.newContext()).newPage();
  page.on("pageerror", (e) => report.errors.push(String(e)));
  await page.exposeFunction("testWalletSign", (messageBase64) =>
    sign(null, Buffer.from(messageBase64, "base64"), key).toString("base64"),
  );
  await page.addInitScript((address) => {
    const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
    const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const account = { address, publicKey: new Uint8Array(32), chains: ["solana:localnet"], features: ["solana:signTransaction"] };
    const wallet = {
      version: "1.0.0",
      name: "Test Wallet",
      icon: "data:image/svg+xml;base64,PHN2Zy8+",
      chains: ["solana:localnet"],
      accounts: [account],
      features: {
        "standard:connect": { version: "1.0.0", connect: async () => ({ accounts: [account] }) },
        "solana:signTransaction": {
          version: "1.0.0",
          supportedTransactionVersions: ["legacy"],
          signTransaction: async (...inputs) => {
            const out = [];
            for (const { transaction } of inputs) {
              // One signature slot (compact length 1), then the message it signs.
              const signed = Uint8Array.from(transaction);
              const signature = fromBase64(await window.testWalletSign(toBase64(signed.slice(65))));
              signed.set(signature, 1);
              out.push({ signedTransaction: signed });
            }
            return out;
          },
        },
      },
    };
    const callback = ({ register }) => register(wallet);
    window.addEventListener("wallet-standard:app-ready", (event) => callback(event.detail));
    window.dispatchEvent(new CustomEvent("wallet-standard:register-wallet", { detail: callback }));
  }, address);
  await page.goto(url, { waitUntil: "load" });
  await page.getByLabel("Reason").selectOption("price");
  await page.getByLabel(/^Evidence/).fill("Quote from another supplier: 40% less for the same work.");
  await page.getByRole("button", { name: "Raise this flag with your wallet" }).click();
  await page.waitForFunction(() => document.querySelector("section.flag").dataset.flagged, null, { timeout: 120000 });
  report.flagged = await page.locator("section.flag").getAttribute("data-flagged");
  report.status = await page.locator(".flag-result").innerText();
} catch (e) {
  report.errors.push(String(e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
