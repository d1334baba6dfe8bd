//! `pubspend serve` over real Solana clients: `solana-client`'s RpcClient and PubsubClient, and the SDK's
//! RpcBackend, against a server started on free ports inside each test.

/// The scenarios that run on both chains (in this binary: one link of the runtime, not two).
mod batches;
mod both_chains;

use std::{str::FromStr, sync::atomic::Ordering, time::Duration};

use anchor_lang::{
    prelude::Pubkey, solana_program::system_instruction, AccountDeserialize, Discriminator,
};
use futures_util::StreamExt;
use public_spending::{
    error::LedgerError,
    state::{Agency, ApprovalPolicy, Award, AwardStatus, Flag, FlagReason, FlagTarget},
};
use public_spending_embedded::{EmbeddedChain, Pace, SavedChain};
use public_spending_localnet::{Localnet, LocalnetConfig, LocalnetError, Running};
use public_spending_sdk::{
    builders, client::RetryPolicy, fetch::AccountSource, history::History, pda, query::AwardQuery,
    Backend, Client, LedgerEvent, RpcBackend,
};
use public_spending_tests::*;
use serde_json::{json, Value};
use solana_account_decoder::{UiAccountData, UiAccountEncoding};
use solana_client::{
    client_error::{ClientError, ClientErrorKind},
    nonblocking::{pubsub_client::PubsubClient, rpc_client::RpcClient},
    rpc_config::{
        RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig,
        RpcSignatureSubscribeConfig, RpcTransactionConfig,
    },
    rpc_filter::{Memcmp, RpcFilterType},
    rpc_request::{RpcError, RpcRequest, RpcResponseErrorData, TokenAccountsFilter},
    rpc_response::RpcSignatureResult,
};
use solana_commitment_config::CommitmentConfig;
use solana_sdk::{
    hash::Hash,
    message::Message,
    signature::{Keypair, Signature, Signer},
    transaction::{Transaction, TransactionError},
};
use solana_transaction_status::{
    option_serializer::OptionSerializer, EncodedTransaction, UiTransactionEncoding,
};

/// A server on free ports over a fresh chain in a temporary folder.
struct Served {
    running: Running,
    dir: tempfile::TempDir,
}

async fn serve() -> Served {
    let dir = tempfile::tempdir().unwrap();
    let running = Localnet::start(config(&dir)).await.unwrap();
    Served { running, dir }
}

fn config(dir: &tempfile::TempDir) -> LocalnetConfig {
    LocalnetConfig {
        rpc_port: 0,
        ..LocalnetConfig::new(dir.path().join("chain.json"))
    }
}

impl Served {
    fn rpc(&self) -> RpcClient {
        RpcClient::new_with_commitment(self.running.rpc_url(), CommitmentConfig::confirmed())
    }

    /// The SDK's RPC backend, paying with a keypair funded by `requestAirdrop`.
    async fn backend(&self) -> RpcBackend {
        let payer = Keypair::new();
        let backend = RpcBackend::new(self.running.rpc_url(), payer.insecure_clone());
        Chain::airdrop(&backend, &payer.pubkey(), 1_000_000_000_000)
            .await
            .unwrap();
        backend
    }
}

/// The JSON-RPC error code of a failed call.
fn code(err: &ClientError) -> i64 {
    match err.kind() {
        ClientErrorKind::RpcError(RpcError::RpcResponseError { code, .. }) => *code,
        other => panic!("not a JSON-RPC error response: {other:?}"),
    }
}

/// Calls any method by name, as a tool would.
async fn call(rpc: &RpcClient, method: &'static str, params: Value) -> Result<Value, ClientError> {
    rpc.send(RpcRequest::Custom { method }, params).await
}

const POLICY: ApprovalPolicy = ApprovalPolicy {
    threshold: 1_000 * UNIT,
    approvals_required: 2,
    time_lock_seconds: 0,
    fast_path_daily_cap: 5_000 * UNIT,
};

