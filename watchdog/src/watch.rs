//! `watch`: follows the chain as it moves and reports each new red flag once.
//!
//! The WebSocket subscription (`logsSubscribe` for the transactions that mention the program) only says when to
//! look; what is read is the history, paged from the index's cursors exactly as `index` pages it. So a dropped
//! connection, a restarted node or a restarted watch resumes from the last indexed signature with no gap and
//! no duplicate: on every (re)connection the watch first indexes everything that landed meanwhile. The first
//! step audits the whole index; every later step reads only the events it indexed and runs each check over
//! only what they can change ([`audit::rerun`]: the award and recipient a payment went to, its invoice, its
//! agency's days), so a new transaction costs the same on a ledger of ten thousand payments or a million. The
//! findings not reported before are reported. A timer runs the same step between notifications, in case a
//! notification was lost.

use std::{collections::BTreeSet, time::Duration};

use futures_util::StreamExt;
use public_spending_sdk::{history::History, Backend, SdkError};
use serde::Serialize;
use solana_client::{
    nonblocking::pubsub_client::PubsubClient,
    rpc_config::{RpcTransactionLogsConfig, RpcTransactionLogsFilter},
};

use crate::{
    audit::{self, AuditOptions, Finding},
    index, Result, Store, WatchdogError,
};

/// A red flag as the watch reports it: the finding, and when the watch saw it (unix seconds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alert {
    #[serde(flatten)]
    pub finding: Finding,
    pub detected_at: i64,
}

impl Alert {
    /// What makes a finding the same finding again: its [`Finding::id`] (the check and the events it rests on).
    pub fn key(&self) -> FindingKey {
        self.finding.id.clone()
    }
}

/// A finding's identity, [`Finding::id`].
pub type FindingKey = String;

/// What the watch is doing, for a status line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Subscribed; the index holds this many transactions.
    Watching { transactions: u64 },
    /// The node cannot be reached or the connection dropped; trying again after the wait.
    Reconnecting { reason: String, wait: Duration },
}

/// How the watch runs.
#[derive(Clone, Debug)]
pub struct WatchOptions {
    pub audit: AuditOptions,
    /// The step runs at least this often without a notification (for the clock's own red flags).
    pub every: Duration,
    /// Waits between reconnection attempts: doubling from the first to the last.
    pub first_retry: Duration,
    pub last_retry: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            audit: AuditOptions::default(),
            every: Duration::from_secs(30),
            first_retry: Duration::from_millis(250),
            last_retry: Duration::from_secs(15),
        }
    }
}

/// The watch over one index: what it has reported, and the step that finds what is new.
pub struct Watch<'a, C> {
    chain: &'a C,
    store: &'a mut Store,
    options: WatchOptions,
    alerts: Alerts,
}

/// The audit side of a watch: what it has reported, and how far into the index it has audited.
pub struct Alerts {
    options: AuditOptions,
    reported: BTreeSet<FindingKey>,
    /// The newest transaction of the index when it was last audited; `None` before the first audit.
    audited_to: Option<i64>,
    /// What the checks remember from the last audit.
    memo: audit::Memo,
}

impl Alerts {
    /// Alerts that have already reported `reported` (the findings in an alerts file from an earlier run).
    pub fn new(options: AuditOptions, reported: impl IntoIterator<Item = FindingKey>) -> Self {
        Self {
            options,
            reported: reported.into_iter().collect(),
            audited_to: None,
            memo: audit::Memo::default(),
        }
    }

    /// The findings not reported before, among those of the whole index (the first time) or of what the
    /// transactions indexed since the last time can change; each is then counted as reported.
    pub fn after_index(&mut self, store: &Store, now: i64) -> Result<Vec<Alert>> {
        let newest = store.newest_transaction()?;
        let mut new = Vec::new();
        let reported = &mut self.reported;
        let keep = |finding: Finding| {
            if reported.insert(finding.id.clone()) {
                new.push(Alert {
                    finding,
                    detected_at: now,
                });
            }
            Ok(())
        };
        match self.audited_to {
            None => {
                audit::audit_remembering(store, &self.options, &mut self.memo, keep)?;
            }
            Some(audited_to) => {
                let changes = audit::Changes {
                    events: store.events_after(audited_to)?,
                };
                audit::rerun(store, &self.options, &changes, &mut self.memo, keep)?;
            }
        }
        self.audited_to = Some(newest);
        Ok(new)
    }
}

