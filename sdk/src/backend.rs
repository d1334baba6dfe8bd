//! Where transactions go: an RPC node, or the embedded in-process chain (feature `embedded`). Both implement
//! [`Backend`], so every command, example and test runs the same way against either.

use std::future::Future;

use anchor_lang::prelude::Pubkey;
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_client::{
    nonblocking::rpc_client::RpcClient,
    rpc_config::{RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcTransactionConfig},
    rpc_filter::{Memcmp as RpcMemcmp, RpcFilterType},
};
use solana_commitment_config::CommitmentConfig;
use solana_sdk::{
    account::Account,
    instruction::Instruction,
    message::{v0, AddressLookupTableAccount, VersionedMessage},
    signature::{Keypair, Signature, Signer},
    transaction::{Transaction, TransactionError, VersionedTransaction},
};
use solana_transaction_status_client_types::{
    option_serializer::OptionSerializer, UiInstruction, UiTransactionEncoding,
};

use crate::{error::SdkError, events::LedgerEvent, fetch::AccountSource, query::Memcmp};

/// What a landed transaction did.
#[derive(Debug, Clone)]
pub struct TxOutcome {
    pub signature: Signature,
    /// The program's events, in emission order.
    pub events: Vec<LedgerEvent>,
    pub logs: Vec<String>,
}

/// A chain the client can read from and send to. The backend's own fee payer pays for every transaction.
pub trait Backend: AccountSource + Sync {
    /// Signs with the fee payer and `signers`, sends, and waits for confirmation.
    fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> impl Future<Output = Result<TxOutcome, SdkError>> + Send;

    /// As [`Backend::send`], in a v0 transaction that looks its accounts up in `tables` where it can.
    fn send_v0(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> impl Future<Output = Result<TxOutcome, SdkError>> + Send;

    /// Every program account matching all `filters`.
    fn program_accounts(
        &self,
        filters: &[Memcmp],
    ) -> impl Future<Output = Result<Vec<(Pubkey, Account)>, SdkError>> + Send;

    /// The chain's clock (unix seconds).
    fn unix_timestamp(&self) -> impl Future<Output = Result<i64, SdkError>> + Send;

    /// The key that pays fees (and rent, where an instruction's payer is the signer itself).
    fn fee_payer(&self) -> Pubkey;
}

impl<T: Backend> Backend for &T {
    fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> impl Future<Output = Result<TxOutcome, SdkError>> + Send {
        (**self).send(instructions, signers)
    }

    fn send_v0(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> impl Future<Output = Result<TxOutcome, SdkError>> + Send {
        (**self).send_v0(instructions, signers, tables)
    }

    fn program_accounts(
        &self,
        filters: &[Memcmp],
    ) -> impl Future<Output = Result<Vec<(Pubkey, Account)>, SdkError>> + Send {
        (**self).program_accounts(filters)
    }

    fn unix_timestamp(&self) -> impl Future<Output = Result<i64, SdkError>> + Send {
        (**self).unix_timestamp()
    }

    fn fee_payer(&self) -> Pubkey {
        (**self).fee_payer()
    }
}

/// Signs a transaction with the fee payer and those of `signers` the message requires.
pub fn sign(
    instructions: &[Instruction],
    payer: &Keypair,
    signers: &[&Keypair],
    blockhash: solana_sdk::hash::Hash,
) -> Result<Transaction, SdkError> {
    let mut transaction = Transaction::new_with_payer(instructions, Some(&payer.pubkey()));
    let required = transaction.message.account_keys
        [..usize::from(transaction.message.header.num_required_signatures)]
        .to_vec();
    let all = required_signers(payer, signers, &required);
    transaction
        .try_sign(&all, blockhash)
        .map_err(|e| SdkError::Signing(e.to_string()))?;
    Ok(transaction)
}

/// The fee payer first, then those of `signers` that `required` names (a caller passing its usual signer to a
/// permissionless instruction is not refused for it).
fn required_signers<'a>(
    payer: &'a Keypair,
    signers: &[&'a Keypair],
    required: &[Pubkey],
) -> Vec<&'a Keypair> {
    let mut all: Vec<&Keypair> = vec![payer];
    all.extend(
        signers
            .iter()
            .copied()
            .filter(|s| s.pubkey() != payer.pubkey() && required.contains(&s.pubkey())),
    );
    all
}

/// Signs a v0 transaction that looks its accounts up in `tables` where it can, with the fee payer and those of
/// `signers` the message requires.
pub fn sign_v0(
    instructions: &[Instruction],
    payer: &Keypair,
    signers: &[&Keypair],
    blockhash: solana_sdk::hash::Hash,
    tables: &[AddressLookupTableAccount],
) -> Result<VersionedTransaction, SdkError> {
    let message = v0::Message::try_compile(&payer.pubkey(), instructions, tables, blockhash)
        .map_err(|e| SdkError::Signing(e.to_string()))?;
    let required =
        message.account_keys[..usize::from(message.header.num_required_signatures)].to_vec();
    let all = required_signers(payer, signers, &required);
    VersionedTransaction::try_new(VersionedMessage::V0(message), &all)
        .map_err(|e| SdkError::Signing(e.to_string()))
}

/// A JSON-RPC node (localnet, devnet, mainnet-beta or any URL).
///
/// Reads use the commitment it was made with (`processed`, `confirmed` or `finalized`). A send waits for at
/// least `confirmed`, whatever the commitment: its events are read back with `getTransaction`, which no node
/// answers below `confirmed`. With a WebSocket URL, a send is confirmed by the node's `signatureSubscribe`
/// notification instead of by polling its status.
pub struct RpcBackend {
    /// Reads, at the chosen commitment.
    client: RpcClient,
    /// Sends and history, at the chosen commitment or `confirmed` if that is lower.
    sender: RpcClient,
    websocket_url: Option<String>,
    payer: Keypair,
    /// History's transactions, many per request.
    batches: crate::rpc_batch::BatchFetcher,
}

/// How long a send waits for the node's WebSocket notification: a blockhash lasts about 60 to 90 seconds, and a
/// transaction not confirmed by then never will be.
const CONFIRMATION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);

