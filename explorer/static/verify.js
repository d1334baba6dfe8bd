// The in-browser check of an agency's hash chain. The page names the agency and where this server lists its
// payments (its JSON download); this script reads the chain itself from the RPC node the reader names (the agency account,
// and every transaction that mentions it, as raw JSON-RPC answers), and hands them to the verifier, the same
// Rust code `pubspend verify` runs, compiled to WebAssembly (/verify.wasm). The verifier replays the chain from
// 32 zero bytes, compares the end with the head the agency account holds, and compares each listed payment with
// the chain's: a payment this server altered or left out is named.
"use strict";

let requestId = 0;

async function call(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  return response.json();
}

async function rpc(url, method, params) {
  const answer = await call(url, { jsonrpc: "2.0", id: ++requestId, method, params });
  if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
  return answer.result;
}

// Several calls in one request (a JSON-RPC batch), answered in the order asked.
async function batch(url, calls) {
  const first = requestId + 1;
  const body = calls.map(([method, params]) => ({ jsonrpc: "2.0", id: ++requestId, method, params }));
  const answers = await call(url, body);
  const results = new Array(calls.length);
  for (const answer of answers) {
    if (answer.error) throw new Error(`${body[answer.id - first].method}: ${answer.error.message}`);
    results[answer.id - first] = answer.result;
  }
  return results;
}

async function verifier() {
  const response = await fetch("/verify.wasm");
  if (!response.ok) throw new Error("this explorer has no verifier module (/verify.wasm)");
  const { instance } = await WebAssembly.instantiate(await response.arrayBuffer(), {});
  return instance.exports;
}

function run(exports, input) {
  const bytes = new TextEncoder().encode(JSON.stringify(input));
  const at = exports.alloc(bytes.length);
  new Uint8Array(exports.memory.buffer, at, bytes.length).set(bytes);
  const packed = BigInt.asUintN(64, BigInt(exports.verify(at, bytes.length)));
  const out = Number(packed >> 32n);
  const length = Number(packed & 0xffffffffn);
  const report = JSON.parse(new TextDecoder().decode(new Uint8Array(exports.memory.buffer, out, length)));
  exports.dealloc(at, bytes.length);
  exports.dealloc(out, length);
  return report;
}

function show(section, report, url) {
  const result = section.querySelector(".verify-result");
  result.textContent = "";
  section.dataset.verified = String(report.verified);
  const summary = document.createElement("p");
  summary.className = report.verified ? "verified" : "failed";
  summary.textContent = report.verified
    ? `Verified in this browser: ${report.payments} payments replayed from ${url}; the chain's head ${report.replayed_head} is the one the agency account holds, and every payment listed here is the chain's.`
    : `Not verified: ${report.problems.length} problem(s) between this page and the chain at ${url}.`;
  result.append(summary);
  if (report.verified) return;
  const list = document.createElement("ul");
  list.className = "problems";
  for (const problem of report.problems) {
    const item = document.createElement("li");
    if (problem.sequence !== null) item.dataset.sequence = String(problem.sequence);
    const where = problem.sequence !== null ? `Payment ${problem.sequence} of the chain` : "The chain";
    item.append(`${where}: ${problem.what}`);
    if (problem.signature) {
      item.dataset.signature = problem.signature;
      item.append(" (");
      const link = document.createElement("a");
      link.href = `/payment/${problem.signature}`;
      link.textContent = "its transaction";
      item.append(link, ")");
    }
    if (section.dataset.focus && problem.signature === section.dataset.focus) item.className = "focus";
    list.append(item);
  }
  result.append(list);
}

async function verify(section) {
  const url = section.querySelector("input[name=rpc]").value.trim();
  const result = section.querySelector(".verify-result");
  const status = (text) => (result.textContent = text);
  const agency = section.dataset.agency;
  try {
    status(`Reading agency ${agency} from ${url}...`);
    const account = await rpc(url, "getAccountInfo", [agency, { encoding: "base64", commitment: "confirmed" }]);
    if (!account || !account.value) throw new Error(`${url} has no account ${agency}`);
    const signatures = [];
    for (let before; ; ) {
      const options = { limit: 1000, commitment: "confirmed" };
      if (before) options.before = before;
      const page = await rpc(url, "getSignaturesForAddress", [agency, options]);
      signatures.push(...page.filter((s) => !s.err).map((s) => s.signature));
      if (page.length < 1000) break;
      before = page[page.length - 1].signature;
    }
    const transactions = [];
    for (let at = 0; at < signatures.length; at += 100) {
      const calls = signatures.slice(at, at + 100).map((signature) => [
        "getTransaction",
        [signature, { encoding: "json", maxSupportedTransactionVersion: 0, commitment: "confirmed" }],
      ]);
      transactions.push(...(await batch(url, calls)).filter(Boolean));
      status(`Read ${transactions.length} of ${signatures.length} transactions from ${url}...`);
    }
    // What this server shows of the agency's payments: every row of its list, as JSON.
    const listed = await fetch(section.dataset.claims);
    if (!listed.ok) throw new Error(`this server did not list the agency's payments (HTTP ${listed.status})`);
    const claims = await listed.json();
    const report = run(await verifier(), {
      program: section.dataset.program,
      agency,
      agency_account: account.value.data[0],
      transactions,
      claims,
      decimals: Number(section.dataset.decimals),
    });
    show(section, report, url);
  } catch (error) {
    section.dataset.verified = "error";
    status(`Could not verify: ${error.message}`);
  }
}

for (const section of document.querySelectorAll("section.verify")) {
  section.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    verify(section);
  });
}
