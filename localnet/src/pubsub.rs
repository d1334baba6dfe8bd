//! The WebSocket subscriptions: `signatureSubscribe` and `accountSubscribe`, with Solana's notification shapes.

use std::sync::Arc;

use jsonrpsee::{
    core::SubscriptionResult, PendingSubscriptionSink, RpcModule, SubscriptionMessage,
    SubscriptionSink,
};
use public_spending_sdk::fetch::AccountSource;
use serde::Serialize;
use solana_account_decoder::{encode_ui_account, UiAccountEncoding};
use solana_rpc_client_api::{
    config::{RpcAccountInfoConfig, RpcSignatureSubscribeConfig},
    response::{ProcessedSignatureResult, Response, RpcResponseContext, RpcSignatureResult},
};
use solana_sdk::{account::Account, pubkey::Pubkey, signature::Signature};
use tokio::sync::broadcast::error::RecvError;

use crate::{
    node::Node,
    rpc::{invalid_params, pubkey},
};

pub(crate) fn module(node: Arc<Node>) -> RpcModule<Node> {
    let mut module = RpcModule::from_arc(node);
    register(&mut module).unwrap_or_else(|e| unreachable!("every method is named once: {e}"));
    module
}

async fn notify(sink: &SubscriptionSink, value: &impl Serialize) -> SubscriptionResult {
    let message = SubscriptionMessage::new(sink.method_name(), sink.subscription_id(), value)?;
    sink.send(message).await?;
    Ok(())
}

fn register(module: &mut RpcModule<Node>) -> Result<(), jsonrpsee::core::RegisterMethodError> {
    // One notification when the transaction lands (at once if it already has), then the subscription ends,
    // as on a validator.
    module.register_subscription(
        "signatureSubscribe",
        "signatureNotification",
        "signatureUnsubscribe",
        |params, pending: PendingSubscriptionSink, node, _| async move {
            let parsed = (|| {
                let mut sequence = params.sequence();
                let text: String = sequence.next()?;
                let _config: Option<RpcSignatureSubscribeConfig> = sequence.optional_next()?;
                text.parse::<Signature>()
                    .map_err(|e| invalid_params(format!("Invalid param: {e}")))
            })();
            let signature = match parsed {
                Ok(signature) => signature,
                Err(err) => {
                    pending.reject(err).await;
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
        },
    )?;
    // The account as it stands after every transaction that names it.
    module.register_subscription(
        "accountSubscribe",
        "accountNotification",
        "accountUnsubscribe",
        |params, pending: PendingSubscriptionSink, node, _| async move {
            let parsed = (|| {
                let mut sequence = params.sequence();
                let text: String = sequence.next()?;
                let config: Option<RpcAccountInfoConfig> = sequence.optional_next()?;
                Ok::<_, jsonrpsee::types::ErrorObjectOwned>((
                    pubkey(&text)?,
                    config.unwrap_or_default(),
                ))
            })();
            let (key, config) = match parsed {
                Ok(parsed) => parsed,
                Err(err) => {
                    pending.reject(err).await;
                    return Ok(());
                }
            };
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
        },
    )?;
    Ok(())
}

/// A closed account is reported as a validator reports it: no lamports, no data, owned by the system program.
fn account_notification(
    key: &Pubkey,
    account: Option<Account>,
    config: &RpcAccountInfoConfig,
    slot: u64,
) -> Response<solana_account_decoder::UiAccount> {
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
