//! The HTTP JSON-RPC methods: Solana's names, parameters, response types and error codes.

use std::{str::FromStr, sync::Arc};

use anchor_lang::solana_program::program_pack::{IsInitialized, Pack};
use anchor_spl::{token::spl_token, token_2022::spl_token_2022};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use jsonrpsee::{
    types::{ErrorObjectOwned, Params},
    RpcModule,
};
use public_spending_embedded::{Preflight, SavedTransaction, Sent};
use public_spending_sdk::{fetch::AccountSource, history::History};
use serde::de::DeserializeOwned;
use serde_json::Value;
use solana_account_decoder::{
    encode_ui_account,
    parse_account_data::{AccountAdditionalDataV3, SplTokenAdditionalDataV2},
    parse_token::token_amount_to_ui_amount_v3,
    UiAccount, UiAccountEncoding,
};
use solana_commitment_config::{CommitmentConfig, CommitmentLevel};
use solana_rpc_client_api::{
    config::{
        RpcAccountInfoConfig, RpcContextConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig,
        RpcSignatureStatusConfig, RpcSignaturesForAddressConfig, RpcSimulateTransactionConfig,
        RpcTokenAccountsFilter, RpcTransactionConfig,
    },
    custom_error::RpcCustomError,
    filter::RpcFilterType,
    response::{
        OptionalContext, Response, RpcBlockhash, RpcConfirmedTransactionStatusWithSignature,
        RpcKeyedAccount, RpcResponseContext, RpcSimulateTransactionResult, RpcVersionInfo,
    },
};
use solana_sdk::{
    account::Account,
    epoch_info::EpochInfo,
    epoch_schedule::EpochSchedule,
    hash::Hash,
    message::{
        compiled_instruction::CompiledInstruction, v0::LoadedAddresses, Message, VersionedMessage,
    },
    pubkey::Pubkey,
    signature::{Signature, Signer},
    transaction::VersionedTransaction,
};
use solana_transaction_status::{
    ConfirmedTransactionWithStatusMeta, InnerInstruction, InnerInstructions,
    TransactionConfirmationStatus, TransactionStatus, TransactionStatusMeta,
    TransactionTokenBalance, TransactionWithStatusMeta, UiInnerInstructions, UiTransactionEncoding,
    VersionedTransactionWithStatusMeta,
};

use crate::{node::Node, SOLANA_CORE_VERSION};

pub(crate) type RpcResult<T> = Result<T, ErrorObjectOwned>;

/// The most keys `getMultipleAccounts` and `getSignatureStatuses` take, as on a validator.
const MAX_MULTIPLE_ACCOUNTS: usize = 100;
const MAX_SIGNATURE_STATUSES: usize = 256;
/// The most signatures `getSignaturesForAddress` returns, and its default.
const MAX_SIGNATURES_FOR_ADDRESS: usize = 1000;
/// Base58 (`binary`) account data is refused above this size, as on a validator.
const MAX_BASE58_BYTES: usize = 128;

pub(crate) fn invalid_params(message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(
        jsonrpc_core::ErrorCode::InvalidParams.code() as i32,
        message.into(),
        None::<()>,
    )
}

fn internal(err: impl std::fmt::Display) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(
        jsonrpc_core::ErrorCode::InternalError.code() as i32,
        format!("Internal error: {err}"),
        None::<()>,
    )
}

/// A validator's own error (preflight failure, block not available…), with its code, message and data.
fn custom(err: RpcCustomError) -> ErrorObjectOwned {
    let err = jsonrpc_core::Error::from(err);
    ErrorObjectOwned::owned(err.code.code() as i32, err.message, err.data)
}

pub(crate) fn pubkey(text: &str) -> RpcResult<Pubkey> {
    Pubkey::from_str(text).map_err(|e| invalid_params(format!("Invalid param: {e}")))
}

fn signature(text: &str) -> RpcResult<Signature> {
    Signature::from_str(text).map_err(|e| invalid_params(format!("Invalid param: {e}")))
}

/// The positional parameters: a required first one and an optional configuration.
fn first_and_config<T: DeserializeOwned, C: DeserializeOwned + Default>(
    params: &Params<'_>,
) -> RpcResult<(T, C)> {
    let mut sequence = params.sequence();
    let first: T = sequence.next()?;
    let config: Option<C> = sequence.optional_next()?;
    Ok((first, config.unwrap_or_default()))
}

