//! The full group (agave's `rpc_full`): sending and simulating transactions, their statuses and history,
//! blockhashes, fees, block times and airdrops.

use base64::Engine;
use jsonrpsee::{
    core::{async_trait, RpcResult},
    proc_macros::rpc,
};
use public_spending_embedded::{Preflight, Sent};
use public_spending_sdk::history::History;
use serde_json::Value;
use solana_rpc_client_api::{
    config::{
        RpcContextConfig, RpcEncodingConfigWrapper, RpcRequestAirdropConfig,
        RpcSendTransactionConfig, RpcSignatureStatusConfig, RpcSignaturesForAddressConfig,
        RpcSimulateTransactionConfig, RpcTransactionConfig,
    },
    custom_error::RpcCustomError,
    response::{
        Response, RpcBlockhash, RpcConfirmedTransactionStatusWithSignature,
        RpcSimulateTransactionResult,
    },
};
use solana_sdk::{
    hash::Hash,
    message::{Message, VersionedMessage},
    signature::Signer,
    transaction::VersionedTransaction,
};
use solana_transaction_status::{
    ConfirmedTransactionWithStatusMeta, InnerInstruction, InnerInstructions,
    TransactionConfirmationStatus, TransactionStatus, TransactionWithStatusMeta,
    UiInnerInstructions, UiTransactionEncoding, VersionedTransactionWithStatusMeta,
};

use super::{
    custom, decode_transaction, fix_program_indices, internal, invalid_params, preflight_failure,
    pubkey, signature, status_meta, Rpc, BASE64, MAX_SIGNATURES_FOR_ADDRESS,
    MAX_SIGNATURE_STATUSES,
};

