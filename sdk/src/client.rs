//! [`Client`]: typed reads and writes over any [`Backend`], with retries that never pay twice.
//!
//! Payments are addressed by their PDA (`["payment", award, index]`). When a send fails in a way that leaves it
//! unknown whether the transaction landed (a dropped connection, an expired blockhash), the client looks at that
//! PDA before trying again: if the account is there with the same amount, invoice and reference, the first
//! attempt landed and the payment is reported as done instead of being sent a second time.
//!
//! ```no_run
//! # async fn example() -> Result<(), public_spending_sdk::SdkError> {
//! use public_spending_sdk::{query::AwardQuery, Client, RpcBackend};
//! use solana_sdk::signature::Keypair;
//!
//! let client = Client::new(RpcBackend::new("https://api.devnet.solana.com".into(), Keypair::new()));
//! let (agency, state) = client.agency("075").await?;
//! let awards = client.list(&AwardQuery { agency: Some(agency), ..AwardQuery::default() }).await?;
//! println!("{} has {} awards and has paid {} base units", state.name, awards.len(), state.outlayed);
//! # Ok(())
//! # }
//! ```

use std::{future::Future, time::Duration};

use anchor_lang::{prelude::Pubkey, AccountDeserialize};
use public_spending::{
    constants::UEI_LEN,
    instructions::PaymentArgs,
    state::{Agency, Award, Exclusion, Ledger, Payment, Recipient},
};
use solana_sdk::{
    message::AddressLookupTableAccount, signature::Keypair, signer::Signer,
    transaction::TransactionError,
};

use crate::{
    backend::{Backend, TxOutcome},
    builders::{AwardKeys, PaySmall, Payout, RequestPayment},
    error::SdkError,
    fetch::{decode, fetch, fetch_optional},
    pda,
    query::Query,
};

/// How often and how patiently to retry a send whose fate is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            backoff: Duration::from_millis(500),
        }
    }
}

/// How a submission ended.
#[derive(Debug, Clone)]
pub enum Submitted {
    /// This call's transaction landed.
    Landed(TxOutcome),
    /// An earlier attempt had landed already (its response was lost); nothing was sent again.
    AlreadyLanded,
}

impl Submitted {
    pub fn outcome(&self) -> Option<&TxOutcome> {
        match self {
            Self::Landed(outcome) => Some(outcome),
            Self::AlreadyLanded => None,
        }
    }
}

/// A payment the client requested or paid, and how its submission ended.
#[derive(Debug, Clone)]
pub struct PaymentReceipt {
    pub payment: Pubkey,
    pub index: u32,
    pub submitted: Submitted,
}

/// True for failures after which the transaction may or may not have landed.
pub fn is_transient(err: &SdkError) -> bool {
    matches!(
        err,
        SdkError::Transport(_)
            | SdkError::Unreachable { .. }
            | SdkError::Transaction(TransactionError::BlockhashNotFound)
    )
}

/// Typed access to the ledger over a [`Backend`].
pub struct Client<B> {
    backend: B,
    retry: RetryPolicy,
    /// Micro-lamports per compute unit bid on every transaction sent, when set.
    priority_fee: Option<u64>,
}

impl<B: Backend> Client<B> {
    pub fn new(backend: B) -> Self {
        Self {
            backend,
            retry: RetryPolicy::default(),
            priority_fee: None,
        }
    }

    /// Bids `micro_lamports` per compute unit on every transaction this client sends (a `SetComputeUnitPrice`
    /// instruction first), as the Solana CLI's `--with-compute-unit-price` does: on a busy cluster, the leader
    /// takes the higher bids first. `None` or zero bids nothing.
    pub fn with_priority_fee(mut self, micro_lamports: Option<u64>) -> Self {
        self.priority_fee = micro_lamports.filter(|&price| price > 0);
        self
    }

    /// The priority fee every transaction carries, in micro-lamports per compute unit.
    pub fn priority_fee(&self) -> Option<u64> {
        self.priority_fee
    }