impl<'a, C: Backend + History> Watch<'a, C> {
    /// A watch that has already reported `reported` (the findings in an alerts file from an earlier run).
    pub fn new(
        chain: &'a C,
        store: &'a mut Store,
        options: WatchOptions,
        reported: impl IntoIterator<Item = FindingKey>,
    ) -> Self {
        Self {
            chain,
            store,
            alerts: Alerts::new(options.audit, reported),
            options,
        }
    }

    /// Indexes what landed since the last step, audits (the whole index at the first step, then what the new
    /// events can change), and returns the findings not reported before (each is then counted as reported).
    pub async fn step(&mut self, now: i64) -> Result<Vec<Alert>> {
        index::index(self.chain, self.store, |_| {}).await?;
        self.alerts.after_index(self.store, now)
    }

    /// Follows the node at `websocket` until `alert` or the index fails: each notification of a transaction
    /// that mentions the program, each reconnection, and each [`WatchOptions::every`] runs [`Watch::step`].
    /// A node that cannot be reached, or a connection that drops, is waited for (the waits double up to
    /// [`WatchOptions::last_retry`]), never an error.
    pub async fn follow(
        &mut self,
        websocket: &str,
        mut alert: impl FnMut(&Alert) -> Result<()>,
        mut status: impl FnMut(&Status),
    ) -> Result<()> {
        let mut wait = self.options.first_retry;
        loop {
            let reason = match self.follow_once(websocket, &mut alert, &mut status).await {
                Ok(reason) => reason,
                Err(err) if is_unreachable(&err) => err.to_string(),
                Err(err) => return Err(err),
            };
            status(&Status::Reconnecting { reason, wait });
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(self.options.last_retry);
        }
    }

    /// One connection: subscribes, catches up, then steps on every notification and tick. Returns why the
    /// connection ended.
    async fn follow_once(
        &mut self,
        websocket: &str,
        alert: &mut impl FnMut(&Alert) -> Result<()>,
        status: &mut impl FnMut(&Status),
    ) -> Result<String> {
        let unreachable = |reason: String| {
            WatchdogError::Sdk(SdkError::Unreachable {
                url: websocket.to_string(),
                reason,
            })
        };
        let pubsub = PubsubClient::new(websocket)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        let (mut notifications, _unsubscribe) = pubsub
            .logs_subscribe(
                RpcTransactionLogsFilter::Mentions(vec![public_spending::ID.to_string()]),
                RpcTransactionLogsConfig { commitment: None },
            )
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        // Subscribed first, then caught up: a transaction landing in between is both read and notified, and
        // the second step finds it already indexed.
        self.report(alert).await?;
        status(&Status::Watching {
            transactions: self.store.count("transactions")?,
        });
        let mut ticks = tokio::time::interval(self.options.every);
        ticks.tick().await;
        loop {
            tokio::select! {
                notification = notifications.next() => match notification {
                    Some(_) => self.report(alert).await?,
                    None => return Ok(format!("the WebSocket connection to {websocket} closed")),
                },
                _ = ticks.tick() => self.report(alert).await?,
            }
        }
    }

    async fn report(&mut self, alert: &mut impl FnMut(&Alert) -> Result<()>) -> Result<()> {
        let now = chrono::Utc::now().timestamp();
        for new in self.step(now).await? {
            alert(&new)?;
        }
        Ok(())
    }
}

/// Errors the watch waits out: the node is down, or its answers stopped midway.
fn is_unreachable(err: &WatchdogError) -> bool {
    matches!(
        err,
        WatchdogError::Sdk(SdkError::Unreachable { .. } | SdkError::Transport(_))
    )
}