fn config_only<C: DeserializeOwned + Default>(params: &Params<'_>) -> RpcResult<C> {
    if params.is_object() {
        return Err(invalid_params("Invalid params: expected an array"));
    }
    let mut sequence = params.sequence();
    let config: Option<C> = sequence.optional_next()?;
    Ok(config.unwrap_or_default())
}

impl Node {
    pub(crate) async fn slot(&self) -> RpcResult<u64> {
        self.chain().banks().get_root_slot().await.map_err(internal)
    }

    /// The slot at `commitment`: the open slot for `processed`; for `confirmed` and `finalized` (the default),
    /// the slot before it, where the last transaction landed (every landed transaction closes its slot).
    async fn slot_at(&self, commitment: Option<CommitmentConfig>) -> RpcResult<u64> {
        let open = self.slot().await?;
        Ok(match commitment.map(|c| c.commitment) {
            Some(CommitmentLevel::Processed) => open,
            _ => open.saturating_sub(1),
        })
    }

    async fn block_height_at(&self, commitment: Option<CommitmentConfig>) -> RpcResult<u64> {
        let open = self
            .chain()
            .banks()
            .get_root_block_height()
            .await
            .map_err(internal)?;
        Ok(match commitment.map(|c| c.commitment) {
            Some(CommitmentLevel::Processed) => open,
            _ => open.saturating_sub(1),
        })
    }

    async fn context(&self, min_context_slot: Option<u64>) -> RpcResult<RpcResponseContext> {
        let slot = self.slot().await?;
        if let Some(context_slot) = min_context_slot {
            if context_slot > slot {
                return Err(custom(RpcCustomError::MinContextSlotNotReached {
                    context_slot: slot,
                }));
            }
        }
        Ok(RpcResponseContext::new(slot))
    }

    async fn account(&self, key: &Pubkey) -> RpcResult<Option<Account>> {
        self.chain().get_account(key).await.map_err(internal)
    }

    /// The decimals a token account's mint gives, for jsonParsed and token amounts.
    async fn token_additional_data(
        &self,
        account: &Account,
    ) -> RpcResult<Option<SplTokenAdditionalDataV2>> {
        if !is_token_program(&account.owner) || account.data.len() < spl_token::state::Account::LEN
        {
            return Ok(None);
        }
        let Ok(token) = spl_token::state::Account::unpack_from_slice(
            &account.data[..spl_token::state::Account::LEN],
        ) else {
            return Ok(None);
        };
        let Some(mint) = self.account(&token.mint).await? else {
            return Ok(None);
        };
        if mint.data.len() < spl_token::state::Mint::LEN {
            return Ok(None);
        }
        Ok(
            spl_token::state::Mint::unpack_from_slice(&mint.data[..spl_token::state::Mint::LEN])
                .ok()
                .map(|mint| SplTokenAdditionalDataV2::with_decimals(mint.decimals)),
        )
    }

    async fn encode(
        &self,
        key: &Pubkey,
        account: &Account,
        config: &RpcAccountInfoConfig,
        default: UiAccountEncoding,
    ) -> RpcResult<UiAccount> {
        let encoding = config.encoding.unwrap_or(default);
        if matches!(
            encoding,
            UiAccountEncoding::Binary | UiAccountEncoding::Base58
        ) {
            let length = config.data_slice.map_or(account.data.len(), |slice| {
                slice.length.min(account.data.len())
            });
            if length > MAX_BASE58_BYTES {
                return Err(invalid_params(format!(
                    "Encoded binary (base 58) data should be less than {MAX_BASE58_BYTES} bytes, please use Base64 encoding."
                )));
            }
        }
        let additional = match encoding {
            UiAccountEncoding::JsonParsed => {
                self.token_additional_data(account)
                    .await?
                    .map(|data| AccountAdditionalDataV3 {
                        spl_token_additional_data: Some(data),
                    })
            }
            _ => None,
        };
        Ok(encode_ui_account(
            key,
            account,
            encoding,
            additional,
            config.data_slice,
        ))
    }

    fn saved(&self, signature: &Signature) -> RpcResult<Option<SavedTransaction>> {
        self.chain().saved_transaction(signature).map_err(internal)
    }
}