/// A ledger, an agency with its policy, and a funded award of 10,000, all built over JSON-RPC.
async fn ledger_over_rpc(served: &Served) -> (World<RpcBackend>, AgencyFixture, AwardFixture) {
    let mut world = World::on(served.backend().await).await;
    let agency = world.agency("075").await;
    world.set_policy(&agency, POLICY).await;
    let award = world.award(&agency, b"VENDOR000001", 10_000 * UNIT).await;
    (world, agency, award)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cluster_methods_answer_as_a_validator_does() {
    let served = serve().await;
    let rpc = served.rpc();

    rpc.get_health().await.unwrap();
    let version = rpc.get_version().await.unwrap();
    assert_eq!(version.solana_core, "3.1.12");
    assert!(
        version.feature_set.is_some_and(|id| id != 0),
        "a validator always reports its feature set: {version:?}"
    );
    // Before anything lands, every slot reported at any commitment has a time, genesis included, and the
    // SDK reads the chain's clock (the Clock sysvar) in one request.
    let clock = served.running.node().chain().clock().await.unwrap();
    for commitment in [
        CommitmentConfig::processed(),
        CommitmentConfig::confirmed(),
        CommitmentConfig::finalized(),
    ] {
        let reported = rpc.get_slot_with_commitment(commitment).await.unwrap();
        for slot in 0..=reported {
            assert_eq!(
                rpc.get_block_time(slot).await.unwrap(),
                clock.unix_timestamp,
                "slot {slot} at {commitment:?}"
            );
        }
    }
    let sdk = RpcBackend::new(served.running.rpc_url(), Keypair::new());
    assert_eq!(
        public_spending_sdk::Backend::unix_timestamp(&sdk)
            .await
            .unwrap(),
        clock.unix_timestamp
    );
    assert_eq!(
        rpc.get_genesis_hash().await.unwrap(),
        served.running.node().chain().genesis_hash()
    );
    let slot = rpc.get_slot().await.unwrap();
    let epoch = rpc.get_epoch_info().await.unwrap();
    assert_eq!((epoch.epoch, epoch.absolute_slot), (0, slot));
    assert_eq!(rpc.get_block_height().await.unwrap(), epoch.block_height);

    let (blockhash, last_valid) = rpc
        .get_latest_blockhash_with_commitment(CommitmentConfig::confirmed())
        .await
        .unwrap();
    assert!(last_valid > epoch.block_height);
    assert!(rpc
        .is_blockhash_valid(&blockhash, CommitmentConfig::processed())
        .await
        .unwrap());
    assert!(!rpc
        .is_blockhash_valid(&Hash::new_unique(), CommitmentConfig::processed())
        .await
        .unwrap());

    // Two signers: two signatures' fee.
    let (a, b) = (Keypair::new(), Keypair::new());
    let message = Message::new_with_blockhash(
        &[system_instruction::transfer(&a.pubkey(), &b.pubkey(), 1)],
        Some(&a.pubkey()),
        &blockhash,
    );
    let one = rpc.get_fee_for_message(&message).await.unwrap();
    let message = Message::new_with_blockhash(
        &[
            system_instruction::transfer(&a.pubkey(), &b.pubkey(), 1),
            system_instruction::transfer(&b.pubkey(), &a.pubkey(), 1),
        ],
        Some(&a.pubkey()),
        &blockhash,
    );
    assert_eq!(rpc.get_fee_for_message(&message).await.unwrap(), 2 * one);
    assert!(one > 0);

    let rent = served.running.node().chain().rent().await.unwrap();
    assert_eq!(
        rpc.get_minimum_balance_for_rent_exemption(227)
            .await
            .unwrap(),
        rent.minimum_balance(227)
    );

    let to = Pubkey::new_unique();
    let airdrop = rpc.request_airdrop(&to, 2_000_000_000).await.unwrap();
    assert_eq!(rpc.get_balance(&to).await.unwrap(), 2_000_000_000);
    let statuses = rpc.get_signature_statuses(&[airdrop]).await.unwrap().value;
    let status = statuses[0].clone().expect("the airdrop is known");
    assert_eq!(status.err, None);
    let saved = served
        .running
        .node()
        .chain()
        .saved_transaction(&airdrop)
        .unwrap()
        .unwrap();
    assert_eq!(status.slot, saved.slot);
    assert_eq!(
        rpc.get_block_time(saved.slot).await.unwrap(),
        saved.block_time
    );

    // Errors with a validator's codes.
    let err = rpc
        .get_block_time(saved.slot + 1_000_000)
        .await
        .unwrap_err();
    assert_eq!(code(&err), -32004, "block not available");
    let err = call(&rpc, "getNoSuchThing", json!([])).await.unwrap_err();
    assert_eq!(code(&err), -32601, "method not found");
    let err = call(&rpc, "getBalance", json!(["not-a-key"]))
        .await
        .unwrap_err();
    assert_eq!(code(&err), -32602, "invalid params");
    let err = call(&rpc, "getBalance", json!([])).await.unwrap_err();
    assert_eq!(code(&err), -32602, "a missing parameter");
    let err = call(
        &rpc,
        "getSlot",
        json!([{ "minContextSlot": slot + 1_000_000 }]),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), -32016, "minimum context slot not reached");
    assert_eq!(
        call(
            &rpc,
            "getTransaction",
            json!([Signature::new_unique().to_string(), "json"])
        )
        .await
        .unwrap(),
        Value::Null,
        "an unknown transaction is null"
    );
    // A transaction whose signature does not verify.
    let mut forged = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&a.pubkey(), &b.pubkey(), 1)],
        Some(&a.pubkey()),
        &[&a],
        blockhash,
    );
    forged.signatures[0] = Signature::from([7; 64]);
    let err = rpc.send_transaction(&forged).await.unwrap_err();
    assert_eq!(code(&err), -32003);
    // Bytes that are no transaction, and an encoding a transaction is never sent in.
    for params in [
        json!(["not base64 at all!", { "encoding": "base64" }]),
        json!(["AAAA", { "encoding": "base64" }]),
        json!(["AAAA", { "encoding": "jsonParsed" }]),
    ] {
        let err = call(&rpc, "sendTransaction", params.clone())
            .await
            .unwrap_err();
        assert_eq!(code(&err), -32602, "{params}");
    }
    // simulateTransaction's post-simulation accounts are not served; asking for them is refused, not ignored.
    let encoded = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        bincode::serialize(&forged).unwrap(),
    );
    let err = call(
        &rpc,
        "simulateTransaction",
        json!([encoded, { "encoding": "base64", "accounts": { "addresses": [b.pubkey().to_string()] } }]),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), -32602);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_payment_path_answers_wallets_in_every_encoding() {
    let served = serve().await;
    let (mut world, agency, award) = ledger_over_rpc(&served).await;
    let rpc = served.rpc();
    let ledger: public_spending::state::Ledger = world.get(&pda::ledger().0).await;
    assert_eq!(ledger.payment_mint, world.mint);

    // The approval path: request, two approvals, execute.
    let (index, executed) = world
        .pay_through_approval(&agency, &award, 2_500 * UNIT)
        .await;
    let payment = pda::payment(&award.keys.award, index).0;
    // The events come back through getTransaction's inner instructions.
    assert!(matches!(
        &executed.events[..],
        [LedgerEvent::PaymentExecuted(e)] if e.payment == payment && e.record.amount == 2_500 * UNIT
    ));

    // Balances as a wallet reads them.
    let paid_to = world.payout(&award).recipient_token_account();
    let balance = rpc.get_token_account_balance(&paid_to).await.unwrap();
    assert_eq!(
        (
            balance.amount.as_str(),
            balance.decimals,
            balance.ui_amount_string.as_str()
        ),
        ("2500000000", 6, "2500")
    );

    // getTransaction in json and base64, with meta, logs, inner instructions and token balances.
    for encoding in [UiTransactionEncoding::Json, UiTransactionEncoding::Base64] {
        let confirmed = rpc
            .get_transaction_with_config(
                &executed.signature,
                RpcTransactionConfig {
                    encoding: Some(encoding),
                    commitment: Some(CommitmentConfig::confirmed()),
                    max_supported_transaction_version: Some(0),
                },
            )
            .await
            .unwrap();
        let meta = confirmed.transaction.meta.expect("meta");
        assert_eq!(meta.err, None);
        let OptionSerializer::Some(logs) = &meta.log_messages else {
            panic!("no logs")
        };
        assert!(logs
            .iter()
            .any(|l| l == &format!("Program {} invoke [1]", public_spending::ID)));
        let OptionSerializer::Some(inner) = &meta.inner_instructions else {
            panic!("no inner instructions")
        };
        assert_eq!(inner[0].index, 0);
        assert!(
            inner[0].instructions.len() >= 2,
            "the token transfer and the event"
        );
        let (OptionSerializer::Some(pre), OptionSerializer::Some(post)) =
            (&meta.pre_token_balances, &meta.post_token_balances)
        else {
            panic!("no token balances")
        };
        let of = |balances: &Vec<solana_transaction_status::UiTransactionTokenBalance>,
                  owner: &Pubkey| {
            balances
                .iter()
                .find(|b| b.owner == OptionSerializer::Some(owner.to_string()))
                .map(|b| b.ui_token_amount.amount.parse::<u64>().unwrap())
                .unwrap_or(0)
        };
        assert_eq!(
            of(post, &award.payout_wallet) - of(pre, &award.payout_wallet),
            2_500 * UNIT
        );
        assert_eq!(meta.fee, 10_000, "the fee payer and the executor sign");
        assert_eq!(meta.pre_balances.len(), meta.post_balances.len());
        match (encoding, &confirmed.transaction.transaction) {
            (UiTransactionEncoding::Json, EncodedTransaction::Json(ui)) => {
                assert_eq!(ui.signatures[0], executed.signature.to_string());
            }
            (UiTransactionEncoding::Base64, encoded @ EncodedTransaction::Binary(..)) => {
                let decoded = encoded.decode().expect("decodes");
                assert_eq!(decoded.signatures[0], executed.signature);
            }
            (encoding, other) => panic!("{encoding:?} answered with {other:?}"),
        }
        assert!(confirmed.block_time.is_some());
    }

    // jsonParsed names the programs and parses the token transfer.
    let parsed = call(
        &rpc,
        "getTransaction",
        json!([executed.signature.to_string(), {
            "encoding": "jsonParsed", "maxSupportedTransactionVersion": 0
        }]),
    )
    .await
    .unwrap();
    let inner = &parsed["meta"]["innerInstructions"][0]["instructions"];
    assert!(
        inner
            .as_array()
            .unwrap()
            .iter()
            .any(
                |ix| ix["program"] == "spl-token" && ix["parsed"]["type"] == "transferChecked"
                    || ix["parsed"]["type"] == "transfer"
            ),
        "{inner}"
    );
    // The award's paged history is read back the same on both chains: tests/rpc/both_chains.rs.
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queries_with_filters_and_encodings_over_rpc() {
    let served = serve().await;
    let (mut world, agency, award) = ledger_over_rpc(&served).await;
    let second = world
        .award_under(
            &agency,
            award.keys.appropriation,
            award.keys.allotment,
            b"VENDOR000002",
            3_000 * UNIT,
        )
        .await;
    let rpc = served.rpc();

    // The SDK's typed queries become memcmp filters on the node.
    let client = Client::new(&world.chain);
    let awards = client
        .list(&AwardQuery {
            agency: Some(agency.agency),
            status: Some(AwardStatus::Active),
            ..AwardQuery::default()
        })
        .await
        .unwrap();
    let mut keys: Vec<Pubkey> = awards.iter().map(|(k, _)| *k).collect();
    keys.sort();
    let mut expected = vec![award.keys.award, second.keys.award];
    expected.sort();
    assert_eq!(keys, expected);
    let by_recipient = client
        .list(&AwardQuery {
            recipient: Some(second.keys.recipient),
            ..AwardQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(by_recipient.len(), 1);
    assert_eq!(by_recipient[0].0, second.keys.award);

    // dataSize and a base58 memcmp on the discriminator select the same accounts.
    let size = rpc.get_account(&award.keys.award).await.unwrap().data.len() as u64;
    let config = |filters, encoding, with_context| RpcProgramAccountsConfig {
        filters: Some(filters),
        account_config: RpcAccountInfoConfig {
            encoding: Some(encoding),
            ..RpcAccountInfoConfig::default()
        },
        with_context: Some(with_context),
        sort_results: None,
    };
    let by_size = rpc
        .get_program_ui_accounts_with_config(
            &public_spending::ID,
            config(
                vec![RpcFilterType::DataSize(size)],
                UiAccountEncoding::Base64,
                true,
            ),
        )
        .await
        .unwrap();
    let by_kind = rpc
        .get_program_ui_accounts_with_config(
            &public_spending::ID,
            config(
                vec![RpcFilterType::Memcmp(Memcmp::new_base58_encoded(
                    0,
                    Award::DISCRIMINATOR,
                ))],
                UiAccountEncoding::Base64,
                false,
            ),
        )
        .await
        .unwrap();
    let sorted = |list: &[(Pubkey, solana_account_decoder::UiAccount)]| {
        let mut keys: Vec<Pubkey> = list.iter().map(|(k, _)| *k).collect();
        keys.sort();
        keys
    };
    assert_eq!(sorted(&by_size), expected);
    assert_eq!(sorted(&by_kind), expected);
    for (key, account) in &by_kind {
        let account = account.decode::<solana_sdk::account::Account>().unwrap();
        let decoded = Award::try_deserialize(&mut account.data.as_slice()).unwrap();
        assert_eq!(decoded.agency, agency.agency, "{key}");
    }
    // withContext wraps the list in a context, as on a validator.
    let wrapped = call(
        &rpc,
        "getProgramAccounts",
        json!([public_spending::ID.to_string(), {
            "encoding": "base64", "withContext": true,
            "filters": [{ "dataSize": size }]
        }]),
    )
    .await
    .unwrap();
    assert!(wrapped["context"]["slot"].is_u64());
    assert_eq!(wrapped["value"].as_array().unwrap().len(), 2);
    // jsonParsed on an account no parser knows falls back to base64, as on a validator.
    let parsed = call(
        &rpc,
        "getAccountInfo",
        json!([agency.agency.to_string(), { "encoding": "jsonParsed" }]),
    )
    .await
    .unwrap();
    assert_eq!(parsed["value"]["data"][1], "base64");
    // base64+zstd and dataSlice, decoded as a client decodes them.
    let full = rpc.get_account(&award.keys.award).await.unwrap();
    for (encoding, slice) in [
        (UiAccountEncoding::Base64Zstd, None),
        (
            UiAccountEncoding::Base64,
            Some(solana_account_decoder::UiDataSliceConfig {
                offset: 8,
                length: 32,
            }),
        ),
    ] {
        let ui = rpc
            .get_ui_account_with_config(
                &award.keys.award,
                RpcAccountInfoConfig {
                    encoding: Some(encoding),
                    data_slice: slice,
                    ..RpcAccountInfoConfig::default()
                },
            )
            .await
            .unwrap()
            .value
            .unwrap();
        let data = ui.data.decode().unwrap();
        match slice {
            None => assert_eq!(data, full.data),
            Some(slice) => assert_eq!(data, full.data[slice.offset..slice.offset + slice.length]),
        }
    }
    // A filter too long is refused.
    let err = call(
        &rpc,
        "getProgramAccounts",
        json!([public_spending::ID.to_string(), {
            "filters": [{ "memcmp": { "offset": 0, "bytes": "1".repeat(200) } }]
        }]),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), -32602);
    // Binary (base58) is refused above 128 bytes.
    let err = call(&rpc, "getAccountInfo", json!([agency.agency.to_string()]))
        .await
        .unwrap_err();
    assert_eq!(code(&err), -32602);

    // Token accounts by owner, parsed.
    let agency_state: Agency = world.get(&agency.agency).await;
    let _ = agency_state;
    let pay = world.pay_small_ix(&agency, &award, 300 * UNIT).await;
    world
        .send(&[pay.instruction()], &[&agency.executor])
        .await
        .unwrap();
    let owned = rpc
        .get_token_accounts_by_owner(&award.payout_wallet, TokenAccountsFilter::Mint(world.mint))
        .await
        .unwrap();
    assert_eq!(owned.len(), 1);
    assert_eq!(
        owned[0].pubkey,
        world.payout(&award).recipient_token_account().to_string()
    );
    let UiAccountData::Json(parsed) = &owned[0].account.data else {
        panic!("token accounts are parsed: {:?}", owned[0].account.data)
    };
    assert_eq!(
        parsed.parsed["info"]["tokenAmount"]["uiAmountString"],
        "300"
    );
    assert_eq!(parsed.program, "spl-token");

    // The token program's accounts, by state and by owner (offset 32 of a token account).
    let tokens = rpc
        .get_program_ui_accounts_with_config(
            &anchor_spl::token::spl_token::ID,
            config(
                vec![
                    RpcFilterType::TokenAccountState,
                    RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
                        32,
                        award.payout_wallet.to_bytes().to_vec(),
                    )),
                ],
                UiAccountEncoding::Base64,
                false,
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        tokens.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        vec![world.payout(&award).recipient_token_account()]
    );
    let mints = rpc
        .get_program_ui_accounts_with_config(
            &anchor_spl::token::spl_token::ID,
            config(
                vec![
                    RpcFilterType::TokenAccountState,
                    RpcFilterType::DataSize(82),
                ],
                UiAccountEncoding::Base64,
                false,
            ),
        )
        .await
        .unwrap();
    assert!(mints.is_empty(), "a mint is no token account");

    // Several accounts at once, a missing one as null.
    let missing = Pubkey::new_unique();
    let many = rpc
        .get_multiple_accounts(&[agency.agency, award.keys.award, missing])
        .await
        .unwrap();
    assert!(many[0].is_some() && many[1].is_some() && many[2].is_none());
}

/// Flags raised by many wallets at once, some valid and some refused by the program, each sent through the
/// SDK client as an application would (a blockhash that expires in the queue is signed anew).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_concurrent_clients_lose_nothing() {
    const CLIENTS: usize = 32;
    const VALID: u32 = 8;
    const REFUSED: u32 = 3;
    let served = serve().await;
    let (world, _agency, award) = ledger_over_rpc(&served).await;
    let url = served.running.rpc_url();
    let target = award.keys.award;

    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let flagger = Keypair::new();
            let backend = RpcBackend::new(url, flagger.insecure_clone());
            Chain::airdrop(&backend, &flagger.pubkey(), 10_000_000_000)
                .await
                .unwrap();
            let client = Client::new(backend).with_retry(RetryPolicy {
                attempts: 8,
                backoff: Duration::from_millis(50),
            });
            let mut landed = Vec::new();
            let mut refused = Vec::new();
            for nonce in 0..VALID + REFUSED {
                let valid = nonce < VALID;
                let raise = builders::RaiseFlag {
                    target,
                    payment_award: None,
                    target_kind: FlagTarget::Award,
                    flagger: flagger.pubkey(),
                    nonce,
                    reason: FlagReason::Price,
                    // A zero evidence hash is refused.
                    evidence_hash: if valid { [9; 32] } else { [0; 32] },
                    payment_index: None,
                };
                let flag = raise.flag();
                let sent = client
                    .submit(&[raise.instruction()], &[&flagger], || async {
                        Ok(client.backend().get_account(&flag).await?.is_some())
                    })
                    .await;
                match sent {
                    Ok(_) => landed.push((flagger.pubkey(), nonce)),
                    Err(err) => refused.push(err.ledger_error().map(u32::from)),
                }
            }
            (landed, refused)
        }));
    }
    let mut landed = Vec::new();
    for task in tasks {
        let (ok, refused) = task.await.unwrap();
        assert_eq!(
            refused,
            vec![Some(u32::from(LedgerError::InvalidEvidenceHash)); REFUSED as usize]
        );
        landed.extend(ok);
    }
    assert_eq!(landed.len(), CLIENTS * VALID as usize);

    // Every landed flag is on chain, and the transaction that created it is in the target's history.
    let history = world
        .chain
        .signatures_for_address(&target, None, None, 1000)
        .await
        .unwrap();
    let rpc = served.rpc();
    for (flagger, nonce) in &landed {
        let flag = pda::flag(&target, flagger, *nonce).0;
        let account = rpc.get_account(&flag).await.unwrap();
        let stored = Flag::try_deserialize(&mut account.data.as_slice()).unwrap();
        assert_eq!((stored.flagger, stored.target), (*flagger, target));
        let created = rpc.get_signatures_for_address(&flag).await.unwrap();
        assert_eq!(created.len(), 1, "one transaction made flag {flag}");
        let signature = Signature::from_str(&created[0].signature).unwrap();
        assert!(
            history.iter().any(|s| s.signature == signature),
            "{signature} is in the history"
        );
    }
    assert_eq!(
        history.len(),
        landed.len() + 1,
        "the flags, the obligation, and nothing refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_that_hangs_up_mid_request_leaves_the_chain_consistent() {
    use tokio::io::AsyncWriteExt;
    let served = serve().await;
    let rpc = served.rpc();
    let payer = Keypair::new();
    rpc.request_airdrop(&payer.pubkey(), 10_000_000_000)
        .await
        .unwrap();
    let to = Pubkey::new_unique();
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let transaction = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(
            &payer.pubkey(),
            &to,
            1_000_000_000,
        )],
        Some(&payer.pubkey()),
        &[&payer],
        blockhash,
    );
    let encoded = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        bincode::serialize(&transaction).unwrap(),
    );
    let body = json!({
        "jsonrpc": "2.0", "id": 1, "method": "sendTransaction",
        "params": [encoded, { "encoding": "base64" }]
    })
    .to_string();
    let mut stream = tokio::net::TcpStream::connect(served.running.rpc_addr())
        .await
        .unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    // Hang up without reading the answer, as the server takes the request.
    tokio::time::sleep(Duration::from_millis(5)).await;
    drop(stream);

    // The transfer landed whole or not at all; either way the server still answers.
    let signature = transaction.signatures[0];
    let mut status = None;
    for _ in 0..100 {
        status = rpc
            .get_signature_statuses(&[signature])
            .await
            .unwrap()
            .value[0]
            .clone();
        if status.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let balance = rpc.get_balance(&to).await.unwrap();
    match status {
        Some(status) => {
            assert_eq!(status.err, None);
            assert_eq!(balance, 1_000_000_000);
            assert_eq!(
                rpc.get_balance(&payer.pubkey()).await.unwrap(),
                9_000_000_000 - 5_000
            );
        }
        None => {
            assert_eq!(balance, 0);
            assert_eq!(
                rpc.get_balance(&payer.pubkey()).await.unwrap(),
                10_000_000_000
            );
        }
    }
    // Sent again, it lands once: refused as already processed (or, once its blockhash has expired, as too
    // old), or landing now if it had not.
    let again = rpc.send_and_confirm_transaction(&transaction).await;
    let landed_before = rpc.get_balance(&to).await.unwrap() == balance + 1_000_000_000;
    match again {
        Ok(_) => assert!(
            landed_before && balance == 0,
            "it lands now only if it had not"
        ),
        Err(err) => {
            assert!(matches!(
                err.get_transaction_error(),
                Some(TransactionError::AlreadyProcessed | TransactionError::BlockhashNotFound)
            ));
            assert_eq!(rpc.get_balance(&to).await.unwrap(), balance, "{err}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn preflight_refuses_with_the_program_error_and_skipping_it_lands_the_failure() {
    let served = serve().await;
    let (world, agency, award) = ledger_over_rpc(&served).await;
    let rpc = served.rpc();
    let too_much = world
        .pay_small_ix(&agency, &award, 1_000 * UNIT)
        .await
        .instruction();
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let transaction = Transaction::new_signed_with_payer(
        &[too_much],
        Some(&agency.executor.pubkey()),
        &[&agency.executor],
        blockhash,
    );
    let before = rpc.get_balance(&agency.executor.pubkey()).await.unwrap();

    // Simulation reports the refusal and its logs, and changes nothing.
    let simulated = rpc.simulate_transaction(&transaction).await.unwrap().value;
    assert_eq!(
        simulated.err.map(TransactionError::from),
        Some(TransactionError::InstructionError(
            0,
            solana_sdk::instruction::InstructionError::Custom(u32::from(
                LedgerError::AboveFastPathThreshold
            )),
        ))
    );
    assert!(simulated.logs.unwrap().iter().any(|l| l.ends_with(&format!(
        "failed: custom program error: {:#x}",
        u32::from(LedgerError::AboveFastPathThreshold)
    ))));
    // A payment that would pass, simulated with inner instructions, and with its blockhash replaced.
    let fits = world
        .pay_small_ix(&agency, &award, 300 * UNIT)
        .await
        .instruction();
    let stale = Transaction::new_signed_with_payer(
        &[fits],
        Some(&agency.executor.pubkey()),
        &[&agency.executor],
        Hash::new_unique(),
    );
    let simulated = rpc
        .simulate_transaction_with_config(
            &stale,
            solana_client::rpc_config::RpcSimulateTransactionConfig {
                sig_verify: false,
                replace_recent_blockhash: true,
                inner_instructions: true,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .value;
    assert_eq!(simulated.err, None);
    assert!(simulated.replacement_blockhash.is_some());
    assert!(simulated.units_consumed.is_some_and(|units| units > 0));
    assert!(simulated
        .inner_instructions
        .is_some_and(|sets| sets.iter().any(|set| set.instructions.len() >= 2)));
    let unchanged: Award = world.get(&award.keys.award).await;
    assert_eq!(
        (unchanged.outlayed, unchanged.payment_count),
        (0, 0),
        "simulation paid nothing"
    );

    let err = rpc.send_transaction(&transaction).await.unwrap_err();
    assert_eq!(code(&err), -32002);
    let ClientErrorKind::RpcError(RpcError::RpcResponseError {
        data: RpcResponseErrorData::SendTransactionPreflightFailure(simulation),
        ..
    }) = err.kind()
    else {
        panic!("{err:?}")
    };
    assert!(simulation
        .logs
        .as_ref()
        .is_some_and(|logs| !logs.is_empty()));
    let expected = TransactionError::InstructionError(
        0,
        solana_sdk::instruction::InstructionError::Custom(u32::from(
            LedgerError::AboveFastPathThreshold,
        )),
    );
    assert_eq!(err.get_transaction_error(), Some(expected.clone()));
    assert_eq!(
        rpc.get_balance(&agency.executor.pubkey()).await.unwrap(),
        before,
        "refused, unpaid"
    );
    assert_eq!(
        rpc.get_signature_statuses(&[transaction.signatures[0]])
            .await
            .unwrap()
            .value[0],
        None
    );

    // Without preflight it lands, failed, and pays its fee; nothing else changes.
    let signature = rpc
        .send_transaction_with_config(
            &transaction,
            RpcSendTransactionConfig {
                skip_preflight: true,
                ..RpcSendTransactionConfig::default()
            },
        )
        .await
        .unwrap();
    let status = rpc
        .get_signature_statuses(&[signature])
        .await
        .unwrap()
        .value[0]
        .clone()
        .unwrap();
    assert_eq!(status.err, Some(expected.clone()));
    assert_eq!(
        rpc.get_balance(&agency.executor.pubkey()).await.unwrap(),
        before - 5_000
    );
    let history = rpc
        .get_signatures_for_address(&award.keys.award)
        .await
        .unwrap();
    assert_eq!(history[0].signature, signature.to_string());
    assert!(history[0].err.is_some());
    let confirmed = rpc
        .get_transaction(&signature, UiTransactionEncoding::Json)
        .await
        .unwrap();
    assert_eq!(
        confirmed.transaction.meta.unwrap().err,
        Some(expected.into())
    );
    let stored: Award = world.get(&award.keys.award).await;
    assert_eq!((stored.outlayed, stored.payment_count), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn subscriptions_hear_signatures_and_accounts() {
    let served = serve().await;
    let rpc = served.rpc();
    let pubsub = PubsubClient::new(&served.running.ws_url()).await.unwrap();
    let payer = Keypair::new();
    rpc.request_airdrop(&payer.pubkey(), 10_000_000_000)
        .await
        .unwrap();
    let to = Pubkey::new_unique();

    let (mut accounts, unsubscribe) = pubsub
        .account_subscribe(
            &to,
            Some(RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                ..RpcAccountInfoConfig::default()
            }),
        )
        .await
        .unwrap();
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let transaction = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(
            &payer.pubkey(),
            &to,
            1_500_000_000,
        )],
        Some(&payer.pubkey()),
        &[&payer],
        blockhash,
    );
    let (mut signatures, _unsubscribe_signature) = pubsub
        .signature_subscribe(
            &transaction.signatures[0],
            Some(RpcSignatureSubscribeConfig {
                commitment: Some(CommitmentConfig::confirmed()),
                enable_received_notification: None,
            }),
        )
        .await
        .unwrap();
    rpc.send_transaction(&transaction).await.unwrap();

    let heard = tokio::time::timeout(Duration::from_secs(10), signatures.next())
        .await
        .expect("a signature notification")
        .expect("the stream is open");
    assert!(matches!(
        heard.value,
        RpcSignatureResult::ProcessedSignature(ref result) if result.err.is_none()
    ));
    let account = tokio::time::timeout(Duration::from_secs(10), accounts.next())
        .await
        .expect("an account notification")
        .expect("the stream is open");
    assert_eq!(account.value.lamports, 1_500_000_000);
    unsubscribe().await;

    // Subscribing to a signature that already landed is answered at once.
    let (mut late, _unsubscribe_late) = pubsub
        .signature_subscribe(&transaction.signatures[0], None)
        .await
        .unwrap();
    let heard = tokio::time::timeout(Duration::from_secs(10), late.next())
        .await
        .expect("an immediate notification")
        .unwrap();
    assert!(matches!(
        heard.value,
        RpcSignatureResult::ProcessedSignature(_)
    ));
}

/// The next notification of a stream, within a guard that keeps a silent server from hanging the test.
fn notified<T>(what: &str, next: Result<Option<T>, tokio::time::error::Elapsed>) -> T {
    next.unwrap_or_else(|_| panic!("no {what} notification in 10 s"))
        .unwrap_or_else(|| panic!("the {what} stream closed"))
}

/// `logsSubscribe` (every transaction, or those naming one address), `programSubscribe` (the accounts a program
/// owns, as each transaction leaves them) and `slotSubscribe`, with a validator's shapes and refusals.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn subscriptions_hear_logs_program_accounts_and_slots() {
    use solana_client::rpc_config::{
        RpcProgramAccountsConfig, RpcTransactionLogsConfig, RpcTransactionLogsFilter,
    };
    let served = serve().await;
    let rpc = served.rpc();
    let pubsub = PubsubClient::new(&served.running.ws_url()).await.unwrap();
    let payer = Keypair::new();
    rpc.request_airdrop(&payer.pubkey(), 10_000_000_000)
        .await
        .unwrap();
    let to = Pubkey::new_unique();
    let no_config = RpcTransactionLogsConfig { commitment: None };

    let (mut mentioning, _u1) = pubsub
        .logs_subscribe(
            RpcTransactionLogsFilter::Mentions(vec![to.to_string()]),
            no_config.clone(),
        )
        .await
        .unwrap();
    let (mut all, _u2) = pubsub
        .logs_subscribe(RpcTransactionLogsFilter::All, no_config.clone())
        .await
        .unwrap();
    let (mut owned, _u3) = pubsub
        .program_subscribe(
            &anchor_lang::system_program::ID,
            Some(RpcProgramAccountsConfig {
                filters: Some(vec![solana_client::rpc_filter::RpcFilterType::DataSize(0)]),
                ..RpcProgramAccountsConfig::default()
            }),
        )
        .await
        .unwrap();
    let (mut slots, _u4) = pubsub.slot_subscribe().await.unwrap();
    let refused = pubsub
        .logs_subscribe(
            RpcTransactionLogsFilter::Mentions(vec![to.to_string(), payer.pubkey().to_string()]),
            no_config,
        )
        .await
        .err()
        .expect("two addresses are refused")
        .to_string();
    assert!(refused.contains("Only 1 address supported"), "{refused}");

    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let transaction = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(
            &payer.pubkey(),
            &to,
            1_500_000_000,
        )],
        Some(&payer.pubkey()),
        &[&payer],
        blockhash,
    );
    rpc.send_transaction(&transaction).await.unwrap();
    let guard = Duration::from_secs(10);

    let heard = notified("logs", tokio::time::timeout(guard, mentioning.next()).await);
    assert_eq!(heard.value.signature, transaction.signatures[0].to_string());
    assert!(heard.value.err.is_none());
    assert_eq!(
        heard.value.logs.first().map(String::as_str),
        Some("Program 11111111111111111111111111111111 invoke [1]")
    );
    // Every transaction since the subscription: the transfer alone (the airdrop landed before it).
    let heard = notified("logs", tokio::time::timeout(guard, all.next()).await);
    assert_eq!(heard.value.signature, transaction.signatures[0].to_string());

    let mut accounts = Vec::new();
    while accounts.len() < 2 {
        let heard = notified("program", tokio::time::timeout(guard, owned.next()).await);
        if heard.value.pubkey == to.to_string() || heard.value.pubkey == payer.pubkey().to_string()
        {
            accounts.push((heard.value.pubkey, heard.value.account.lamports));
        }
    }
    assert!(
        accounts.contains(&(to.to_string(), 1_500_000_000)),
        "{accounts:?}"
    );

    let slot = notified("slot", tokio::time::timeout(guard, slots.next()).await);
    assert!(slot.slot >= 1 && slot.parent == slot.slot - 1, "{slot:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_chain_is_saved_on_shutdown_and_served_again() {
    let served = serve().await;
    let rpc = served.rpc();
    let to = Pubkey::new_unique();
    let airdrop = rpc.request_airdrop(&to, 3_000_000_000).await.unwrap();
    let state = served.dir.path().join("chain.json");

    // The file is locked while served.
    let busy = Localnet::start(config(&served.dir)).await;
    assert!(
        matches!(busy, Err(LocalnetError::AlreadyServed { ref path, ref url })
            if *path == state && *url == served.running.rpc_url()),
        "{:?}",
        busy.err()
    );

    let Served { running, dir } = served;
    running.shutdown().await.unwrap();
    let again = Localnet::start(config(&dir)).await.unwrap();
    let rpc = RpcClient::new(again.rpc_url());
    assert_eq!(rpc.get_balance(&to).await.unwrap(), 3_000_000_000);
    let history = rpc.get_signatures_for_address(&to).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(Signature::from_str(&history[0].signature).unwrap(), airdrop);
    // Served again, it goes on from the slot after its newest transaction.
    let resumed = rpc
        .get_slot_with_commitment(CommitmentConfig::processed())
        .await
        .unwrap();
    assert!(
        resumed > history[0].slot,
        "{resumed} after {}",
        history[0].slot
    );
    again.shutdown().await.unwrap();
}

#[tokio::test]
async fn binding_beyond_loopback_must_be_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let refused = Localnet::start(LocalnetConfig {
        bind: "0.0.0.0".parse().unwrap(),
        ..config(&dir)
    })
    .await;
    assert!(matches!(refused, Err(LocalnetError::NotLoopback(_))));
    assert!(
        !dir.path().join("chain.json").exists(),
        "nothing was started or written"
    );
}

/// A schedule paid in v0 transactions over JSON-RPC, its accounts looked up in a table: the SDK's RPC backend
/// compiles and signs v0 messages, and reads their events back through the loaded addresses.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_schedule_is_paid_in_v0_transactions_with_a_lookup_table_over_rpc() {
    // The ledger is built on an embedded chain, with the table written in, then saved and served.
    let mut world = World::new().await;
    let agency = world.agency("075").await;
    world.set_policy(&agency, POLICY).await;
    let appropriation = world.appropriation(&agency, 100_000 * UNIT).await;
    let allotment = world.allot(&agency, appropriation, 100_000 * UNIT).await;
    let mut awards = Vec::new();
    for i in 0..20 {
        let uei: [u8; 12] = format!("VENDOR{i:06}").as_bytes().try_into().unwrap();
        awards.push(
            world
                .award_under(&agency, appropriation, allotment, &uei, 1_000 * UNIT)
                .await,
        );
    }
    let schedule: Vec<(Pubkey, u64, [u8; 32])> = awards
        .iter()
        .map(|a| {
            (
                a.keys.award,
                20 * UNIT,
                payment_args(20 * UNIT).invoice_hash,
            )
        })
        .collect();
    // Token accounts are created first, so that the table holds them.
    for award in &awards {
        world.open_payout_account(&agency, award).await;
    }
    let addresses = Client::new(&world.chain)
        .batch_table_addresses(&agency.agency, &schedule, &agency.executor.pubkey())
        .await
        .unwrap();
    let table = world.plant_lookup_table(addresses);
    let dir = tempfile::tempdir().unwrap();
    let saved = world.chain.export().await.unwrap();
    std::fs::write(
        dir.path().join("chain.json"),
        serde_json::to_vec(&saved).unwrap(),
    )
    .unwrap();
    let running = Localnet::start(config(&dir)).await.unwrap();

    let backend = RpcBackend::new(running.rpc_url(), agency.executor.insecure_clone());
    let client = Client::new(&backend);
    let read = client.lookup_table(&table.key).await.unwrap();
    assert_eq!(read, table);
    let sent = client
        .pay_batch(&agency.agency, &schedule, &agency.executor, &[read])
        .await
        .unwrap();
    let rpc = RpcClient::new(running.rpc_url());
    let mut paid = 0;
    for (lines, submitted) in &sent {
        let outcome = submitted.outcome().expect("sent once");
        let executed: Vec<_> = outcome
            .events
            .iter()
            .filter_map(|e| match e {
                LedgerEvent::PaymentExecuted(e) => Some(e.record.award),
                _ => None,
            })
            .collect();
        let expected: Vec<Pubkey> = lines.iter().map(|&i| schedule[i].0).collect();
        assert_eq!(executed, expected, "one event per line, in order");
        paid += lines.len();
        // It went as a v0 transaction, with its accounts loaded from the table.
        let confirmed = rpc
            .get_transaction_with_config(
                &outcome.signature,
                RpcTransactionConfig {
                    encoding: Some(UiTransactionEncoding::Base64),
                    commitment: None,
                    max_supported_transaction_version: Some(0),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            confirmed.transaction.version,
            Some(solana_sdk::transaction::TransactionVersion::Number(0))
        );
        let OptionSerializer::Some(loaded) = confirmed.transaction.meta.unwrap().loaded_addresses
        else {
            panic!("no loaded addresses")
        };
        assert!(
            loaded.writable.len() + loaded.readonly.len()
                >= public_spending::instructions::payments::pay_batch::BATCH_ITEM_ACCOUNTS
                    * lines.len()
        );
        // A v0 transaction is refused to a client that does not accept versions, as by a validator.
        let err = rpc
            .get_transaction(&outcome.signature, UiTransactionEncoding::Json)
            .await
            .unwrap_err();
        assert_eq!(code(&err), -32015);
    }
    assert_eq!(paid, 20);
    for award in &awards {
        let paid_to = world.payout(award).recipient_token_account();
        assert_eq!(
            rpc.get_token_account_balance(&paid_to)
                .await
                .unwrap()
                .amount,
            (20 * UNIT).to_string()
        );
    }
    running.shutdown().await.unwrap();
}

/// The open slot closes when a transaction landed in it, as a validator's blocks do, so that slots, block
/// times and slot hashes move on: an address lookup table is created and extended with its own program over
/// RPC, as `solana address-lookup-table create/extend` would, and serves once its slot has closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slots_move_on_and_a_lookup_table_made_over_rpc_serves_the_next_transaction() {
    use solana_address_lookup_table_interface::instruction::{
        create_lookup_table, extend_lookup_table,
    };
    use solana_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
    let served = serve().await;
    let rpc = served.rpc();
    let payer = Keypair::new();
    rpc.request_airdrop(&payer.pubkey(), 10_000_000_000)
        .await
        .unwrap();
    // Sends, then waits for the transaction's slot to close.
    let send = |ixs: Vec<solana_sdk::instruction::Instruction>| {
        let rpc = &rpc;
        let payer = &payer;
        async move {
            let blockhash = rpc.get_latest_blockhash().await.unwrap();
            let tx = Transaction::new_signed_with_payer(
                &ixs,
                Some(&payer.pubkey()),
                &[payer],
                blockhash,
            );
            let signature = rpc.send_and_confirm_transaction(&tx).await.unwrap();
            let slot = rpc
                .get_signature_statuses(&[signature])
                .await
                .unwrap()
                .value[0]
                .clone()
                .unwrap()
                .slot;
            while rpc
                .get_slot_with_commitment(CommitmentConfig::processed())
                .await
                .unwrap()
                <= slot
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            slot
        }
    };
    let (a, b) = (Pubkey::new_unique(), Pubkey::new_unique());
    let s1 = send(vec![system_instruction::transfer(
        &payer.pubkey(),
        &a,
        1_000_000_000,
    )])
    .await;
    let s2 = send(vec![system_instruction::transfer(
        &payer.pubkey(),
        &b,
        1_000_000_000,
    )])
    .await;
    assert!(s2 > s1, "a later transaction in a later slot: {s1}, {s2}");
    assert_eq!(
        rpc.get_slot_with_commitment(CommitmentConfig::finalized())
            .await
            .unwrap(),
        s2
    );
    assert_eq!(
        rpc.get_slot_with_commitment(CommitmentConfig::processed())
            .await
            .unwrap(),
        s2 + 1
    );
    assert_eq!(
        rpc.get_block_time(s1).await.unwrap(),
        rpc.get_block_time(s2).await.unwrap(),
        "the clock's time moves only when it is moved"
    );

    // The lookup table, with its own program: created at a recent (finalized) slot, then extended.
    let recent = rpc
        .get_slot_with_commitment(CommitmentConfig::finalized())
        .await
        .unwrap();
    let (create, table) = create_lookup_table(payer.pubkey(), payer.pubkey(), recent);
    send(vec![create]).await;
    send(vec![extend_lookup_table(
        table,
        payer.pubkey(),
        Some(payer.pubkey()),
        vec![a, b],
    )])
    .await;
    let table = AddressLookupTableAccount {
        key: table,
        addresses: vec![a, b],
    };
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let message = v0::Message::try_compile(
        &payer.pubkey(),
        &[
            system_instruction::transfer(&payer.pubkey(), &a, 1),
            system_instruction::transfer(&payer.pubkey(), &b, 1),
        ],
        &[table],
        blockhash,
    )
    .unwrap();
    let v0 = solana_sdk::transaction::VersionedTransaction::try_new(
        VersionedMessage::V0(message),
        &[&payer],
    )
    .unwrap();
    let signature = rpc.send_and_confirm_transaction(&v0).await.unwrap();
    let confirmed = rpc
        .get_transaction_with_config(
            &signature,
            RpcTransactionConfig {
                encoding: Some(UiTransactionEncoding::Json),
                commitment: None,
                max_supported_transaction_version: Some(0),
            },
        )
        .await
        .unwrap();
    let OptionSerializer::Some(loaded) = confirmed.transaction.meta.unwrap().loaded_addresses
    else {
        panic!("no loaded addresses")
    };
    assert_eq!(loaded.writable, vec![a.to_string(), b.to_string()]);
    assert_eq!(rpc.get_balance(&a).await.unwrap(), 1_000_000_001);
}