impl RpcBackend {
    /// A node read and confirmed at `confirmed`.
    pub fn new(url: String, payer: Keypair) -> Self {
        Self::with_commitment(url, payer, CommitmentConfig::confirmed())
    }

    /// A node read at `commitment`; sends are confirmed at `commitment` or `confirmed` if that is lower.
    pub fn with_commitment(url: String, payer: Keypair, commitment: CommitmentConfig) -> Self {
        let sent = if commitment.is_at_least_confirmed() {
            commitment
        } else {
            CommitmentConfig::confirmed()
        };
        Self {
            client: RpcClient::new_with_commitment(url.clone(), commitment),
            batches: crate::rpc_batch::BatchFetcher::new(url.clone(), Default::default()),
            sender: RpcClient::new_with_commitment(url, sent),
            websocket_url: None,
            payer,
        }
    }

    /// Confirms sends through the node's WebSocket (`ws://` or `wss://`) `signatureSubscribe`.
    pub fn with_websocket(mut self, url: String) -> Self {
        self.websocket_url = Some(url);
        self
    }

    pub fn rpc(&self) -> &RpcClient {
        &self.client
    }

    /// Moves a served node's clock `seconds` forward (`pubspend serve`'s `pubspend_advanceClock`, as
    /// `solana-test-validator --warp-slot` moves its own) and returns its new unix timestamp. A real cluster keeps
    /// its own time and answers that it has no such method.
    pub async fn advance_served_clock(&self, seconds: i64) -> Result<i64, SdkError> {
        let request = solana_client::rpc_request::RpcRequest::Custom {
            method: "pubspend_advanceClock",
        };
        self.client
            .send::<i64>(request, serde_json::json!([seconds]))
            .await
            .map_err(|e| {
                SdkError::Transport(format!(
                    "this node's clock cannot be moved (only `pubspend serve` moves its clock; a real cluster keeps its own time): {e}"
                ))
            })
    }

    /// The WebSocket URL sends are confirmed through, when one was given.
    pub fn websocket_url(&self) -> Option<&str> {
        self.websocket_url.as_deref()
    }

    /// The commitment reads use.
    pub fn commitment(&self) -> CommitmentConfig {
        self.client.commitment()
    }

    /// The commitment sends are confirmed at and the history is read at.
    fn history_commitment(&self) -> CommitmentConfig {
        self.sender.commitment()
    }

