// Calls `pubspend serve` through @solana/web3.js, whose superstruct schemas reject any answer a validator would not
// give. Every call that returns prints one JSON line {"method", "value"} for the Rust test to check; the first
// answer web3.js cannot parse throws, and the script exits 1 naming the method.
//
//   node check.mjs answers RPC_URL PROGRAM_ID
//   node check.mjs wait RPC_URL SECONDS...    (take one blockhash; SECONDS after, sign and send a transfer with it)

import {
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  SystemProgram,
  Transaction,
} from "@solana/web3.js";

const [mode, url, ...rest] = process.argv.slice(2);
const connection = new Connection(url, "confirmed");

function print(method, value) {
  console.log(JSON.stringify({ method, value }, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
}

async function call(method, run) {
  try {
    const value = await run();
    print(method, value);
    return value;
  } catch (err) {
    throw new Error(`${method}: ${err.message}`);
  }
}

/// A funded key, from the server's faucet, confirmed by polling signature statuses.
async function funded() {
  const payer = Keypair.generate();
  const signature = await call("requestAirdrop", () =>
    connection.requestAirdrop(payer.publicKey, 2 * LAMPORTS_PER_SOL),
  );
  await landed(signature);
  return payer;
}

async function landed(signature) {
  for (;;) {
    const { value } = await connection.getSignatureStatuses([signature]);
    if (value[0] !== null) {
      if (value[0].err !== null) throw new Error(`${signature} failed: ${JSON.stringify(value[0].err)}`);
      return value[0];
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function transfer(payer, blockhash, lamports) {
  const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(
    SystemProgram.transfer({
      fromPubkey: payer.publicKey,
      toPubkey: Keypair.generate().publicKey,
      lamports,
    }),
  );
  tx.sign(payer);
  return tx;
}

async function answers(programId) {
  const program = new PublicKey(programId);
  await call("getVersion", () => connection.getVersion());
  await call("getGenesisHash", () => connection.getGenesisHash());
  const slot = await call("getSlot", () => connection.getSlot());
  await call("getBlockTime", () => connection.getBlockTime(slot));
  await call("getBlockTime(genesis)", () => connection.getBlockTime(0));
  await call("getBlockHeight", () => connection.getBlockHeight());
  await call("getEpochInfo", () => connection.getEpochInfo());
  const { blockhash } = await call("getLatestBlockhash", () => connection.getLatestBlockhash());
  await call("isBlockhashValid", () => connection.isBlockhashValid(blockhash));
  await call("getMinimumBalanceForRentExemption", () => connection.getMinimumBalanceForRentExemption(100));
  await call("getAccountInfo", () => connection.getAccountInfo(program));
  await call("getProgramAccounts", async () =>
    (await connection.getProgramAccounts(program)).map(({ pubkey, account }) => ({
      pubkey: pubkey.toBase58(),
      owner: account.owner.toBase58(),
      size: account.data.length,
    })),
  );

  const payer = await funded();
  await call("getBalance", () => connection.getBalance(payer.publicKey));
  const tx = transfer(payer, (await connection.getLatestBlockhash()).blockhash, 1_000_000);
  await call("getFeeForMessage", () => connection.getFeeForMessage(tx.compileMessage()));
  await call("simulateTransaction", async () => (await connection.simulateTransaction(tx)).value.err);
  const signature = await call("sendTransaction", () => connection.sendRawTransaction(tx.serialize()));
  await landed(signature);
  await call("getSignatureStatuses", async () => (await connection.getSignatureStatuses([signature])).value[0].err);
  await call("getTransaction", async () => {
    const landed = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    return { slot: landed.slot, fee: landed.meta.fee, err: landed.meta.err, blockTime: landed.blockTime };
  });
  await call("getParsedTransaction", async () => {
    const parsed = await connection.getParsedTransaction(signature, { maxSupportedTransactionVersion: 0 });
    return parsed.transaction.message.instructions.map((ix) => ix.program);
  });
  await call("getSignaturesForAddress", async () =>
    (await connection.getSignaturesForAddress(payer.publicKey)).map((s) => s.signature),
  );
}

/// Takes one blockhash, then at each mark (seconds after taking it) signs and sends a transfer with it: what a
/// person approving in a wallet does. Prints the block height each was sent at beside the blockhash's
/// lastValidBlockHeight.
async function wait(marks) {
  const payer = await funded();
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
  const taken = Date.now();
  const heightAtTaking = await connection.getBlockHeight("processed");
  for (const [i, mark] of marks.entries()) {
    const due = taken + Number(mark) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    const height = await connection.getBlockHeight("processed");
    const signature = await call(`sendTransaction after ${mark} s`, () =>
      connection.sendRawTransaction(transfer(payer, blockhash, 1_000_000 + i).serialize()),
    );
    await landed(signature);
    print(`blockHeight after ${mark} s`, { heightAtTaking, height, lastValidBlockHeight });
  }
}

try {
  if (mode === "answers") await answers(rest[0]);
  else if (mode === "wait") await wait(rest);
  else throw new Error(`unknown mode ${mode}`);
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