    /// `instructions` with the priority fee instruction first, when there is one.
    fn priced(
        &self,
        instructions: &[solana_sdk::instruction::Instruction],
    ) -> Vec<solana_sdk::instruction::Instruction> {
        let mut priced: Vec<solana_sdk::instruction::Instruction> = self
            .priority_fee
            .map(crate::batch::priority_fee_instruction)
            .into_iter()
            .collect();
        priced.extend_from_slice(instructions);
        priced
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    pub fn into_backend(self) -> B {
        self.backend
    }

    /// Sends once; transient failures are retried, anything else is returned as is.
    /// Sends `operation` (any builder of [`crate::builders`]) signed by `signers`.
    pub async fn perform(
        &self,
        operation: &(impl crate::builders::Operation + ?Sized),
        signers: &[&Keypair],
    ) -> Result<TxOutcome, SdkError> {
        self.send(&operation.instructions(), signers).await
    }

    pub async fn send(
        &self,
        instructions: &[solana_sdk::instruction::Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, SdkError> {
        match self
            .submit(instructions, signers, || async { Ok(false) })
            .await?
        {
            Submitted::Landed(outcome) => Ok(outcome),
            Submitted::AlreadyLanded => Err(SdkError::Transport(
                "the transaction landed but its outcome was lost".into(),
            )),
        }
    }

    /// Sends with retries. After any failure, `landed` is asked whether an earlier attempt already took effect;
    /// if so nothing is sent again. Program refusals are returned at once (after that check).
    pub async fn submit<F, Fut>(
        &self,
        instructions: &[solana_sdk::instruction::Instruction],
        signers: &[&Keypair],
        landed: F,
    ) -> Result<Submitted, SdkError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<bool, SdkError>>,
    {
        let instructions = self.priced(instructions);
        self.submit_via(|| self.backend.send(&instructions, signers), landed)
            .await
    }

    /// [`Self::submit`] for whatever `send` sends (a legacy or a v0 transaction).
    async fn submit_via<S, SentFut, F, Fut>(
        &self,
        send: S,
        landed: F,
    ) -> Result<Submitted, SdkError>
    where
        S: Fn() -> SentFut,
        SentFut: Future<Output = Result<TxOutcome, SdkError>>,
        F: Fn() -> Fut,
        Fut: Future<Output = Result<bool, SdkError>>,
    {
        let mut attempt = 1;
        loop {
            let err = match send().await {
                Ok(outcome) => return Ok(Submitted::Landed(outcome)),
                Err(err) => err,
            };
            if landed().await? {
                return Ok(Submitted::AlreadyLanded);
            }
            if !is_transient(&err) || attempt >= self.retry.attempts {
                return Err(err);
            }
            tokio::time::sleep(self.retry.backoff.saturating_mul(attempt)).await;
            attempt += 1;
        }
    }

    pub async fn fetch<T: AccountDeserialize>(&self, address: &Pubkey) -> Result<T, SdkError> {
        fetch(&self.backend, address).await
    }

    pub async fn fetch_optional<T: AccountDeserialize>(
        &self,
        address: &Pubkey,
    ) -> Result<Option<T>, SdkError> {
        fetch_optional(&self.backend, address).await
    }

    pub async fn ledger(&self) -> Result<Ledger, SdkError> {
        self.fetch(&pda::ledger().0).await
    }

    /// The agency with this code, and its address.
    pub async fn agency(&self, code: &str) -> Result<(Pubkey, Agency), SdkError> {
        let address = pda::agency(code).0;
        Ok((address, self.fetch(&address).await?))
    }

    /// Every account matching `query`, filtered by the node (or the embedded index), sorted by address.
    pub async fn list<Q: Query>(&self, query: &Q) -> Result<Vec<(Pubkey, Q::Account)>, SdkError> {
        let mut accounts = self
            .backend
            .program_accounts(&query.filters())
            .await?
            .into_iter()
            .map(|(address, account)| {
                decode::<Q::Account>(&address, &account).map(|decoded| (address, decoded))
            })
            .collect::<Result<Vec<_>, _>>()?;
        accounts.sort_by_key(|(address, _)| *address);
        Ok(accounts)
    }

    /// The balance of a token account in base units, or zero when it does not exist.
    pub async fn token_balance(&self, token_account: &Pubkey) -> Result<u64, SdkError> {
        crate::fetch::token_balance(&self.backend, token_account).await
    }

    /// Whether the payment at `address` exists with exactly this amount, invoice and reference.
    async fn payment_matches(
        &self,
        address: &Pubkey,
        args: &PaymentArgs,
        reference: &Pubkey,
    ) -> Result<bool, SdkError> {
        Ok(self
            .fetch_optional::<Payment>(address)
            .await?
            .is_some_and(|p| {
                p.amount == args.amount
                    && p.invoice_hash == args.invoice_hash
                    && p.reference == *reference
            }))
    }

    /// Requests a payment at the award's next index; never creates two payments for one call.
    pub async fn request_payment(
        &self,
        award: &Pubkey,
        args: PaymentArgs,
        reference: Pubkey,
        requester: &Keypair,
    ) -> Result<PaymentReceipt, SdkError> {
        let state: Award = self.fetch(award).await?;
        let index = state.payment_count;
        let builder = RequestPayment {
            agency: state.agency,
            award: *award,
            index,
            authority: requester.pubkey(),
            reference,
            args,
        };
        self.submit_payment(
            builder.instruction(),
            requester,
            builder.payment(),
            index,
            &builder.args,
            reference,
        )
        .await
    }

    /// Submits a new payment's instruction; after a failure, a payment found at its PDA with the same amount,
    /// invoice and reference is the first attempt, landed.
    async fn submit_payment(
        &self,
        instruction: solana_sdk::instruction::Instruction,
        signer: &Keypair,
        payment: Pubkey,
        index: u32,
        args: &PaymentArgs,
        reference: Pubkey,
    ) -> Result<PaymentReceipt, SdkError> {
        let submitted = self
            .submit(&[instruction], &[signer], || {
                self.payment_matches(&payment, args, &reference)
            })
            .await?;
        Ok(PaymentReceipt {
            payment,
            index,
            submitted,
        })
    }

    /// The token side of paying an award: the ledger's mint and the recipient's payout wallet.
    pub async fn payout(&self, award: &Award) -> Result<Payout, SdkError> {
        let ledger = self.ledger().await?;
        let recipient: Recipient = self.fetch(&award.recipient).await?;
        Ok(Payout {
            payment_mint: ledger.payment_mint,
            token_program: ledger.token_program,
            payout_wallet: recipient.payout_wallet,
            uei: recipient.uei,
        })
    }

    /// The UEI's ledger-wide exclusion, if an auditor ever wrote one (it may since have been lifted).
    /// An address lookup table as a v0 message uses it: its address and the addresses it holds.
    pub async fn lookup_table(&self, key: &Pubkey) -> Result<AddressLookupTableAccount, SdkError> {
        use solana_address_lookup_table_interface::{program, state::AddressLookupTable};
        let account = self
            .backend
            .get_account(key)
            .await?
            .ok_or(SdkError::AccountNotFound(*key))?;
        let decode = |reason: String| SdkError::Decode {
            address: *key,
            kind: "address lookup table",
            reason,
        };
        if account.owner != program::ID {
            return Err(decode(format!("it is owned by {}", account.owner)));
        }
        let table =
            AddressLookupTable::deserialize(&account.data).map_err(|e| decode(e.to_string()))?;
        Ok(AddressLookupTableAccount {
            key: *key,
            addresses: table.addresses.to_vec(),
        })
    }

    pub async fn exclusion(&self, uei: &[u8; UEI_LEN]) -> Result<Option<Exclusion>, SdkError> {
        self.fetch_optional(&pda::exclusion(uei).0).await
    }
}

impl<B: Backend + crate::history::History> Client<B> {
    /// Pays through the fast path at the award's next index; never pays twice for one call. The fast path
    /// creates no account, so after a failure the first attempt is recognised from the chain's history: the
    /// award has moved past the index, and a landed transaction naming the invoice's reference executed it.
    pub async fn pay_small(
        &self,
        award: &Pubkey,
        args: PaymentArgs,
        reference: Pubkey,
        executor: &Keypair,
    ) -> Result<PaymentReceipt, SdkError> {
        let state: Award = self.fetch(award).await?;
        let index = state.payment_count;
        let builder = PaySmall {
            keys: AwardKeys::of(*award, &state),
            payout: self.payout(&state).await?,
            index,
            executor: executor.pubkey(),
            reference,
            args,
        };
        let submitted = self
            .submit(&[builder.instruction()], &[executor], || {
                self.fast_payment_landed(&reference, award, index, &builder.args, &reference)
            })
            .await?;
        Ok(PaymentReceipt {
            payment: builder.payment(),
            index,
            submitted,
        })
    }

    /// Whether a fast-path payment of `args` at `index` of `award` with `reference` has landed, looking in the
    /// recent transactions of `search` (the reference, or the award).
    async fn fast_payment_landed(
        &self,
        search: &Pubkey,
        award: &Pubkey,
        index: u32,
        args: &PaymentArgs,
        reference: &Pubkey,
    ) -> Result<bool, SdkError> {
        use crate::events::LedgerEvent;
        let state: Award = self.fetch(award).await?;
        if state.payment_count <= index {
            return Ok(false);
        }
        let signatures = self
            .backend
            .signatures_for_address(search, None, None, crate::history::MAX_PAGE)
            .await?;
        for info in signatures.iter().filter(|info| info.err.is_none()) {
            let Some(transaction) = self.backend.transaction(&info.signature).await? else {
                continue;
            };
            let paid = transaction.events().iter().any(|event| {
                matches!(event, LedgerEvent::PaymentExecuted(e)
                    if e.record.award == *award
                        && e.record.payment_index == index
                        && e.record.amount == args.amount
                        && e.record.invoice_hash == args.invoice_hash
                        && e.record.reference == *reference)
            });
            if paid {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The `pay_batch` items of a schedule of `(award, amount, invoice hash)`: each award's next index is read
    /// once and counted forward, so the items of one award take consecutive indices. Also returns the payout
    /// wallets whose token account does not exist yet.
    pub async fn batch_items(
        &self,
        items: &[(Pubkey, u64, [u8; 32])],
    ) -> Result<(Vec<crate::builders::BatchItem>, Vec<Pubkey>), SdkError> {
        let mut next: Vec<(Pubkey, u32)> = Vec::new();
        let mut built = Vec::with_capacity(items.len());
        let mut missing = Vec::new();
        for (award, amount, invoice_hash) in items {
            let state: Award = self.fetch(award).await?;
            let index = match next.iter_mut().find(|(a, _)| a == award) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    next.push((*award, state.payment_count));
                    state.payment_count
                }
            };
            let payout = self.payout(&state).await?;
            let token_account = payout.recipient_token_account();
            if self.backend.get_account(&token_account).await?.is_none()
                && !missing.contains(&payout.payout_wallet)
            {
                missing.push(payout.payout_wallet);
            }
            built.push(crate::builders::BatchItem {
                keys: AwardKeys::of(*award, &state),
                payout,
                index,
                amount: *amount,
                invoice_hash: *invoice_hash,
            });
        }
        Ok((built, missing))
    }

    /// The addresses an address lookup table needs for paying `items` with `pay_batch`: put them in a table
    /// (`solana address-lookup-table create`, then `extend`) and pass it to [`Self::pay_batch`].
    pub async fn batch_table_addresses(
        &self,
        agency: &Pubkey,
        items: &[(Pubkey, u64, [u8; 32])],
        executor: &Pubkey,
    ) -> Result<Vec<Pubkey>, SdkError> {
        let ledger = self.ledger().await?;
        let (built, _) = self.batch_items(items).await?;
        let batch = crate::builders::PayBatch {
            agency: *agency,
            executor: *executor,
            payment_mint: ledger.payment_mint,
            token_program: ledger.token_program,
            items: built,
        };
        Ok(crate::batch::table_addresses(&crate::batch::instructions(
            &batch, None,
        )))
    }

    /// Pays a schedule of fast-path invoices with `pay_batch`, packed into as few transactions as fit (see
    /// [`crate::batch::pack`]): legacy without `tables`, v0 looking accounts up in them with. Sent in order;
    /// missing recipient token accounts are created first (idempotently). Returns, per transaction, the item
    /// positions it paid and how it was submitted; a failing transaction stops the run (the items before it
    /// are paid, the rest are not sent). Retries never pay twice: after a failure, a group whose first payment
    /// is in its award's history has landed.
    pub async fn pay_batch(
        &self,
        agency: &Pubkey,
        items: &[(Pubkey, u64, [u8; 32])],
        executor: &Keypair,
        tables: &[AddressLookupTableAccount],
    ) -> Result<Vec<(Vec<usize>, Submitted)>, SdkError> {
        let ledger = self.ledger().await?;
        let (built, missing) = self.batch_items(items).await?;
        for wallet in missing {
            let ix = anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
                &executor.pubkey(),
                &wallet,
                &ledger.payment_mint,
                &ledger.token_program,
            );
            self.send(&[ix], &[executor]).await?;
        }
        let groups = crate::batch::pack(
            *agency,
            executor.pubkey(),
            (ledger.payment_mint, ledger.token_program),
            &built,
            tables,
            self.priority_fee,
        );
        let mut sent = Vec::with_capacity(groups.len());
        for group in groups {
            let batch = crate::builders::PayBatch {
                agency: *agency,
                executor: executor.pubkey(),
                payment_mint: ledger.payment_mint,
                token_program: ledger.token_program,
                items: group.iter().map(|&i| built[i]).collect(),
            };
            let ixs = crate::batch::instructions(&batch, self.priority_fee);
            let first = built[group[0]];
            let args = PaymentArgs {
                amount: first.amount,
                invoice_hash: first.invoice_hash,
            };
            let no_reference = Pubkey::default();
            let landed = || {
                self.fast_payment_landed(
                    &first.keys.award,
                    &first.keys.award,
                    first.index,
                    &args,
                    &no_reference,
                )
            };
            let signers = [executor];
            let submitted = if tables.is_empty() {
                self.submit_via(|| self.backend.send(&ixs, &signers), landed)
                    .await?
            } else {
                self.submit_via(|| self.backend.send_v0(&ixs, &signers, tables), landed)
                    .await?
            };
            sent.push((group, submitted));
        }
        Ok(sent)
    }
}

/// An earlier payment of an award that carried the same invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EarlierInvoice {
    pub index: u32,
    pub amount: u64,
    /// Its status on chain (`Requested`, `Executed`, ...), or `paid` / `requested` when only its history is
    /// left (it was archived).
    pub status: String,
}

impl<B: Backend + crate::history::History> Client<B> {
    /// The first payment of `award` that carried `invoice_hash`, whether still on chain or archived (found in
    /// the award's transaction history): duplicate payments are the most common improper payment. The history
    /// is read page by page, so an award with a long history costs one read per transaction.
    pub async fn earlier_invoice(
        &self,
        award: &Pubkey,
        invoice_hash: &[u8; 32],
    ) -> Result<Option<EarlierInvoice>, SdkError> {
        use crate::{events::LedgerEvent, history::MAX_PAGE};
        let query = crate::query::PaymentQuery {
            award: Some(*award),
            ..Default::default()
        };
        let mut live = self.list(&query).await?;
        live.retain(|(_, payment)| payment.invoice_hash == *invoice_hash);
        if let Some((_, payment)) = live.iter().min_by_key(|(_, p)| p.index) {
            return Ok(Some(EarlierInvoice {
                index: payment.index,
                amount: payment.amount,
                status: format!("{:?}", payment.status),
            }));
        }
        let mut before = None;
        loop {
            let page = self
                .backend
                .signatures_for_address(award, before, None, MAX_PAGE)
                .await?;
            let Some(last) = page.last() else {
                return Ok(None);
            };
            before = Some(last.signature);
            for info in page.iter().filter(|info| info.err.is_none()) {
                let Some(transaction) = self.backend.transaction(&info.signature).await? else {
                    continue;
                };
                for event in transaction.events() {
                    let found = match &event {
                        LedgerEvent::PaymentExecuted(e)
                            if e.record.award == *award
                                && e.record.invoice_hash == *invoice_hash =>
                        {
                            Some((e.record.payment_index, e.record.amount, "paid"))
                        }
                        LedgerEvent::PaymentRequested(e)
                            if e.award == *award && e.invoice_hash == *invoice_hash =>
                        {
                            Some((e.index, e.amount, "requested"))
                        }
                        _ => None,
                    };
                    if let Some((index, amount, status)) = found {
                        return Ok(Some(EarlierInvoice {
                            index,
                            amount,
                            status: status.into(),
                        }));
                    }
                }
            }
        }
    }
}