    /// How `getTransaction` is asked for history: base64, v0 included, at the history's commitment.
    fn history_config(&self) -> RpcTransactionConfig {
        RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Base64),
            commitment: Some(self.history_commitment()),
            max_supported_transaction_version: Some(0),
        }
    }

    /// History read in batched requests spread and paced as `options` say (the default:
    /// [`BatchOptions::default`](crate::rpc_batch::BatchOptions)).
    pub fn with_batch_options(mut self, options: crate::rpc_batch::BatchOptions) -> Self {
        self.batches = crate::rpc_batch::BatchFetcher::new(self.client.url(), options);
        self
    }

    /// The events and logs of a landed transaction, legacy or v0, read back with `getTransaction`.
    async fn events_of(
        &self,
        signature: &Signature,
    ) -> Result<(Vec<LedgerEvent>, Vec<String>), SdkError> {
        use crate::history::History;
        match self.transaction(signature).await? {
            Some(landed) => Ok((landed.events(), landed.logs)),
            None => Ok((Vec::new(), Vec::new())),
        }
    }

    /// Sends a signed transaction and waits for it, then reads its events back.
    async fn confirm(
        &self,
        transaction: &impl solana_client::rpc_client::SerializableTransaction,
    ) -> Result<TxOutcome, SdkError> {
        let signature = match &self.websocket_url {
            Some(url) => self.send_and_watch(url, transaction).await?,
            None => self
                .sender
                .send_and_confirm_transaction(transaction)
                .await
                .map_err(rpc_error)?,
        };
        let (events, logs) = self.events_of(&signature).await?;
        Ok(TxOutcome {
            signature,
            events,
            logs,
        })
    }

    /// Subscribes to the transaction's signature, sends it (with the node's preflight), and waits for the
    /// notification that it reached the send commitment. Subscribing first means the notification cannot be
    /// missed however fast the node is.
    async fn send_and_watch(
        &self,
        url: &str,
        transaction: &impl solana_client::rpc_client::SerializableTransaction,
    ) -> Result<Signature, SdkError> {
        use futures_util::StreamExt;
        use solana_client::{
            nonblocking::pubsub_client::PubsubClient, rpc_config::RpcSignatureSubscribeConfig,
            rpc_response::RpcSignatureResult,
        };
        let unreachable = |reason: String| SdkError::Unreachable {
            url: url.to_string(),
            reason,
        };
        let pubsub = PubsubClient::new(url)
            .await
            .map_err(|err| unreachable(err.to_string()))?;
        let config = RpcSignatureSubscribeConfig {
            commitment: Some(self.history_commitment()),
            enable_received_notification: Some(false),
        };
        let signature = *transaction.get_signature();
        let (mut notifications, unsubscribe) = pubsub
            .signature_subscribe(&signature, Some(config))
            .await
            .map_err(|err| unreachable(err.to_string()))?;
        let sent = self.sender.send_transaction(transaction).await;
        let outcome = match sent {
            Err(err) => Err(rpc_error(err)),
            Ok(_) => match tokio::time::timeout(CONFIRMATION_TIMEOUT, notifications.next()).await {
                Ok(Some(notice)) => match notice.value {
                    RpcSignatureResult::ProcessedSignature(result) => match result.err {
                        None => Ok(signature),
                        Some(err) => Err(SdkError::from_failure(err.into(), &[])),
                    },
                    RpcSignatureResult::ReceivedSignature(_) => Err(SdkError::Transport(format!(
                        "{url} sent a `received` notice for {signature}, which was not asked for"
                    ))),
                },
                Ok(None) => Err(unreachable(format!(
                    "the WebSocket closed before {signature} was confirmed"
                ))),
                Err(_) => Err(SdkError::Transport(format!(
                    "{signature} was not confirmed within {} seconds",
                    CONFIRMATION_TIMEOUT.as_secs()
                ))),
            },
        };
        unsubscribe().await;
        drop(notifications);
        let _ = pubsub.shutdown().await;
        outcome
    }
}

impl RpcBackend {
    /// Sends what `sign` signs under the latest blockhash. A blockhash lasts 150 slots and a node refuses a
    /// transaction identical to one that landed under the same blockhash (same instructions, signers and
    /// amounts: the same signature); a caller sending the same instructions twice means two transactions, so
    /// the second is signed again under the node's next blockhash, as the embedded chain does.
    async fn send_signed<T: solana_client::rpc_client::SerializableTransaction>(
        &self,
        sign: impl Fn(solana_sdk::hash::Hash) -> Result<T, SdkError>,
    ) -> Result<TxOutcome, SdkError> {
        let mut blockhash = self
            .sender
            .get_latest_blockhash()
            .await
            .map_err(rpc_error)?;
        loop {
            match self.confirm(&sign(blockhash)?).await {
                Err(SdkError::Transaction(TransactionError::AlreadyProcessed)) => {
                    blockhash = self
                        .sender
                        .get_new_latest_blockhash(&blockhash)
                        .await
                        .map_err(rpc_error)?;
                }
                other => return other,
            }
        }
    }
}

