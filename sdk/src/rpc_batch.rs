//! Many `getTransaction` calls in few HTTP requests: JSON-RPC batches (an array of calls in one request, answered
//! by an array), a bounded number of requests in flight, and backoff when the node pushes back (HTTP 429, or
//! the error -32005 a node gives when it is behind or overloaded), as public RPC providers ask of indexers.
//! Kept beside the Solana RPC client, which sends one call per request: its `RpcClient` has no batch call.
//!
//! Only the calls that were refused are sent again; the answers come back in the order of the signatures
//! asked for, whatever order the node answered in.

use std::time::Duration;

use futures_util::{stream, StreamExt};
use serde_json::{json, Value};
use solana_client::rpc_config::RpcTransactionConfig;
use solana_sdk::signature::Signature;
use solana_transaction_status_client_types::EncodedConfirmedTransactionWithStatusMeta;

use crate::error::SdkError;

/// How a [`BatchFetcher`] spreads its calls and backs off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchOptions {
    /// Calls in one HTTP request.
    pub calls_per_request: usize,
    /// HTTP requests in flight at once.
    pub concurrency: usize,
    /// Attempts at a refused call before giving up (the first included).
    pub max_attempts: u32,
    /// The first wait after a refusal; each further refusal doubles it, up to [`BatchOptions::max_delay`]. A
    /// node's `Retry-After` is honoured instead when it gives one.
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for BatchOptions {
    /// 100 calls per request and 4 requests in flight: within what public providers accept of one client.
    fn default() -> Self {
        Self {
            calls_per_request: 100,
            concurrency: 4,
            max_attempts: 8,
            first_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
        }
    }
}

/// The JSON-RPC error a node gives when it is behind or cannot take more (Solana's "node is unhealthy" and
/// providers' rate limits).
pub const NODE_BUSY: i64 = -32005;

/// Fetches transactions from one node in batched JSON-RPC requests.
#[derive(Clone, Debug)]
pub struct BatchFetcher {
    http: reqwest::Client,
    url: String,
    options: BatchOptions,
}

/// One reply of a JSON-RPC batch.
#[derive(serde::Deserialize)]
struct Reply {
    id: Value,
    #[serde(default)]
    result: Option<EncodedConfirmedTransactionWithStatusMeta>,
    #[serde(default)]
    error: Option<ReplyError>,
}

#[derive(serde::Deserialize)]
struct ReplyError {
    code: i64,
    #[serde(default)]
    message: String,
}

/// One call's fate in one request.
enum Answer {
    Found(Option<Box<EncodedConfirmedTransactionWithStatusMeta>>),
    /// Refused for now: asked again after a wait.
    Busy,
}