/// The web3.js harness (`tests/web3/check.mjs`) for `mode`, or `None` when Node.js or the harness's packages are
/// missing (skipped with a line; under CI, which installs both, that fails instead).
fn web3(test: &str, mode: &str, url: &str) -> Option<std::process::Command> {
    let node = external_program("node", test, "apt-get install nodejs")?;
    let harness = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/web3");
    if !harness.join("node_modules/@solana/web3.js").is_dir() {
        prerequisite_missing(
            test,
            "@solana/web3.js is not installed",
            "npm ci --prefix localnet/tests/web3",
        );
        return None;
    }
    let mut command = std::process::Command::new(node);
    command.current_dir(&harness).args(["check.mjs", mode, url]);
    Some(command)
}

/// Runs the harness and returns each method's value; a non-zero exit (an answer web3.js could not parse, or a
/// transaction that did not land) fails the test with what the harness said.
async fn run_web3(mut command: std::process::Command) -> Vec<(String, Value)> {
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "web3.js refused an answer: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let mut entry: Value = serde_json::from_str(line).unwrap();
            (
                entry["method"].as_str().unwrap().to_string(),
                entry["value"].take(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn web3js_parses_every_answer() {
    let served = serve().await;
    let Some(mut command) = web3(
        "web3js_parses_every_answer",
        "answers",
        &served.running.rpc_url(),
    ) else {
        return;
    };
    command.arg(public_spending::ID.to_string());
    let (world, agency, _award) = ledger_over_rpc(&served).await;
    let answers = run_web3(command).await;
    let value = |method: &str| -> &Value {
        &answers
            .iter()
            .find(|(m, _)| m == method)
            .unwrap_or_else(|| panic!("{method} was not called: {answers:?}"))
            .1
    };
    let methods: Vec<&str> = answers.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(
        methods,
        [
            "getVersion",
            "getGenesisHash",
            "getSlot",
            "getBlockTime",
            "getBlockTime(genesis)",
            "getBlockHeight",
            "getEpochInfo",
            "getLatestBlockhash",
            "isBlockhashValid",
            "getMinimumBalanceForRentExemption",
            "getAccountInfo",
            "getProgramAccounts",
            "requestAirdrop",
            "getBalance",
            "getFeeForMessage",
            "simulateTransaction",
            "sendTransaction",
            "getSignatureStatuses",
            "getTransaction",
            "getParsedTransaction",
            "getSignaturesForAddress",
        ]
    );
    let rpc = served.rpc();
    assert_eq!(
        value("getVersion")["feature-set"].as_u64(),
        rpc.get_version().await.unwrap().feature_set.map(u64::from)
    );
    assert_eq!(
        value("getGenesisHash"),
        &json!(served.running.node().chain().genesis_hash().to_string())
    );
    assert!(value("getBlockTime").is_i64() && value("getBlockTime(genesis)").is_i64());
    assert_eq!(value("isBlockhashValid")["value"], json!(true));
    // The program's own accounts, as Anchor's TypeScript client lists them.
    let listed = value("getProgramAccounts").as_array().unwrap();
    assert!(listed
        .iter()
        .all(|a| a["owner"] == json!(public_spending::ID.to_string())));
    for key in [pda::ledger().0, agency.agency] {
        assert!(
            listed.iter().any(|a| a["pubkey"] == json!(key.to_string())),
            "{key} missing from {listed:?}"
        );
    }
    assert_eq!(value("getBalance"), &json!(2_000_000_000u64));
    assert_eq!(value("simulateTransaction"), &Value::Null);
    assert_eq!(value("getSignatureStatuses"), &Value::Null);
    let fee = value("getFeeForMessage")["value"].as_u64().unwrap();
    assert!(fee > 0);
    assert_eq!(value("getTransaction")["fee"], json!(fee));
    assert_eq!(value("getTransaction")["err"], Value::Null);
    assert_eq!(value("getParsedTransaction"), &json!(["system"]));
    let sent = value("sendTransaction").as_str().unwrap();
    assert_eq!(value("getSignaturesForAddress")[0], json!(sent));
    drop(world);
}

/// The block height of the open slot (the one a transaction sent now lands in).
async fn processed_height(rpc: &RpcClient) -> u64 {
    rpc.get_block_height_with_commitment(CommitmentConfig::processed())
        .await
        .unwrap()
}

/// A transfer of `lamports` to a fresh address, signed with `blockhash`.
fn transfer_with(payer: &Keypair, blockhash: Hash, lamports: u64) -> Transaction {
    Transaction::new_signed_with_payer(
        &[system_instruction::transfer(
            &payer.pubkey(),
            &Pubkey::new_unique(),
            lamports,
        )],
        Some(&payer.pubkey()),
        &[payer],
        blockhash,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_blockhash_lasts_150_closed_slots_and_expires_past_its_last_valid_block_height() {
    // No slot closes by itself here: the test closes each one, so every height below is exact.
    let dir = tempfile::tempdir().unwrap();
    let running = Localnet::start(LocalnetConfig {
        slot_duration: Duration::from_secs(24 * 3600),
        ..config(&dir)
    })
    .await
    .unwrap();
    let chain = running.node().chain();
    let rpc = RpcClient::new_with_commitment(running.rpc_url(), CommitmentConfig::processed());
    let payer = Keypair::new();
    rpc.request_airdrop(&payer.pubkey(), 10_000_000_000)
        .await
        .unwrap();

    let (blockhash, last_valid) = rpc
        .get_latest_blockhash_with_commitment(CommitmentConfig::processed())
        .await
        .unwrap();
    let taken_at = processed_height(&rpc).await;
    assert_eq!(last_valid, taken_at + 150);

    // Landing transactions moves neither the block height nor the blockhash: only a closed slot does.
    rpc.send_and_confirm_transaction(&transfer_with(&payer, blockhash, 1_000_000))
        .await
        .unwrap();
    assert_eq!(processed_height(&rpc).await, taken_at);
    assert_eq!(rpc.get_latest_blockhash().await.unwrap(), blockhash);

    // Two identical transactions in one slot: the second is a duplicate, refused as a validator refuses it.
    let twice = transfer_with(&payer, blockhash, 2_000_000);
    rpc.send_and_confirm_transaction(&twice).await.unwrap();
    let balance = rpc.get_balance(&payer.pubkey()).await.unwrap();
    let err = rpc.send_transaction(&twice).await.unwrap_err();
    assert_eq!(
        err.get_transaction_error(),
        Some(TransactionError::AlreadyProcessed)
    );
    assert_eq!(rpc.get_balance(&payer.pubkey()).await.unwrap(), balance);

    chain.next_slot().await.unwrap();
    assert_eq!(processed_height(&rpc).await, taken_at + 1);
    let next = rpc.get_latest_blockhash().await.unwrap();
    assert_ne!(next, blockhash, "a closed slot registers one blockhash");

    // With preflight, as on a validator, up to 6 blocks before its last valid block height (a simulation keeps
    // the validator's margin for forwarding to the leader); without preflight, up to and at it.
    let skip_preflight = RpcSendTransactionConfig {
        skip_preflight: true,
        ..RpcSendTransactionConfig::default()
    };
    while processed_height(&rpc).await < last_valid - 6 {
        chain.next_slot().await.unwrap();
    }
    rpc.send_and_confirm_transaction(&transfer_with(&payer, blockhash, 3_000_000))
        .await
        .unwrap();
    chain.next_slot().await.unwrap();
    assert_eq!(processed_height(&rpc).await, last_valid - 5);
    let err = rpc
        .send_transaction(&transfer_with(&payer, blockhash, 3_100_000))
        .await
        .unwrap_err();
    assert_eq!(
        err.get_transaction_error(),
        Some(TransactionError::BlockhashNotFound)
    );
    while processed_height(&rpc).await < last_valid {
        chain.next_slot().await.unwrap();
    }
    assert_eq!(processed_height(&rpc).await, last_valid);
    assert!(rpc
        .is_blockhash_valid(&blockhash, CommitmentConfig::processed())
        .await
        .unwrap());
    let last = transfer_with(&payer, blockhash, 3_200_000);
    let signature = rpc
        .send_transaction_with_config(&last, skip_preflight)
        .await
        .unwrap();
    let status = rpc
        .get_signature_statuses(&[signature])
        .await
        .unwrap()
        .value[0]
        .clone()
        .unwrap();
    assert_eq!(status.err, None);

    // One slot later it is gone: refused, and nothing is charged.
    chain.next_slot().await.unwrap();
    assert_eq!(processed_height(&rpc).await, last_valid + 1);
    assert!(!rpc
        .is_blockhash_valid(&blockhash, CommitmentConfig::processed())
        .await
        .unwrap());
    let balance = rpc.get_balance(&payer.pubkey()).await.unwrap();
    let late = transfer_with(&payer, blockhash, 4_000_000);
    let err = rpc.send_transaction(&late).await.unwrap_err();
    assert_eq!(
        err.get_transaction_error(),
        Some(TransactionError::BlockhashNotFound)
    );
    let skipped = rpc
        .send_transaction_with_config(&late, skip_preflight)
        .await
        .unwrap_err();
    assert_eq!(
        skipped.get_transaction_error(),
        Some(TransactionError::BlockhashNotFound)
    );
    assert_eq!(rpc.get_balance(&payer.pubkey()).await.unwrap(), balance);
    assert_eq!(
        rpc.get_signature_statuses(&[late.signatures[0]])
            .await
            .unwrap()
            .value[0],
        None
    );
    running.shutdown().await.unwrap();
}

/// What a person approving in a wallet does: takes a blockhash, and signs 5 and 30 seconds later, while other
/// transactions keep landing and slots keep closing at a validator's 400 ms. Through web3.js and RpcClient at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_transaction_signed_30_seconds_after_its_blockhash_was_taken_lands() {
    const MARKS: [u64; 2] = [5, 30];
    let served = serve().await;
    let url = served.running.rpc_url();
    let rpc = served.rpc();
    let payer = Keypair::new();
    rpc.request_airdrop(&payer.pubkey(), 10_000_000_000)
        .await
        .unwrap();

    // Traffic: an airdrop to a new address every 100 ms, so that the open slot always has a transaction to close.
    let busy = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let traffic = tokio::spawn({
        let busy = busy.clone();
        let rpc = served.rpc();
        async move {
            let mut ticks = tokio::time::interval(Duration::from_millis(100));
            while busy.load(Ordering::SeqCst) {
                ticks.tick().await;
                rpc.request_airdrop(&Pubkey::new_unique(), 1_000_000)
                    .await
                    .unwrap();
            }
        }
    });

    let web3 = web3(
        "a_transaction_signed_30_seconds_after_its_blockhash_was_taken_lands",
        "wait",
        &url,
    )
    .map(|mut command| {
        command.args(MARKS.map(|mark| mark.to_string()));
        tokio::spawn(run_web3(command))
    });

    let (blockhash, last_valid) = rpc
        .get_latest_blockhash_with_commitment(CommitmentConfig::processed())
        .await
        .unwrap();
    let taken = tokio::time::Instant::now();
    let taken_at = processed_height(&rpc).await;
    let mut heights = Vec::new();
    for (i, mark) in MARKS.into_iter().enumerate() {
        tokio::time::sleep_until(taken + Duration::from_secs(mark)).await;
        heights.push(processed_height(&rpc).await);
        rpc.send_and_confirm_transaction(&transfer_with(&payer, blockhash, 1_000_000 + i as u64))
            .await
            .unwrap_or_else(|e| panic!("signed {mark} s after its blockhash: {e}"));
    }
    let closed = heights[1] - taken_at;
    assert!(
        closed >= 10 && heights[1] <= last_valid,
        "slots closed while the signer waited ({closed}), and the blockhash lived through them: {heights:?}, last valid at {last_valid}"
    );

    if let Some(web3) = web3 {
        let answers = web3.await.unwrap();
        let methods: Vec<&str> = answers.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(
            methods,
            [
                "requestAirdrop",
                "sendTransaction after 5 s",
                "blockHeight after 5 s",
                "sendTransaction after 30 s",
                "blockHeight after 30 s",
            ]
        );
        let after_30 = &answers[4].1;
        let sent_at = after_30["height"].as_u64().unwrap();
        assert!(sent_at >= after_30["heightAtTaking"].as_u64().unwrap() + 10);
        assert!(sent_at <= after_30["lastValidBlockHeight"].as_u64().unwrap());
    }
    busy.store(false, Ordering::SeqCst);
    traffic.await.unwrap();
}

/// The same instructions sent twice are two transactions: the SDK's RPC backend signs the second again under the
/// next blockhash when the node refuses it as a duplicate, as the embedded chain does at a validator's pace.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sdk_sends_the_same_instructions_twice_as_two_transactions() {
    use public_spending_sdk::backend::Backend;
    let served = serve().await;
    let backend = served.backend().await;
    let rpc = served.rpc();
    let to = Pubkey::new_unique();
    let pay = [system_instruction::transfer(
        &backend.fee_payer(),
        &to,
        1_000_000,
    )];
    let first = backend.send(&pay, &[]).await.unwrap();
    let second = backend.send(&pay, &[]).await.unwrap();
    assert_ne!(first.signature, second.signature);
    assert_eq!(rpc.get_balance(&to).await.unwrap(), 2_000_000);

    let chain = EmbeddedChain::start_paced(&SavedChain::default(), Pace::PerSlot)
        .await
        .unwrap();
    let pay = [system_instruction::transfer(
        &chain.payer().pubkey(),
        &to,
        1_000_000,
    )];
    let slot = chain.clock().await.unwrap().slot;
    chain.send(&pay, &[]).await.unwrap();
    chain.send(&pay, &[]).await.unwrap();
    assert_eq!(
        chain.get_account(&to).await.unwrap().unwrap().lamports,
        2_000_000
    );
    assert_eq!(
        chain.clock().await.unwrap().slot,
        slot + 1,
        "the duplicate waited for one closed slot"
    );
}

/// Without preflight, a transaction that would fail in execution lands failed and its payer pays the fee: so its
/// signatures must be real. One whose fee payer never signed (another key's signature in its place) is refused
/// and costs the would-be payer nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_forged_signature_is_refused_even_without_preflight() {
    let served = serve().await;
    let rpc = served.rpc();
    let victim = Keypair::new();
    rpc.request_airdrop(&victim.pubkey(), 5_000_000_000)
        .await
        .unwrap();
    let forger = Keypair::new();
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    // More than the victim holds: it would fail in execution, and land failed without preflight.
    let drain = system_instruction::transfer(&victim.pubkey(), &forger.pubkey(), 6_000_000_000);
    let message = Message::new_with_blockhash(&[drain], Some(&victim.pubkey()), &blockhash);
    let mut forged = Transaction::new_unsigned(message);
    forged.signatures = vec![forger.sign_message(&forged.message_data())];
    let before = rpc.get_balance(&victim.pubkey()).await.unwrap();
    for skip_preflight in [true, false] {
        let err = rpc
            .send_transaction_with_config(
                &forged,
                RpcSendTransactionConfig {
                    skip_preflight,
                    ..RpcSendTransactionConfig::default()
                },
            )
            .await
            .unwrap_err();
        // A validator's "Transaction signature verification failure".
        assert_eq!(code(&err), -32003, "skip_preflight {skip_preflight}: {err}");
    }
    assert_eq!(rpc.get_balance(&victim.pubkey()).await.unwrap(), before);
    assert_eq!(
        rpc.get_signature_statuses(&[forged.signatures[0]])
            .await
            .unwrap()
            .value[0],
        None
    );

    // The embedded chain checks them itself too, for a program that processes without preflight directly.
    use public_spending_embedded::{EmbeddedChain, Preflight, Sent};
    let chain = EmbeddedChain::start().await;
    chain
        .airdrop(&victim.pubkey(), 5_000_000_000)
        .await
        .unwrap();
    let blockhash = chain.blockhash().await.unwrap();
    let drain = system_instruction::transfer(&victim.pubkey(), &forger.pubkey(), 6_000_000_000);
    let message = Message::new_with_blockhash(&[drain], Some(&victim.pubkey()), &blockhash);
    let mut forged = Transaction::new_unsigned(message);
    forged.signatures = vec![forger.sign_message(&forged.message_data())];
    let sent = chain.process(forged.into(), Preflight::Skip).await.unwrap();
    assert!(
        matches!(&sent, Sent::Rejected(r) if r.err == TransactionError::SignatureFailure),
        "{sent:?}"
    );
    assert_eq!(
        chain
            .get_account(&victim.pubkey())
            .await
            .unwrap()
            .unwrap()
            .lamports,
        5_000_000_000
    );
}

/// The served chain holds the program's IDL where Anchor's clients and explorers look for it: Anchor's IDL
/// account at `create_with_seed(find_program_address([], program), "anchor:idl", program)`, owned by the program,
/// with an erased authority and the committed IDL zlib-compressed; and any origin may read it, as from a
/// validator (a browser preflight is answered for POST with a JSON body).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_idl_is_on_chain_where_explorers_look_and_any_origin_may_read_it() {
    use anchor_lang::{idl::IdlAccount, Discriminator};
    use std::io::Read;
    let served = serve().await;
    let address = IdlAccount::address(&public_spending::ID);
    let account = served.rpc().get_account(&address).await.unwrap();
    assert_eq!(account.owner, public_spending::ID);
    assert_eq!(&account.data[..8], IdlAccount::DISCRIMINATOR);
    assert_eq!(
        &account.data[8..40],
        &[0u8; 32],
        "no authority: the erased key"
    );
    let len = u32::from_le_bytes(account.data[40..44].try_into().unwrap()) as usize;
    assert_eq!(account.data.len(), 44 + len);
    let mut idl = String::new();
    flate2::read::ZlibDecoder::new(&account.data[44..])
        .read_to_string(&mut idl)
        .unwrap();
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../idl/public_spending.json"),
    )
    .unwrap();
    assert_eq!(idl, committed);
    let idl: Value = serde_json::from_str(&idl).unwrap();
    assert_eq!(idl["address"], json!(public_spending::ID.to_string()));

    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, served.running.rpc_url())
        .header("Origin", "http://127.0.0.1:8080")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    served.running.shutdown().await.unwrap();
}

/// `pubspend_advanceClock` moves the served chain's clock forward, as `pubspend clock advance -u URL` asks it
/// to, and refuses a step backwards or beyond a hundred years with the clock unmoved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_clock_moves_forward_by_hand_and_only_forward() {
    let served = serve().await;
    let backend = served.backend().await;
    let before = backend.unix_timestamp().await.unwrap();
    let after = backend.advance_served_clock(86_400).await.unwrap();
    assert_eq!(after, before + 86_400);
    assert_eq!(backend.unix_timestamp().await.unwrap(), after);
    for wrong in [-1, 100 * 366 * 86_400 + 1] {
        let refused = backend.advance_served_clock(wrong).await.unwrap_err();
        assert!(
            refused.to_string().contains(&format!(
                "the clock moves forward by 0 to 3162240000 seconds, not {wrong}"
            )),
            "{refused}"
        );
    }
    assert_eq!(backend.unix_timestamp().await.unwrap(), after);
}
