//! The account groups (agave's `rpc_accounts` and `rpc_accounts_scan`): reading accounts by key, and scanning
//! a program's or an owner's accounts.

use anchor_lang::solana_program::program_pack::{IsInitialized, Pack};
use anchor_spl::token::spl_token;
use jsonrpsee::{
    core::{async_trait, RpcResult},
    proc_macros::rpc,
};
use solana_account_decoder::{
    parse_token::{token_amount_to_ui_amount_v3, UiTokenAmount},
    UiAccount, UiAccountEncoding,
};
use solana_rpc_client_api::{
    config::{
        RpcAccountInfoConfig, RpcContextConfig, RpcProgramAccountsConfig, RpcTokenAccountsFilter,
    },
    filter::RpcFilterType,
    response::{OptionalContext, Response, RpcKeyedAccount},
};
use solana_sdk::account::Account;

use super::{internal, invalid_params, is_token_program, pubkey, Rpc, MAX_MULTIPLE_ACCOUNTS};

#[rpc(server)]
pub trait AccountsData {
    #[method(name = "getAccountInfo")]
    async fn get_account_info(
        &self,
        pubkey: String,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Option<UiAccount>>>;

    #[method(name = "getMultipleAccounts")]
    async fn get_multiple_accounts(
        &self,
        pubkeys: Vec<String>,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Vec<Option<UiAccount>>>>;

    #[method(name = "getTokenAccountBalance")]
    async fn get_token_account_balance(
        &self,
        pubkey: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<UiTokenAmount>>;
}

#[rpc(server)]
pub trait AccountsScan {
    #[method(name = "getProgramAccounts")]
    async fn get_program_accounts(
        &self,
        program_id: String,
        config: Option<RpcProgramAccountsConfig>,
    ) -> RpcResult<OptionalContext<Vec<RpcKeyedAccount>>>;

    #[method(name = "getTokenAccountsByOwner")]
    async fn get_token_accounts_by_owner(
        &self,
        owner: String,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Vec<RpcKeyedAccount>>>;
}

#[async_trait]
impl AccountsDataServer for Rpc {
    async fn get_account_info(
        &self,
        key: String,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Option<UiAccount>>> {
        let config = config.unwrap_or_default();
        let node = &self.node;
        let key = pubkey(&key)?;
        let context = node.context(config.min_context_slot).await?;
        let value = match node.account(&key).await? {
            Some(account) => Some(
                node.encode(&key, &account, &config, UiAccountEncoding::Binary)
                    .await?,
            ),
            None => None,
        };
        Ok(Response { context, value })
    }

    async fn get_multiple_accounts(
        &self,
        keys: Vec<String>,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Vec<Option<UiAccount>>>> {
        let config = config.unwrap_or_default();
        let node = &self.node;
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
    }

    async fn get_token_account_balance(
        &self,
        key: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<UiTokenAmount>> {
        let node = &self.node;
        let key = pubkey(&key)?;
        let context = node
            .context(config.unwrap_or_default().min_context_slot)
            .await?;
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
        Ok(Response {
            context,
            value: token_amount_to_ui_amount_v3(token.amount, &additional),
        })
    }
}

#[async_trait]
impl AccountsScanServer for Rpc {
    async fn get_program_accounts(
        &self,
        program: String,
        config: Option<RpcProgramAccountsConfig>,
    ) -> RpcResult<OptionalContext<Vec<RpcKeyedAccount>>> {
        let config = config.unwrap_or_default();
        let node = &self.node;
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
        Ok(if config.with_context.unwrap_or(false) {
            OptionalContext::Context(Response {
                context,
                value: keyed,
            })
        } else {
            OptionalContext::NoContext(keyed)
        })
    }

    async fn get_token_accounts_by_owner(
        &self,
        owner: String,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Vec<RpcKeyedAccount>>> {
        let config = config.unwrap_or_default();
        let node = &self.node;
        let owner = pubkey(&owner)?;
        let (program, mint) = match filter {
            RpcTokenAccountsFilter::Mint(mint) => {
                let mint = pubkey(&mint)?;
                let program = node
                    .account(&mint)
                    .await?
                    .map(|m| m.owner)
                    .filter(is_token_program)
                    .ok_or_else(|| invalid_params("Invalid param: could not find mint"))?;
                (program, Some(mint))
            }
            RpcTokenAccountsFilter::ProgramId(program) => {
                let program = pubkey(&program)?;
                if !is_token_program(&program) {
                    return Err(invalid_params(
                        "Invalid param: unrecognized Token program id",
                    ));
                }
                (program, None)
            }
        };
        let context = node.context(config.min_context_slot).await?;
        let mut keyed = Vec::new();
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
        Ok(Response {
            context,
            value: keyed,
        })
    }
}

/// Whether a `getProgramAccounts` filter (its bytes already raw) lets an account through.
pub(crate) fn allows(filter: &RpcFilterType, account: &Account) -> bool {
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
