//! The HTTP JSON-RPC methods: Solana's names, parameters, response types and error codes, as typed jsonrpsee
//! traits grouped as agave groups them.

mod accounts;
pub(crate) use accounts::allows;
mod bank_data;
mod clock;
mod full;
mod minimal;

use std::{str::FromStr, sync::Arc};

use anchor_lang::solana_program::program_pack::Pack;
use anchor_spl::{token::spl_token, token_2022::spl_token_2022};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use jsonrpsee::{types::ErrorObjectOwned, RpcModule};
use public_spending_embedded::SavedTransaction;
use public_spending_sdk::fetch::AccountSource;
use solana_account_decoder::{
    encode_ui_account,
    parse_account_data::{AccountAdditionalDataV3, SplTokenAdditionalDataV2},
    parse_token::token_amount_to_ui_amount_v3,
    UiAccount, UiAccountEncoding,
};
use solana_commitment_config::{CommitmentConfig, CommitmentLevel};
use solana_rpc_client_api::{
    config::RpcAccountInfoConfig,
    custom_error::RpcCustomError,
    response::{RpcResponseContext, RpcSimulateTransactionResult},
};
use solana_sdk::{
    account::Account,
    message::{compiled_instruction::CompiledInstruction, v0::LoadedAddresses},
    pubkey::Pubkey,
    signature::Signature,
    transaction::VersionedTransaction,
};
use solana_transaction_status::{
    InnerInstruction, InnerInstructions, TransactionStatusMeta, TransactionTokenBalance,
    UiTransactionEncoding,
};

use crate::node::Node;

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

/// Every HTTP method, one trait per group as agave groups them: [`minimal`] (health, version, slots, balances),
/// [`bank_data`] (rent), [`accounts`] (account reads and scans) and [`full`] (transactions, blockhashes, fees,
/// history, airdrops), and, beyond agave's, [`clock`] (the served clock moved by hand). Each trait's parameters are typed: jsonrpsee parses them, and refuses what does not
/// parse with -32602.
pub(crate) fn module(node: Arc<Node>) -> RpcModule<()> {
    use jsonrpsee::Methods;
    let rpc = Rpc::new(node);
    let mut module = RpcModule::new(());
    let groups: [Methods; 6] = [
        minimal::MinimalServer::into_rpc(rpc.clone()).into(),
        bank_data::BankDataServer::into_rpc(rpc.clone()).into(),
        accounts::AccountsDataServer::into_rpc(rpc.clone()).into(),
        accounts::AccountsScanServer::into_rpc(rpc.clone()).into(),
        full::FullServer::into_rpc(rpc.clone()).into(),
        clock::ClockServer::into_rpc(rpc).into(),
    ];
    for group in groups {
        module
            .merge(group)
            .unwrap_or_else(|e| unreachable!("every method is named once: {e}"));
    }
    module
}

/// What every method group, HTTP and WebSocket, runs on: the served chain.
#[derive(Clone)]
pub(crate) struct Rpc {
    pub(crate) node: Arc<Node>,
}

impl Rpc {
    pub(crate) fn new(node: Arc<Node>) -> Self {
        Self { node }
    }
}

/// The feature-set identifier a validator reports in `getVersion`: the first four bytes, little-endian, of the
/// hash of every feature the runtime knows (what `solana-version` computes). `@solana/web3.js` requires a number.
fn feature_set_id() -> u32 {
    let id = agave_feature_set::ID.to_bytes();
    u32::from_le_bytes([id[0], id[1], id[2], id[3]])
}