fn is_token_program(key: &Pubkey) -> bool {
    *key == spl_token::ID || *key == spl_token_2022::ID
}

fn decode_transaction(
    data: &str,
    encoding: Option<UiTransactionEncoding>,
) -> RpcResult<VersionedTransaction> {
    let bytes = match encoding.unwrap_or(UiTransactionEncoding::Base58) {
        UiTransactionEncoding::Base58 | UiTransactionEncoding::Binary => bs58::decode(data)
            .into_vec()
            .map_err(|e| invalid_params(format!("invalid base58 encoding: {e}")))?,
        UiTransactionEncoding::Base64 => BASE64
            .decode(data)
            .map_err(|e| invalid_params(format!("invalid base64 encoding: {e}")))?,
        other => {
            return Err(invalid_params(format!(
                "unsupported encoding: {other}. Supported encodings: base58, base64"
            )))
        }
    };
    let transaction: VersionedTransaction = bincode::deserialize(&bytes)
        .map_err(|e| invalid_params(format!("failed to deserialize VersionedTransaction: {e}")))?;
    transaction
        .sanitize()
        .map_err(|e| invalid_params(format!("invalid transaction: {e}")))?;
    Ok(transaction)
}

/// A failed preflight, as a validator reports it: the error, the logs and the compute used.
fn preflight_failure(rejection: &public_spending_embedded::Rejection) -> ErrorObjectOwned {
    custom(RpcCustomError::SendTransactionPreflightFailure {
        message: format!("Transaction simulation failed: {}", rejection.err),
        result: RpcSimulateTransactionResult {
            err: Some(rejection.err.clone().into()),
            logs: Some(rejection.logs.clone()),
            accounts: None,
            units_consumed: Some(rejection.units_consumed),
            loaded_accounts_data_size: None,
            return_data: None,
            inner_instructions: None,
            replacement_blockhash: None,
            fee: None,
            pre_balances: None,
            post_balances: None,
            pre_token_balances: None,
            post_token_balances: None,
            loaded_addresses: None,
        },
    })
}

/// The status meta of a saved transaction, with everything a validator's ledger keeps.
fn status_meta(saved: &SavedTransaction) -> RpcResult<TransactionStatusMeta> {
    let mut inner: Vec<InnerInstructions> = Vec::new();
    for ix in &saved.inner_instructions {
        let compiled = CompiledInstruction {
            program_id_index: 0,
            accounts: ix.accounts.clone(),
            data: BASE64.decode(&ix.data).map_err(internal)?,
        };
        if inner.last().is_none_or(|set| set.index != ix.top_level) {
            inner.push(InnerInstructions {
                index: ix.top_level,
                instructions: Vec::new(),
            });
        }
        if let Some(set) = inner.last_mut() {
            set.instructions.push(InnerInstruction {
                instruction: compiled,
                stack_height: ix.stack_height,
            });
        }
    }
    let token_balances = |balances: &[public_spending_embedded::SavedTokenBalance]| {
        balances
            .iter()
            .map(|b| TransactionTokenBalance {
                account_index: b.account_index,
                mint: b.mint.clone(),
                ui_token_amount: token_amount_to_ui_amount_v3(
                    b.amount,
                    &SplTokenAdditionalDataV2::with_decimals(b.decimals),
                ),
                owner: b.owner.clone(),
                program_id: b.program.clone(),
            })
            .collect::<Vec<_>>()
    };
    let keys = |list: &[String]| {
        list.iter()
            .map(|k| Pubkey::from_str(k).map_err(internal))
            .collect::<RpcResult<Vec<_>>>()
    };
    Ok(TransactionStatusMeta {
        status: saved.error.clone().map_or(Ok(()), Err),
        fee: saved.fee,
        pre_balances: saved.pre_balances.clone(),
        post_balances: saved.post_balances.clone(),
        inner_instructions: Some(inner),
        log_messages: Some(saved.logs.clone()),
        pre_token_balances: Some(token_balances(&saved.pre_token_balances)),
        post_token_balances: Some(token_balances(&saved.post_token_balances)),
        rewards: Some(Vec::new()),
        loaded_addresses: LoadedAddresses {
            writable: keys(&saved.loaded_writable)?,
            readonly: keys(&saved.loaded_readonly)?,
        },
        return_data: None,
        compute_units_consumed: Some(saved.compute_units),
        cost_units: None,
    })
}

