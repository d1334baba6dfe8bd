// Raising a public flag from the page with the reader's own wallet, through the Wallet Standard: wallets that a
// browser extension (or a test) registers are collected both ways round (they may register before or after this
// script runs); the first that can sign Solana transactions is asked to connect, the server writes out the
// unsigned `raise_flag` transaction for that account (the wallet shows what it signs), the wallet signs it, and
// this script sends it to the RPC node the reader names and waits for it to be confirmed. The evidence never
// leaves the browser: only its sha256 is sent.
"use strict";

const wallets = [];
const registry = {
  register(...registered) {
    wallets.push(...registered);
    return () => {};
  },
};
window.addEventListener("wallet-standard:register-wallet", (event) => event.detail(registry));
window.dispatchEvent(new CustomEvent("wallet-standard:app-ready", { detail: registry }));

let callId = 0;
async function rpc(url, method, params) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++callId, method, params }),
  });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  const answer = await response.json();
  if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
  return answer.result;
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const base64 = (bytes) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function raise(section) {
  const form = section.querySelector("form");
  const result = section.querySelector(".flag-result");
  const status = (text) => (result.textContent = text);
  const url = form.elements.rpc.value.trim();
  try {
    const wallet = wallets.find((w) => w.features && w.features["solana:signTransaction"]);
    if (!wallet) throw new Error("no Solana wallet in this browser (a Wallet Standard wallet is needed)");
    status(`Connecting ${wallet.name}...`);
    const { accounts } = await wallet.features["standard:connect"].connect();
    const account = accounts[0];
    if (!account) throw new Error(`${wallet.name} shared no account`);
    const evidence = new TextEncoder().encode(form.elements.evidence.value);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", evidence));
    const { value } = await rpc(url, "getLatestBlockhash", [{ commitment: "confirmed" }]);
    const nonce = crypto.getRandomValues(new Uint32Array(1))[0];
    const query = new URLSearchParams({
      agency: section.dataset.agency,
      award_id: section.dataset.award,
      flagger: account.address,
      nonce: String(nonce),
      reason: form.elements.reason.value,
      evidence: hex(digest),
      blockhash: value.blockhash,
    });
    const prepared = await fetch(`/flag/transaction?${query}`);
    const body = await prepared.json();
    if (!prepared.ok) throw new Error(body.error);
    status(`Asking ${wallet.name} to sign...`);
    const [{ signedTransaction }] = await wallet.features["solana:signTransaction"].signTransaction({
      account,
      transaction: fromBase64(body.transaction),
    });
    const signature = await rpc(url, "sendTransaction", [
      base64(signedTransaction),
      { encoding: "base64", preflightCommitment: "confirmed" },
    ]);
    status(`Sent ${signature}; waiting for the cluster to confirm it...`);
    // The cluster's confirmation, polled for at most a minute (a UI's patience, not a test's timing).
    for (let tries = 0; tries < 120; tries++) {
      const { value: [seen] } = await rpc(url, "getSignatureStatuses", [[signature]]);
      if (seen && seen.err) throw new Error(`the transaction failed: ${JSON.stringify(seen.err)}`);
      if (seen && (seen.confirmationStatus === "confirmed" || seen.confirmationStatus === "finalized")) {
        section.dataset.flagged = signature;
        status(`Flag ${body.flag} raised by ${account.address} in transaction ${signature}. It appears on this page once the explorer has indexed it.`);
        return;
      }
      await pause(500);
    }
    throw new Error(`${signature} was not confirmed within a minute`);
  } catch (error) {
    section.dataset.flagged = "error";
    status(`Could not raise the flag: ${error.message}`);
  }
}

for (const section of document.querySelectorAll("section.flag")) {
  section.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    raise(section);
  });
}
