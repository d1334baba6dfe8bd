//! The WebSocket subscriptions: `signatureSubscribe` and `accountSubscribe`, with Solana's notification shapes,
//! as a typed jsonrpsee trait.

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
    config::{RpcAccountInfoConfig, RpcSignatureSubscribeConfig},
    response::{ProcessedSignatureResult, Response, RpcResponseContext, RpcSignatureResult},
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