impl BatchFetcher {
    pub fn new(url: impl Into<String>, options: BatchOptions) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: url.into(),
            options,
        }
    }

    pub fn options(&self) -> &BatchOptions {
        &self.options
    }

    /// The transactions of `signatures`, in their order (`None` for one the node does not know).
    pub async fn transactions(
        &self,
        signatures: &[Signature],
        config: RpcTransactionConfig,
    ) -> Result<Vec<Option<EncodedConfirmedTransactionWithStatusMeta>>, SdkError> {
        let per_request = self.options.calls_per_request.max(1);
        // The requests as futures first (none runs until polled), so that the stream's items name no closure.
        let requests: Vec<_> = signatures
            .chunks(per_request)
            .map(|chunk| self.fetch_chunk(chunk, config))
            .collect();
        let answers: Vec<Result<Vec<_>, SdkError>> = stream::iter(requests)
            .buffered(self.options.concurrency.max(1))
            .collect()
            .await;
        let mut all = Vec::with_capacity(signatures.len());
        for answer in answers {
            all.extend(answer?);
        }
        Ok(all)
    }

    /// One chunk, asked until every call is answered or the attempts run out.
    async fn fetch_chunk(
        &self,
        signatures: &[Signature],
        config: RpcTransactionConfig,
    ) -> Result<Vec<Option<EncodedConfirmedTransactionWithStatusMeta>>, SdkError> {
        let mut found: Vec<Option<Option<EncodedConfirmedTransactionWithStatusMeta>>> =
            signatures.iter().map(|_| None).collect();
        let mut delay = self.options.first_delay;
        for attempt in 1..=self.options.max_attempts.max(1) {
            let pending: Vec<usize> = (0..signatures.len())
                .filter(|&i| found[i].is_none())
                .collect();
            if pending.is_empty() {
                break;
            }
            let wait = match self.request(signatures, &pending, config).await? {
                Ok(answers) => {
                    for (i, answer) in pending.iter().zip(answers) {
                        if let Answer::Found(transaction) = answer {
                            found[*i] = Some(transaction.map(|t| *t));
                        }
                    }
                    delay
                }
                // The whole request was refused (HTTP 429): the node's own wait, if it named one.
                Err(retry_after) => retry_after.unwrap_or(delay),
            };
            if found.iter().all(Option::is_some) {
                break;
            }
            if attempt == self.options.max_attempts.max(1) {
                break;
            }
            // A node's own Retry-After is honoured up to a minute.
            tokio::time::sleep(wait.min(Duration::from_secs(60))).await;
            delay = (delay * 2).min(self.options.max_delay);
        }
        let refused = found.iter().filter(|f| f.is_none()).count();
        if refused > 0 {
            return Err(SdkError::Transport(format!(
                "the node at {} kept refusing {refused} getTransaction call(s) (rate limited or behind) after {} attempts; run again later to resume",
                self.url, self.options.max_attempts
            )));
        }
        Ok(found.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// One HTTP request of the `pending` calls. `Err(retry_after)` when the node refused the request whole.
    async fn request(
        &self,
        signatures: &[Signature],
        pending: &[usize],
        config: RpcTransactionConfig,
    ) -> Result<Result<Vec<Answer>, Option<Duration>>, SdkError> {
        let calls: Vec<Value> = pending
            .iter()
            .enumerate()
            .map(|(id, &i)| {
                json!({
                    "jsonrpc": "2.0",
                    "id": id,
                    "method": "getTransaction",
                    "params": [signatures[i].to_string(), config],
                })
            })
            .collect();
        let unreachable = |e: reqwest::Error| SdkError::Unreachable {
            url: self.url.trim_end_matches('/').to_string(),
            reason: e.to_string(),
        };
        let response = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(Value::Array(calls).to_string())
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Ok(Err(retry_after));
        }
        let body = response.bytes().await.map_err(unreachable)?;
        if !status.is_success() {
            return Err(SdkError::Transport(format!(
                "the node at {} answered a batch of getTransaction with HTTP {status}: {}",
                self.url,
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            )));
        }
        let malformed = |what: String| {
            SdkError::Transport(format!(
                "the node at {} answered a batch of getTransaction with {what}",
                self.url
            ))
        };
        // Read straight into the typed replies (one pass over the bytes; no JSON tree in between).
        let replies: Vec<Reply> = serde_json::from_slice(&body).map_err(|e| {
            malformed(format!(
                "something that is not a JSON-RPC batch reply of getTransaction ({e})"
            ))
        })?;
        let mut answers: Vec<Option<Answer>> = (0..pending.len()).map(|_| None).collect();
        for reply in replies {
            let id = reply
                .id
                .as_u64()
                .and_then(|id| usize::try_from(id).ok())
                .filter(|&id| id < pending.len())
                .ok_or_else(|| {
                    malformed(format!("a reply to no call it was asked (id {})", reply.id))
                })?;
            let answer = match reply.error {
                Some(error) if error.code == NODE_BUSY => Answer::Busy,
                Some(error) => {
                    return Err(SdkError::Transport(format!(
                        "getTransaction {}: {}",
                        signatures[pending[id]],
                        if error.message.is_empty() {
                            "an error without a message"
                        } else {
                            &error.message
                        }
                    )))
                }
                None => Answer::Found(reply.result.map(Box::new)),
            };
            answers[id] = Some(answer);
        }
        answers
            .into_iter()
            .enumerate()
            .map(|(id, answer)| {
                answer.ok_or_else(|| malformed(format!("no reply for {}", signatures[pending[id]])))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Ok)
    }
}