#[rpc(server)]
pub trait Full {
    #[method(name = "getLatestBlockhash")]
    async fn get_latest_blockhash(
        &self,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<RpcBlockhash>>;

    #[method(name = "isBlockhashValid")]
    async fn is_blockhash_valid(
        &self,
        blockhash: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<bool>>;

    #[method(name = "getFeeForMessage")]
    async fn get_fee_for_message(
        &self,
        message: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<Option<u64>>>;

    #[method(name = "requestAirdrop")]
    async fn request_airdrop(
        &self,
        pubkey: String,
        lamports: u64,
        config: Option<RpcRequestAirdropConfig>,
    ) -> RpcResult<String>;

    #[method(name = "sendTransaction")]
    async fn send_transaction(
        &self,
        data: String,
        config: Option<RpcSendTransactionConfig>,
    ) -> RpcResult<String>;

    #[method(name = "simulateTransaction")]
    async fn simulate_transaction(
        &self,
        data: String,
        config: Option<RpcSimulateTransactionConfig>,
    ) -> RpcResult<Response<RpcSimulateTransactionResult>>;

    #[method(name = "getSignatureStatuses")]
    async fn get_signature_statuses(
        &self,
        signatures: Vec<String>,
        config: Option<RpcSignatureStatusConfig>,
    ) -> RpcResult<Response<Vec<Option<TransactionStatus>>>>;

    #[method(name = "getTransaction")]
    async fn get_transaction(
        &self,
        signature: String,
        config: Option<RpcEncodingConfigWrapper<RpcTransactionConfig>>,
    ) -> RpcResult<Value>;

    #[method(name = "getSignaturesForAddress")]
    async fn get_signatures_for_address(
        &self,
        address: String,
        config: Option<RpcSignaturesForAddressConfig>,
    ) -> RpcResult<Vec<RpcConfirmedTransactionStatusWithSignature>>;

    #[method(name = "getBlockTime")]
    async fn get_block_time(&self, slot: u64) -> RpcResult<i64>;
}

#[async_trait]
impl FullServer for Rpc {
    async fn get_latest_blockhash(
        &self,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<RpcBlockhash>> {
        let node = &self.node;
        let context = node
            .context(config.unwrap_or_default().min_context_slot)
            .await?;
        let (blockhash, last_valid_block_height) = node
            .chain()
            .banks()
            .get_latest_blockhash_with_commitment(Default::default())
            .await
            .map_err(internal)?
            .ok_or_else(|| internal("no blockhash"))?;
        Ok(Response {
            context,
            value: RpcBlockhash {
                blockhash: blockhash.to_string(),
                last_valid_block_height,
            },
        })
    }

    async fn is_blockhash_valid(
        &self,
        blockhash: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<bool>> {
        let blockhash = blockhash
            .parse::<Hash>()
            .map_err(|e| invalid_params(format!("Invalid param: {e}")))?;
        let context = self
            .node
            .context(config.unwrap_or_default().min_context_slot)
            .await?;
        Ok(Response {
            context,
            value: self.node.chain().is_blockhash_valid(&blockhash),
        })
    }

    async fn get_fee_for_message(
        &self,
        encoded: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<Option<u64>>> {
        let node = &self.node;
        let bytes = BASE64
            .decode(&encoded)
            .map_err(|e| invalid_params(format!("invalid base64 encoding: {e}")))?;
        let message: VersionedMessage = bincode::deserialize(&bytes)
            .map_err(|e| invalid_params(format!("invalid message: {e}")))?;
        let context = node
            .context(config.unwrap_or_default().min_context_slot)
            .await?;
        let banks = node.chain().banks();
        let fee = match message {
            VersionedMessage::Legacy(message) => {
                banks.get_fee_for_message(message).await.map_err(internal)?
            }
            VersionedMessage::V0(message) => {
                // The runtime prices a v0 message as it prices a legacy one: by its signatures.
                let probe = Message::new_with_blockhash(
                    &[],
                    Some(&node.chain().payer().pubkey()),
                    &message.recent_blockhash,
                );
                banks
                    .get_fee_for_message(probe)
                    .await
                    .map_err(internal)?
                    .map(|per_signature| {
                        per_signature * u64::from(message.header.num_required_signatures)
                    })
            }
        };
        Ok(Response {
            context,
            value: fee,
        })
    }

    async fn request_airdrop(
        &self,
        key: String,
        lamports: u64,
        _config: Option<RpcRequestAirdropConfig>,
    ) -> RpcResult<String> {
        let key = pubkey(&key)?;
        let node = self.node.clone();
        // The transfer goes on even if the client hangs up.
        let signature = tokio::spawn(async move { node.airdrop(&key, lamports).await })
            .await
            .map_err(internal)?
            .map_err(|e| internal(format!("airdrop failed: {e}")))?;
        Ok(signature.to_string())
    }

    async fn send_transaction(
        &self,
        data: String,
        config: Option<RpcSendTransactionConfig>,
    ) -> RpcResult<String> {
        let config = config.unwrap_or_default();
        let transaction = decode_transaction(&data, config.encoding)?;
        if transaction.verify_with_results().iter().any(|ok| !ok) {
            return Err(custom(
                RpcCustomError::TransactionSignatureVerificationFailure,
            ));
        }
        self.node.context(config.min_context_slot).await?;
        let preflight = if config.skip_preflight {
            Preflight::Skip
        } else {
            Preflight::Simulate
        };
        let node = self.node.clone();
        // Processed in a task of its own: a client that hangs up cannot cut a transaction in half.
        let sent = tokio::spawn(async move { node.send(transaction, preflight).await })
            .await
            .map_err(internal)?
            .map_err(internal)?;
        match sent {
            Sent::Landed(landed) => Ok(landed.signature.to_string()),
            Sent::Rejected(rejection) => Err(preflight_failure(&rejection)),
        }
    }

    async fn simulate_transaction(
        &self,
        data: String,
        config: Option<RpcSimulateTransactionConfig>,
    ) -> RpcResult<Response<RpcSimulateTransactionResult>> {
        let config = config.unwrap_or_default();
        let node = &self.node;
        let mut transaction: VersionedTransaction = decode_transaction(&data, config.encoding)?;
        if config.sig_verify && config.replace_recent_blockhash {
            return Err(invalid_params(
                "sigVerify may not be used with replaceRecentBlockhash",
            ));
        }
        if config.sig_verify && transaction.verify_with_results().iter().any(|ok| !ok) {
            return Err(custom(
                RpcCustomError::TransactionSignatureVerificationFailure,
            ));
        }
        let context = node.context(config.min_context_slot).await?;
        let banks = node.chain().banks();
        let mut replacement = None;
        if config.replace_recent_blockhash {
            let (blockhash, last_valid_block_height) = banks
                .get_latest_blockhash_with_commitment(Default::default())
                .await
                .map_err(internal)?
                .ok_or_else(|| internal("no blockhash"))?;
            transaction.message.set_recent_blockhash(blockhash);
            replacement = Some(RpcBlockhash {
                blockhash: blockhash.to_string(),
                last_valid_block_height,
            });
        }
        if config.accounts.is_some() {
            return Err(invalid_params(
                "Invalid param: this server does not return simulated accounts",
            ));
        }
        let simulated = node.chain().simulate(transaction).await.map_err(internal)?;
        let err = match simulated.result {
            Some(Ok(())) => None,
            Some(Err(err)) => Some(err),
            None => Some(solana_sdk::transaction::TransactionError::BlockhashNotFound),
        };
        let details = simulated.simulation_details;
        let inner_instructions = match (&details, config.inner_instructions) {
            (Some(details), true) => Some(
                details
                    .inner_instructions
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate()
                    .map(|(index, set)| {
                        UiInnerInstructions::from(InnerInstructions {
                            index: index as u8,
                            instructions: set
                                .into_iter()
                                .map(|ix| InnerInstruction {
                                    instruction: ix.instruction,
                                    stack_height: Some(u32::from(ix.stack_height)),
                                })
                                .collect(),
                        })
                    })
                    .filter(|set| !set.instructions.is_empty())
                    .collect(),
            ),
            _ => None,
        };
        Ok(Response {
            context,
            value: RpcSimulateTransactionResult {
                err: err.map(Into::into),
                logs: details.as_ref().map(|d| d.logs.clone()),
                accounts: None,
                units_consumed: details.as_ref().map(|d| d.units_consumed),
                loaded_accounts_data_size: details.as_ref().map(|d| d.loaded_accounts_data_size),
                return_data: details
                    .as_ref()
                    .and_then(|d| d.return_data.clone())
                    .map(Into::into),
                inner_instructions,
                replacement_blockhash: replacement,
                fee: None,
                pre_balances: None,
                post_balances: None,
                pre_token_balances: None,
                post_token_balances: None,
                loaded_addresses: None,
            },
        })
    }

    async fn get_signature_statuses(
        &self,
        signatures: Vec<String>,
        // Every landed transaction is kept, so `searchTransactionHistory` changes nothing.
        _config: Option<RpcSignatureStatusConfig>,
    ) -> RpcResult<Response<Vec<Option<TransactionStatus>>>> {
        if signatures.len() > MAX_SIGNATURE_STATUSES {
            return Err(invalid_params(format!(
                "Too many inputs provided; max {MAX_SIGNATURE_STATUSES}"
            )));
        }
        let context = self.node.context(None).await?;
        let mut value = Vec::with_capacity(signatures.len());
        for text in signatures {
            let found = self.node.saved(&signature(&text)?)?;
            value.push(found.map(|saved| TransactionStatus {
                slot: saved.slot,
                confirmations: None,
                status: saved.error.clone().map_or(Ok(()), Err),
                err: saved.error,
                confirmation_status: Some(TransactionConfirmationStatus::Finalized),
            }));
        }
        Ok(Response { context, value })
    }

    async fn get_transaction(
        &self,
        text: String,
        // A configuration object, or (the older form) just the encoding.
        config: Option<RpcEncodingConfigWrapper<RpcTransactionConfig>>,
    ) -> RpcResult<Value> {
        let config: RpcTransactionConfig = config
            .map(|config| config.convert_to_current())
            .unwrap_or_default();
        let Some(saved) = self.node.saved(&signature(&text)?)? else {
            return Ok(Value::Null);
        };
        let transaction: VersionedTransaction =
            bincode::deserialize(&BASE64.decode(&saved.transaction).map_err(internal)?)
                .map_err(internal)?;
        let mut meta = status_meta(&saved)?;
        let mut keys = transaction.message.static_account_keys().to_vec();
        keys.extend(meta.loaded_addresses.writable.iter().copied());
        keys.extend(meta.loaded_addresses.readonly.iter().copied());
        fix_program_indices(&mut meta, &saved, &keys)?;
        let confirmed = ConfirmedTransactionWithStatusMeta {
            slot: saved.slot,
            tx_with_meta: TransactionWithStatusMeta::Complete(VersionedTransactionWithStatusMeta {
                transaction,
                meta,
            }),
            block_time: Some(saved.block_time),
        };
        let encoded = confirmed
            .encode(
                config.encoding.unwrap_or(UiTransactionEncoding::Json),
                config.max_supported_transaction_version,
            )
            .map_err(|e| custom(e.into()))?;
        serde_json::to_value(encoded).map_err(internal)
    }

    async fn get_signatures_for_address(
        &self,
        address: String,
        config: Option<RpcSignaturesForAddressConfig>,
    ) -> RpcResult<Vec<RpcConfirmedTransactionStatusWithSignature>> {
        let config = config.unwrap_or_default();
        let node = &self.node;
        let address = pubkey(&address)?;
        let limit = config.limit.unwrap_or(MAX_SIGNATURES_FOR_ADDRESS);
        if limit == 0 || limit > MAX_SIGNATURES_FOR_ADDRESS {
            return Err(invalid_params(format!(
                "Invalid limit; max {MAX_SIGNATURES_FOR_ADDRESS}"
            )));
        }
        let before = config.before.as_deref().map(signature).transpose()?;
        let until = config.until.as_deref().map(signature).transpose()?;
        node.context(config.min_context_slot).await?;
        let page = node
            .chain()
            .signatures_for_address(&address, before, until, limit)
            .await
            .map_err(internal)?;
        let mut entries = Vec::with_capacity(page.len());
        for info in page {
            let error = node.saved(&info.signature)?.and_then(|saved| saved.error);
            entries.push(RpcConfirmedTransactionStatusWithSignature {
                signature: info.signature.to_string(),
                slot: info.slot,
                err: error.map(Into::into),
                memo: None,
                block_time: info.block_time,
                confirmation_status: Some(TransactionConfirmationStatus::Finalized),
            });
        }
        Ok(entries)
    }

    async fn get_block_time(&self, slot: u64) -> RpcResult<i64> {
        let node = &self.node;
        // Every slot this server has reported at any commitment (the open one included) has a time; a slot the
        // chain jumped over (a restored chain resumes past its history) was skipped, as a validator says.
        if slot > node.slot().await? {
            return Err(custom(RpcCustomError::BlockNotAvailable { slot }));
        }
        match node.chain().block_time_of(slot).await.map_err(internal)? {
            Some(time) => Ok(time),
            None => Err(custom(RpcCustomError::SlotSkipped { slot })),
        }
    }
}
