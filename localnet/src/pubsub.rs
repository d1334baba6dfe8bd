//! The WebSocket subscriptions: `signatureSubscribe`, `accountSubscribe`, `logsSubscribe`, `programSubscribe`
//! and `slotSubscribe`, with Solana's notification shapes, as a typed jsonrpsee trait.

use std::sync::Arc;

use jsonrpsee::{
    core::{async_trait, SubscriptionResult},
    proc_macros::rpc,
    PendingSubscriptionSink, RpcModule, SubscriptionMessage, SubscriptionSink,
};
use public_spending_sdk::fetch::AccountSource;
use serde::Serialize;
use solana_account_decoder::{encode_ui_account, UiAccount, UiAccountEncoding};
use solana_rpc_client_api::{
    config::{
        RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSignatureSubscribeConfig,
        RpcTransactionLogsConfig, RpcTransactionLogsFilter,
    },
    filter::RpcFilterType,
    response::{
        ProcessedSignatureResult, Response, RpcKeyedAccount, RpcLogsResponse, RpcResponseContext,
        RpcSignatureResult, SlotInfo,
    },
};
use solana_sdk::{account::Account, pubkey::Pubkey, signature::Signature};
use tokio::sync::broadcast::error::RecvError;

use crate::{
    node::Node,
    rpc::{invalid_params, pubkey, Rpc},
};

/// The WebSocket methods, as agave's `RpcSolPubSub` trait names them.
#[rpc(server)]
pub trait PubSub {
    /// One notification when the transaction lands (at once if it already has), then the subscription ends,
    /// as on a validator.
    #[subscription(
        name = "signatureSubscribe" => "signatureNotification",
        unsubscribe = "signatureUnsubscribe",
        item = Response<RpcSignatureResult>
    )]
    async fn signature_subscribe(
        &self,
        signature: String,
        config: Option<RpcSignatureSubscribeConfig>,
    ) -> SubscriptionResult;

    /// The account as it stands after every transaction that names it.
    #[subscription(
        name = "accountSubscribe" => "accountNotification",
        unsubscribe = "accountUnsubscribe",
        item = Response<UiAccount>
    )]
    async fn account_subscribe(
        &self,
        pubkey: String,
        config: Option<RpcAccountInfoConfig>,
    ) -> SubscriptionResult;

    /// The logs of every transaction that lands (`all`), or of those that name one address (`{"mentions":
    /// [address]}`, one address, as on a validator).
    #[subscription(
        name = "logsSubscribe" => "logsNotification",
        unsubscribe = "logsUnsubscribe",
        item = Response<RpcLogsResponse>
    )]
    async fn logs_subscribe(
        &self,
        filter: RpcTransactionLogsFilter,
        config: Option<RpcTransactionLogsConfig>,
    ) -> SubscriptionResult;

    /// Every account the program owns, as it stands after each transaction that names it (and passes the
    /// filters).
    #[subscription(
        name = "programSubscribe" => "programNotification",
        unsubscribe = "programUnsubscribe",
        item = Response<RpcKeyedAccount>
    )]
    async fn program_subscribe(
        &self,
        program: String,
        config: Option<RpcProgramAccountsConfig>,
    ) -> SubscriptionResult;

    /// Each slot as it closes.
    #[subscription(
        name = "slotSubscribe" => "slotNotification",
        unsubscribe = "slotUnsubscribe",
        item = SlotInfo
    )]
    async fn slot_subscribe(&self) -> SubscriptionResult;
}

pub(crate) fn module(node: Arc<Node>) -> RpcModule<Rpc> {
    PubSubServer::into_rpc(Rpc::new(node))
}

async fn notify(sink: &SubscriptionSink, value: &impl Serialize) -> SubscriptionResult {
    let message = SubscriptionMessage::new(sink.method_name(), sink.subscription_id(), value)?;
    sink.send(message).await?;
    Ok(())
}

#[async_trait]
impl PubSubServer for Rpc {
    async fn signature_subscribe(
        &self,
        pending: PendingSubscriptionSink,
        signature: String,
        _config: Option<RpcSignatureSubscribeConfig>,
    ) -> SubscriptionResult {
        let node = &self.node;
        let signature = match signature.parse::<Signature>() {
            Ok(signature) => signature,
            Err(e) => {
                pending
                    .reject(invalid_params(format!("Invalid param: {e}")))
                    .await;
                return Ok(());
            }
        };
        // Listen before looking, so that a transaction landing in between is heard.
        let mut notices = node.notices();
        let sink = pending.accept().await?;
        let landed = match node.chain().saved_transaction(&signature)? {
            Some(saved) => Some((saved.slot, saved.error)),
            None => loop {
                tokio::select! {
                    _ = sink.closed() => break None,
                    notice = notices.recv() => match notice {
                        Ok(notice) if notice.signature == signature => {
                            break Some((notice.slot, notice.err));
                        }
                        Ok(_) => {}
                        Err(RecvError::Lagged(_)) => {
                            if let Some(saved) = node.chain().saved_transaction(&signature)? {
                                break Some((saved.slot, saved.error));
                            }
                        }
                        Err(RecvError::Closed) => break None,
                    },
                }
            },
        };
        if let Some((slot, err)) = landed {
            let value = Response {
                context: RpcResponseContext::new(slot),
                value: RpcSignatureResult::ProcessedSignature(ProcessedSignatureResult {
                    err: err.map(Into::into),
                }),
            };
            notify(&sink, &value).await?;
        }
        Ok(())
    }