/// The innermost cause of an error ("Connection refused (os error 111)"), which says most to a person.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// Maps an RPC failure to the program's error when the node reports one, to `Transport` otherwise.
fn rpc_error(err: solana_client::client_error::ClientError) -> SdkError {
    use solana_client::{
        client_error::ClientErrorKind,
        rpc_request::{RpcError, RpcResponseErrorData},
    };
    let logs = match err.kind() {
        ClientErrorKind::RpcError(RpcError::RpcResponseError {
            data: RpcResponseErrorData::SendTransactionPreflightFailure(simulation),
            ..
        }) => simulation.logs.clone().unwrap_or_default(),
        _ => Vec::new(),
    };
    if let ClientErrorKind::Reqwest(reqwest) = err.kind() {
        if reqwest.is_connect() || reqwest.is_timeout() || reqwest.is_request() {
            let url = reqwest.url().map(|u| u.to_string()).unwrap_or_default();
            return SdkError::Unreachable {
                url: url.trim_end_matches('/').to_string(),
                reason: root_cause(reqwest),
            };
        }
    }
    match err.get_transaction_error() {
        Some(transaction_error) => SdkError::from_failure(transaction_error, &logs),
        None => SdkError::Transport(err.to_string()),
    }
}

impl AccountSource for RpcBackend {
    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, SdkError> {
        // `getMultipleAccounts` rather than the client's `get_account_with_commitment`, which folds every
        // failure (an unreachable node included) into an "AccountNotFound" message.
        let config = RpcAccountInfoConfig {
            encoding: Some(UiAccountEncoding::Base64),
            commitment: Some(self.commitment()),
            ..RpcAccountInfoConfig::default()
        };
        let response = self
            .client
            .get_multiple_ui_accounts_with_config(&[*address], config)
            .await
            .map_err(rpc_error)?;
        Ok(response
            .value
            .into_iter()
            .next()
            .flatten()
            .and_then(|ui| ui.decode::<Account>()))
    }
}

impl Backend for RpcBackend {
    async fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, SdkError> {
        self.send_signed(|blockhash| sign(instructions, &self.payer, signers, blockhash))
            .await
    }

    async fn send_v0(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<TxOutcome, SdkError> {
        self.send_signed(|blockhash| sign_v0(instructions, &self.payer, signers, blockhash, tables))
            .await
    }

    async fn program_accounts(
        &self,
        filters: &[Memcmp],
    ) -> Result<Vec<(Pubkey, Account)>, SdkError> {
        let config = RpcProgramAccountsConfig {
            filters: Some(
                filters
                    .iter()
                    .map(|f| {
                        RpcFilterType::Memcmp(RpcMemcmp::new_raw_bytes(f.offset, f.bytes.clone()))
                    })
                    .collect(),
            ),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                commitment: Some(self.commitment()),
                ..RpcAccountInfoConfig::default()
            },
            ..RpcProgramAccountsConfig::default()
        };
        let accounts = self
            .client
            .get_program_ui_accounts_with_config(&public_spending::ID, config)
            .await
            .map_err(rpc_error)?;
        Ok(accounts
            .into_iter()
            .filter_map(|(key, ui)| ui.decode::<Account>().map(|account| (key, account)))
            .collect())
    }

    /// Read from the Clock sysvar account, as Solana clients read it: one request, and no race with a slot that
    /// has not yet closed (a block's time exists only once its slot has).
    async fn unix_timestamp(&self) -> Result<i64, SdkError> {
        use anchor_lang::prelude::Clock;
        let account = self
            .get_account(&solana_sdk::sysvar::clock::ID)
            .await?
            .ok_or_else(|| SdkError::Transport("the node has no Clock sysvar account".into()))?;
        let clock: Clock = bincode::deserialize(&account.data).map_err(|e| {
            SdkError::Transport(format!("the node's Clock sysvar does not decode: {e}"))
        })?;
        Ok(clock.unix_timestamp)
    }

    fn fee_payer(&self) -> Pubkey {
        self.payer.pubkey()
    }
}