/// The program id index of each saved inner instruction is recovered from its program key.
fn fix_program_indices(
    meta: &mut TransactionStatusMeta,
    saved: &SavedTransaction,
    keys: &[Pubkey],
) -> RpcResult<()> {
    let programs = saved
        .inner_instructions
        .iter()
        .map(|ix| ix.program.as_str());
    let instructions = meta
        .inner_instructions
        .iter_mut()
        .flatten()
        .flat_map(|set| set.instructions.iter_mut());
    for (instruction, program) in instructions.zip(programs) {
        let program = Pubkey::from_str(program).map_err(internal)?;
        let index = keys
            .iter()
            .position(|key| *key == program)
            .ok_or_else(|| internal(format!("inner program {program} is not among the keys")))?;
        instruction.instruction.program_id_index = u8::try_from(index).map_err(internal)?;
    }
    Ok(())
}

pub(crate) fn module(node: Arc<Node>) -> RpcModule<Node> {
    let mut module = RpcModule::from_arc(node);
    register(&mut module).unwrap_or_else(|e| unreachable!("every method is named once: {e}"));
    module
}

fn register(module: &mut RpcModule<Node>) -> Result<(), jsonrpsee::core::RegisterMethodError> {
    module.register_method("getHealth", |_, _, _| "ok")?;
    module.register_method("getVersion", |_, _, _| {
        Ok::<_, ErrorObjectOwned>(RpcVersionInfo {
            solana_core: SOLANA_CORE_VERSION.to_string(),
            feature_set: Some(feature_set_id()),
        })
    })?;
    module.register_method("getGenesisHash", |_, node, _| {
        Ok::<_, ErrorObjectOwned>(node.chain().genesis_hash().to_string())
    })?;
    module.register_async_method("getSlot", |params, node, _| async move {
        let config: RpcContextConfig = config_only(&params)?;
        node.context(config.min_context_slot).await?;
        node.slot_at(config.commitment).await
    })?;
    module.register_async_method("getBlockHeight", |params, node, _| async move {
        let config: RpcContextConfig = config_only(&params)?;
        node.context(config.min_context_slot).await?;
        node.block_height_at(config.commitment).await
    })?;
    module.register_async_method("getEpochInfo", |params, node, _| async move {
        let config: RpcContextConfig = config_only(&params)?;
        node.context(config.min_context_slot).await?;
        let schedule: EpochSchedule = node.chain().banks().get_sysvar().await.map_err(internal)?;
        let slot = node.slot_at(config.commitment).await?;
        let (epoch, slot_index) = schedule.get_epoch_and_slot_index(slot);
        Ok::<_, ErrorObjectOwned>(EpochInfo {
            epoch,
            slot_index,
            slots_in_epoch: schedule.get_slots_in_epoch(epoch),
            absolute_slot: slot,
            block_height: node.block_height_at(config.commitment).await?,
            transaction_count: Some(node.chain().history_len() as u64),
        })
    })?;
    module.register_async_method("getLatestBlockhash", |params, node, _| async move {
        let config: RpcContextConfig = config_only(&params)?;
        let context = node.context(config.min_context_slot).await?;
        let (blockhash, last_valid_block_height) = node
            .chain()
            .banks()
            .get_latest_blockhash_with_commitment(Default::default())
            .await
            .map_err(internal)?
            .ok_or_else(|| internal("no blockhash"))?;
        Ok::<_, ErrorObjectOwned>(Response {
            context,
            value: RpcBlockhash {
                blockhash: blockhash.to_string(),
                last_valid_block_height,
            },
        })
    })?;
    module.register_async_method("isBlockhashValid", |params, node, _| async move {
        let (blockhash, config): (String, RpcContextConfig) = first_and_config(&params)?;
        let blockhash = Hash::from_str(&blockhash)
            .map_err(|e| invalid_params(format!("Invalid param: {e}")))?;
        let context = node.context(config.min_context_slot).await?;
        Ok::<_, ErrorObjectOwned>(Response {
            context,
            value: node.chain().is_blockhash_valid(&blockhash),
        })
    })?;
    module.register_async_method("getFeeForMessage", |params, node, _| async move {
        let (encoded, config): (String, RpcContextConfig) = first_and_config(&params)?;
        let bytes = BASE64
            .decode(&encoded)
            .map_err(|e| invalid_params(format!("invalid base64 encoding: {e}")))?;
        let message: VersionedMessage = bincode::deserialize(&bytes)
            .map_err(|e| invalid_params(format!("invalid message: {e}")))?;
        let context = node.context(config.min_context_slot).await?;
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
                match banks.get_fee_for_message(probe).await.map_err(internal)? {
                    Some(per_signature) => {
                        Some(per_signature * u64::from(message.header.num_required_signatures))
                    }
                    None => None,
                }
            }
        };
        Ok::<_, ErrorObjectOwned>(Response {
            context,
            value: fee,
        })
    })?;
    module.register_async_method(
        "getMinimumBalanceForRentExemption",
        |params, node, _| async move {
            let (size, _config): (usize, RpcContextConfig) = first_and_config(&params)?;
            let rent = node.chain().rent().await.map_err(internal)?;
            Ok::<_, ErrorObjectOwned>(rent.minimum_balance(size))
        },
    )?;
    module.register_async_method("getBalance", |params, node, _| async move {
        let (key, config): (String, RpcContextConfig) = first_and_config(&params)?;
        let key = pubkey(&key)?;
        let context = node.context(config.min_context_slot).await?;
        let lamports = node.account(&key).await?.map_or(0, |a| a.lamports);
        Ok::<_, ErrorObjectOwned>(Response {
            context,
            value: lamports,
        })
    })?;
    module.register_async_method("requestAirdrop", |params, node, _| async move {
        let mut sequence = params.sequence();
        let key: String = sequence.next()?;
        let lamports: u64 = sequence.next()?;
        let _config: Option<Value> = sequence.optional_next()?;
        let key = pubkey(&key)?;
        // The transfer goes on even if the client hangs up.
        let signature = tokio::spawn(async move { node.airdrop(&key, lamports).await })
            .await
            .map_err(internal)?
            .map_err(|e| internal(format!("airdrop failed: {e}")))?;
        Ok::<_, ErrorObjectOwned>(signature.to_string())
    })?;
    module.register_async_method("getAccountInfo", |params, node, _| async move {
        let (key, config): (String, RpcAccountInfoConfig) = first_and_config(&params)?;
        let key = pubkey(&key)?;
        let context = node.context(config.min_context_slot).await?;
        let value = match node.account(&key).await? {
            Some(account) => Some(
                node.encode(&key, &account, &config, UiAccountEncoding::Binary)
                    .await?,
            ),
            None => None,
        };
        Ok::<_, ErrorObjectOwned>(Response { context, value })
    })?;
    module.register_async_method("getMultipleAccounts", |params, node, _| async move {
        let (keys, config): (Vec<String>, RpcAccountInfoConfig) = first_and_config(&params)?;
        if keys.len() > MAX_MULTIPLE_ACCOUNTS {
            return Err(invalid_params(format!(
                "Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}"
            )));
        }
        let context = node.context(config.min_context_slot).await?;
        let mut value = Vec::with_capacity(keys.len());
        for key in keys {
            let key = pubkey(&key)?;
            value.push(match node.account(&key).await? {
                Some(account) => Some(
                    node.encode(&key, &account, &config, UiAccountEncoding::Base64)
                        .await?,
                ),
                None => None,
            });
        }
        Ok(Response { context, value })
    })?;
    module.register_async_method("getProgramAccounts", |params, node, _| async move {
        let (program, config): (String, RpcProgramAccountsConfig) = first_and_config(&params)?;
        let program = pubkey(&program)?;
        let mut filters = config.filters.clone().unwrap_or_default();
        for filter in &mut filters {
            filter
                .verify()
                .map_err(|e| invalid_params(format!("Invalid param: {e:?}")))?;
            if let RpcFilterType::Memcmp(memcmp) = filter {
                memcmp
                    .convert_to_raw_bytes()
                    .map_err(|e| invalid_params(format!("Invalid param: {e:?}")))?;
            }
        }
        let context = node.context(config.account_config.min_context_slot).await?;
        let mut accounts = node
            .chain()
            .accounts_owned_by(&program)
            .await
            .map_err(internal)?;
        accounts.retain(|(_, account)| filters.iter().all(|f| allows(f, account)));
        let mut keyed = Vec::with_capacity(accounts.len());
        for (key, account) in &accounts {
            keyed.push(RpcKeyedAccount {
                pubkey: key.to_string(),
                account: node
                    .encode(
                        key,
                        account,
                        &config.account_config,
                        UiAccountEncoding::Binary,
                    )
                    .await?,
            });
        }
        Ok::<_, ErrorObjectOwned>(if config.with_context.unwrap_or(false) {
            OptionalContext::Context(Response {
                context,
                value: keyed,
            })
        } else {
            OptionalContext::NoContext(keyed)
        })
    })?;
    module.register_async_method("getTokenAccountBalance", |params, node, _| async move {
        let (key, config): (String, RpcContextConfig) = first_and_config(&params)?;
        let key = pubkey(&key)?;
        let context = node.context(config.min_context_slot).await?;
        let not_token = || invalid_params("Invalid param: not a Token account");
        let account = node
            .account(&key)
            .await?
            .ok_or_else(|| invalid_params("Invalid param: could not find account"))?;
        let additional = node
            .token_additional_data(&account)
            .await?
            .ok_or_else(not_token)?;
        let token = spl_token::state::Account::unpack_from_slice(
            &account.data[..spl_token::state::Account::LEN],
        )
        .map_err(|_| not_token())?;
        Ok::<_, ErrorObjectOwned>(Response {
            context,
            value: token_amount_to_ui_amount_v3(token.amount, &additional),
        })
    })?;
    module.register_async_method("getTokenAccountsByOwner", |params, node, _| async move {
        let mut sequence = params.sequence();
        let owner: String = sequence.next()?;
        let filter: RpcTokenAccountsFilter = sequence.next()?;
        let config: RpcAccountInfoConfig = sequence.optional_next()?.unwrap_or_default();
        let owner = pubkey(&owner)?;
        let (programs, mint) = match filter {
            RpcTokenAccountsFilter::Mint(mint) => {
                let mint = pubkey(&mint)?;
                let program = node
                    .account(&mint)
                    .await?
                    .map(|m| m.owner)
                    .filter(is_token_program)
                    .ok_or_else(|| invalid_params("Invalid param: could not find mint"))?;
                (vec![program], Some(mint))
            }
            RpcTokenAccountsFilter::ProgramId(program) => {
                let program = pubkey(&program)?;
                if !is_token_program(&program) {
                    return Err(invalid_params(
                        "Invalid param: unrecognized Token program id",
                    ));
                }
                (vec![program], None)
            }
        };
        let context = node.context(config.min_context_slot).await?;
        let mut keyed = Vec::new();
        for program in programs {
            for (key, account) in node
                .chain()
                .accounts_owned_by(&program)
                .await
                .map_err(internal)?
            {
                if account.data.len() < spl_token::state::Account::LEN {
                    continue;
                }
                let Ok(token) = spl_token::state::Account::unpack_from_slice(
                    &account.data[..spl_token::state::Account::LEN],
                ) else {
                    continue;
                };
                if token.owner != owner || mint.is_some_and(|m| m != token.mint) {
                    continue;
                }
                keyed.push(RpcKeyedAccount {
                    pubkey: key.to_string(),
                    account: node
                        .encode(&key, &account, &config, UiAccountEncoding::Binary)
                        .await?,
                });
            }
        }
        Ok(Response {
            context,
            value: keyed,
        })
    })?;
    module.register_async_method("sendTransaction", |params, node, _| async move {
        let (data, config): (String, RpcSendTransactionConfig) = first_and_config(&params)?;
        let transaction = decode_transaction(&data, config.encoding)?;
        if transaction.verify_with_results().iter().any(|ok| !ok) {
            return Err(custom(
                RpcCustomError::TransactionSignatureVerificationFailure,
            ));
        }
        node.context(config.min_context_slot).await?;
        let preflight = if config.skip_preflight {
            Preflight::Skip
        } else {
            Preflight::Simulate
        };
        // Processed in a task of its own: a client that hangs up cannot cut a transaction in half.
        let sent = tokio::spawn(async move { node.send(transaction, preflight).await })
            .await
            .map_err(internal)?
            .map_err(internal)?;
        match sent {
            Sent::Landed(landed) => Ok(landed.signature.to_string()),
            Sent::Rejected(rejection) => Err(preflight_failure(&rejection)),
        }
    })?;
    module.register_async_method("simulateTransaction", |params, node, _| async move {
        let (data, config): (String, RpcSimulateTransactionConfig) = first_and_config(&params)?;
        let mut transaction = decode_transaction(&data, config.encoding)?;
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
        Ok::<_, ErrorObjectOwned>(Response {
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
    })?;
    module.register_async_method("getSignatureStatuses", |params, node, _| async move {
        // Every landed transaction is kept, so `searchTransactionHistory` changes nothing.
        let (signatures, _config): (Vec<String>, Option<RpcSignatureStatusConfig>) =
            first_and_config(&params)?;
        if signatures.len() > MAX_SIGNATURE_STATUSES {
            return Err(invalid_params(format!(
                "Too many inputs provided; max {MAX_SIGNATURE_STATUSES}"
            )));
        }
        let context = node.context(None).await?;
        let mut value = Vec::with_capacity(signatures.len());
        for text in signatures {
            let found = node.saved(&signature(&text)?)?;
            value.push(found.map(|saved| TransactionStatus {
                slot: saved.slot,
                confirmations: None,
                status: saved.error.clone().map_or(Ok(()), Err),
                err: saved.error,
                confirmation_status: Some(TransactionConfirmationStatus::Finalized),
            }));
        }
        Ok(Response { context, value })
    })?;
    module.register_async_method("getTransaction", |params, node, _| async move {
        let mut sequence = params.sequence();
        let text: String = sequence.next()?;
        // The second parameter is a configuration object, or (the older form) just the encoding.
        let config = match sequence.optional_next::<Value>()? {
            None => RpcTransactionConfig::default(),
            Some(Value::String(encoding)) => RpcTransactionConfig {
                encoding: Some(
                    serde_json::from_value(Value::String(encoding))
                        .map_err(|e| invalid_params(format!("Invalid params: {e}")))?,
                ),
                ..RpcTransactionConfig::default()
            },
            Some(other) => serde_json::from_value(other)
                .map_err(|e| invalid_params(format!("Invalid params: {e}")))?,
        };
        let Some(saved) = node.saved(&signature(&text)?)? else {
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
    })?;
    module.register_async_method("getSignaturesForAddress", |params, node, _| async move {
        let (address, config): (String, RpcSignaturesForAddressConfig) = first_and_config(&params)?;
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
        Ok::<_, ErrorObjectOwned>(entries)
    })?;
    module.register_async_method("getBlockTime", |params, node, _| async move {
        let slot: u64 = params.sequence().next()?;
        // Every slot this server has reported at any commitment (the open one included) has a time; a slot the
        // chain jumped over (a restored chain resumes past its history) was skipped, as a validator says.
        if slot > node.slot().await? {
            return Err(custom(RpcCustomError::BlockNotAvailable { slot }));
        }
        match node.chain().block_time_of(slot).await.map_err(internal)? {
            Some(time) => Ok(time),
            None => Err(custom(RpcCustomError::SlotSkipped { slot })),
        }
    })?;
    Ok(())
}

/// The feature-set identifier a validator reports in `getVersion`: the first four bytes, little-endian, of the
/// hash of every feature the runtime knows (what `solana-version` computes). `@solana/web3.js` requires a number.
fn feature_set_id() -> u32 {
    let id = agave_feature_set::ID.to_bytes();
    u32::from_le_bytes([id[0], id[1], id[2], id[3]])
}

/// Whether a `getProgramAccounts` filter (its bytes already raw) lets an account through.
fn allows(filter: &RpcFilterType, account: &Account) -> bool {
    match filter {
        RpcFilterType::DataSize(size) => account.data.len() as u64 == *size,
        RpcFilterType::Memcmp(memcmp) => memcmp.bytes_match(&account.data),
        RpcFilterType::TokenAccountState => {
            is_token_program(&account.owner)
                && account.data.len() >= spl_token::state::Account::LEN
                && spl_token::state::Account::unpack_from_slice(
                    &account.data[..spl_token::state::Account::LEN],
                )
                .is_ok_and(|token| token.is_initialized())
        }
    }
}