    async fn account_subscribe(
        &self,
        pending: PendingSubscriptionSink,
        key: String,
        config: Option<RpcAccountInfoConfig>,
    ) -> SubscriptionResult {
        let node = &self.node;
        let key = match pubkey(&key) {
            Ok(key) => key,
            Err(err) => {
                pending.reject(err).await;
                return Ok(());
            }
        };
        let config = config.unwrap_or_default();
        let mut notices = node.notices();
        let sink = pending.accept().await?;
        loop {
            let slot = tokio::select! {
                _ = sink.closed() => return Ok(()),
                notice = notices.recv() => match notice {
                    Ok(notice) if notice.keys.contains(&key) => notice.slot,
                    Ok(_) => continue,
                    // Missed notices: send where the account stands now.
                    Err(RecvError::Lagged(_)) => node.slot().await?,
                    Err(RecvError::Closed) => return Ok(()),
                },
            };
            let account = node.chain().get_account(&key).await?;
            notify(&sink, &account_notification(&key, account, &config, slot)).await?;
        }
    }

    async fn logs_subscribe(
        &self,
        pending: PendingSubscriptionSink,
        filter: RpcTransactionLogsFilter,
        _config: Option<RpcTransactionLogsConfig>,
    ) -> SubscriptionResult {
        let node = &self.node;
        let mentioned = match mentions(filter) {
            Ok(mentioned) => mentioned,
            Err(reason) => {
                pending.reject(invalid_params(reason)).await;
                return Ok(());
            }
        };
        let mut notices = node.notices();
        let sink = pending.accept().await?;
        loop {
            let notice = tokio::select! {
                _ = sink.closed() => return Ok(()),
                notice = notices.recv() => match notice {
                    Ok(notice) if mentioned.is_none_or(|key| notice.keys.contains(&key)) => notice,
                    Ok(_) => continue,
                    // A subscriber that fell behind has missed transactions, as on a validator: a client that
                    // must miss nothing pages the history (getSignaturesForAddress) after a notification.
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return Ok(()),
                },
            };
            let logs = node
                .chain()
                .saved_transaction(&notice.signature)?
                .map(|saved| saved.logs)
                .unwrap_or_default();
            let value = Response {
                context: RpcResponseContext::new(notice.slot),
                value: RpcLogsResponse {
                    signature: notice.signature.to_string(),
                    err: notice.err.map(Into::into),
                    logs,
                },
            };
            notify(&sink, &value).await?;
        }
    }

    async fn program_subscribe(
        &self,
        pending: PendingSubscriptionSink,
        program: String,
        config: Option<RpcProgramAccountsConfig>,
    ) -> SubscriptionResult {
        let node = &self.node;
        let program = match pubkey(&program) {
            Ok(program) => program,
            Err(err) => {
                pending.reject(err).await;
                return Ok(());
            }
        };
        let config = config.unwrap_or_default();
        let mut filters = config.filters.clone().unwrap_or_default();
        for filter in &mut filters {
            let checked =
                filter
                    .verify()
                    .map_err(|e| format!("{e:?}"))
                    .and_then(|()| match filter {
                        RpcFilterType::Memcmp(memcmp) => {
                            memcmp.convert_to_raw_bytes().map_err(|e| format!("{e:?}"))
                        }
                        _ => Ok(()),
                    });
            if let Err(reason) = checked {
                pending
                    .reject(invalid_params(format!("Invalid param: {reason}")))
                    .await;
                return Ok(());
            }
        }
        let mut notices = node.notices();
        let sink = pending.accept().await?;
        loop {
            let notice = tokio::select! {
                _ = sink.closed() => return Ok(()),
                notice = notices.recv() => match notice {
                    Ok(notice) => notice,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return Ok(()),
                },
            };
            for key in &notice.keys {
                let Some(account) = node.chain().get_account(key).await? else {
                    continue;
                };
                if account.owner != program
                    || !filters.iter().all(|f| crate::rpc::allows(f, &account))
                {
                    continue;
                }
                let value = Response {
                    context: RpcResponseContext::new(notice.slot),
                    value: RpcKeyedAccount {
                        pubkey: key.to_string(),
                        account: account_notification(
                            key,
                            Some(account),
                            &config.account_config,
                            notice.slot,
                        )
                        .value,
                    },
                };
                notify(&sink, &value).await?;
            }
        }
    }

    async fn slot_subscribe(&self, pending: PendingSubscriptionSink) -> SubscriptionResult {
        let mut slots = self.node.closed_slots();
        let sink = pending.accept().await?;
        loop {
            let slot = tokio::select! {
                _ = sink.closed() => return Ok(()),
                slot = slots.recv() => match slot {
                    Ok(slot) => slot,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return Ok(()),
                },
            };
            let info = SlotInfo {
                slot,
                parent: slot.saturating_sub(1),
                root: slot.saturating_sub(1),
            };
            notify(&sink, &info).await?;
        }
    }
}

/// What a validator answers to a `mentions` filter it does not take.
fn mentions(filter: RpcTransactionLogsFilter) -> Result<Option<Pubkey>, String> {
    match filter {
        RpcTransactionLogsFilter::All | RpcTransactionLogsFilter::AllWithVotes => Ok(None),
        RpcTransactionLogsFilter::Mentions(keys) => match keys.as_slice() {
            [key] => key
                .parse()
                .map(Some)
                .map_err(|e| format!("Invalid pubkey provided: {e}")),
            _ => Err("Invalid Request: Only 1 address supported".into()),
        },
    }
}

/// A closed account is reported as a validator reports it: no lamports, no data, owned by the system program.
fn account_notification(
    key: &Pubkey,
    account: Option<Account>,
    config: &RpcAccountInfoConfig,
    slot: u64,
) -> Response<UiAccount> {
    let account = account.unwrap_or_default();
    Response {
        context: RpcResponseContext::new(slot),
        value: encode_ui_account(
            key,
            &account,
            config.encoding.unwrap_or(UiAccountEncoding::Binary),
            None,
            config.data_slice,
        ),
    }
}