impl crate::history::History for RpcBackend {
    async fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> Result<Vec<crate::history::SignatureInfo>, SdkError> {
        use solana_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
        let config = GetConfirmedSignaturesForAddress2Config {
            before,
            until,
            limit: Some(limit.min(crate::history::MAX_PAGE)),
            commitment: Some(self.history_commitment()),
        };
        let page = self
            .client
            .get_signatures_for_address_with_config(address, config)
            .await
            .map_err(rpc_error)?;
        page.into_iter()
            .map(|entry| {
                Ok(crate::history::SignatureInfo {
                    signature: entry.signature.parse().map_err(|_| {
                        SdkError::Transport(format!(
                            "the node returned a malformed signature {:?}",
                            entry.signature
                        ))
                    })?,
                    slot: entry.slot,
                    block_time: entry.block_time,
                    err: entry.err.map(|e| e.to_string()),
                })
            })
            .collect()
    }

    async fn genesis_hash(&self) -> Result<solana_sdk::hash::Hash, SdkError> {
        self.client.get_genesis_hash().await.map_err(rpc_error)
    }

    async fn transaction(
        &self,
        signature: &Signature,
    ) -> Result<Option<crate::history::HistoricalTransaction>, SdkError> {
        let confirmed = match self
            .client
            .get_transaction_with_config(signature, self.history_config())
            .await
        {
            Ok(confirmed) => confirmed,
            // The node answers `null` for a transaction it does not know.
            Err(err) if err.to_string().contains("invalid type: null") => return Ok(None),
            Err(err) => return Err(rpc_error(err)),
        };
        historical(signature, confirmed).map(Some)
    }

    async fn transactions(
        &self,
        signatures: &[Signature],
    ) -> Result<Vec<Option<crate::history::HistoricalTransaction>>, SdkError> {
        let fetched = self
            .batches
            .transactions(signatures, self.history_config())
            .await?;
        signatures
            .iter()
            .zip(fetched)
            .map(|(signature, confirmed)| {
                confirmed
                    .map(|confirmed| historical(signature, confirmed))
                    .transpose()
            })
            .collect()
    }
}

/// A transaction as `getTransaction` gives it, read for the history: its message, inner instructions and logs.
fn historical(
    signature: &Signature,
    confirmed: solana_transaction_status_client_types::EncodedConfirmedTransactionWithStatusMeta,
) -> Result<crate::history::HistoricalTransaction, SdkError> {
    use crate::history::{HistoricalTransaction, InnerInstruction};
    let malformed = |what: &str| SdkError::Transport(format!("transaction {signature}: {what}"));
    let transaction = confirmed
        .transaction
        .transaction
        .decode()
        .ok_or_else(|| malformed("the node returned a transaction that does not decode"))?;
    let meta = confirmed
        .transaction
        .meta
        .ok_or_else(|| malformed("the node returned no status meta"))?;
    let parse = |key: &String| {
        key.parse::<Pubkey>()
            .map_err(|_| malformed("a loaded address is not a key"))
    };
    let loaded_keys = match &meta.loaded_addresses {
        OptionSerializer::Some(loaded) => loaded
            .writable
            .iter()
            .chain(&loaded.readonly)
            .map(parse)
            .collect::<Result<Vec<_>, _>>()?,
        _ => Vec::new(),
    };
    let mut keys = transaction.message.static_account_keys().to_vec();
    keys.extend(loaded_keys.iter().copied());
    let mut inner_instructions = Vec::new();
    if let OptionSerializer::Some(sets) = meta.inner_instructions {
        for set in sets {
            for instruction in set.instructions {
                if let UiInstruction::Compiled(compiled) = instruction {
                    let program = keys
                        .get(usize::from(compiled.program_id_index))
                        .copied()
                        .ok_or_else(|| malformed("an inner instruction names no program"))?;
                    let data = bs58::decode(&compiled.data)
                        .into_vec()
                        .map_err(|_| malformed("inner instruction data is not base58"))?;
                    inner_instructions.push(InnerInstruction {
                        top_level: set.index,
                        program,
                        data,
                    });
                }
            }
        }
    }
    Ok(HistoricalTransaction {
        signature: *signature,
        slot: confirmed.slot,
        block_time: confirmed.block_time,
        err: meta.err.map(|e| e.to_string()),
        transaction,
        loaded_keys,
        inner_instructions,
        logs: match meta.log_messages {
            OptionSerializer::Some(logs) => logs,
            _ => Vec::new(),
        },
    })
}
