//! Operations: one per thing a person does, as the CLI, the scenario and the tests do it. Each looks up what it
//! acts on by the names people use (agency code, award id, payment number), makes the checks the program would
//! make and says in words what is wrong before anything is sent ([`SdkError::Refused`]), builds the instruction
//! and sends it. Callers parse and render; they build no instruction themselves.

use anchor_lang::prelude::Pubkey;
use public_spending::{
    constants::{ROLE_APPROVE, ROLE_EXECUTE, ROLE_OBLIGATE, UEI_LEN},
    instructions::{AwardChange, RegisterRecipientArgs},
    state::{
        Agency, Award, Exclusion, ExclusionStatus, Flag, FlagReason, FlagStatus, FlagTarget,
        Member, OversightArgs, Payment, Recipient,
    },
};
use solana_sdk::signature::{Keypair, Signer};

use crate::{
    builders::{self, AwardKeys, PaymentDecision, Payout, WalletStep},
    pda, role_names, Backend, Client, SdkError, TxOutcome,
};

/// A payment on the approval path still on chain (requested, approved, or final and not yet archived), found
/// by its agency's code, its award's id and its number on the award.
#[derive(Clone, Debug)]
pub struct PaymentInFlight {
    pub code: String,
    pub award_id: String,
    pub index: u32,
    pub agency: Pubkey,
    pub award: Pubkey,
    pub award_state: Award,
    pub address: Pubkey,
    pub payment: Payment,
}

fn refused<T>(what: String) -> Result<T, SdkError> {
    Err(SdkError::Refused(what))
}

/// The auditors who sign a freeze, hold or exclusion, or its lift: one auditor, and on a lift by an auditor who
/// did not impose it, a second auditor in office concurring.
#[derive(Clone, Copy)]
pub struct AuditorSigners<'a> {
    pub auditor: &'a Keypair,
    pub concurring: Option<&'a Keypair>,
}

impl<'a> AuditorSigners<'a> {
    /// One auditor alone.
    pub fn alone(auditor: &'a Keypair) -> Self {
        Self {
            auditor,
            concurring: None,
        }
    }

    fn concurring_key(&self) -> Option<Pubkey> {
        self.concurring.map(|k| k.pubkey())
    }

    fn signers(&self) -> Vec<&'a Keypair> {
        std::iter::once(self.auditor)
            .chain(self.concurring)
            .collect()
    }

    /// Refuses, in words, a lift the program would refuse: by an auditor who did not impose `what`, alone.
    fn require_may_lift(&self, what: &str, imposed_by: &Pubkey) -> Result<(), SdkError> {
        let lifter = self.auditor.pubkey();
        match self.concurring {
            None if lifter != *imposed_by => refused(format!(
                "{what} was imposed by auditor {imposed_by}: it lifts it alone, or another auditor lifts it with a \
                 second auditor's concurring signature (--concurring)"
            )),
            Some(second) if second.pubkey() == lifter => refused(
                "the concurring auditor must be a second auditor, not the one lifting".to_string(),
            ),
            _ => Ok(()),
        }
    }
}

impl<B: Backend> Client<B> {
    /// Refuses, in words, an auditor's action the program would refuse: a lift by an auditor who did not impose
    /// `what`, alone; a signer who is no auditor in office is left to the program's own `NotAuditor`.
    async fn require_may_lift(
        &self,
        auditors: &AuditorSigners<'_>,
        what: &str,
        imposed_by: &Pubkey,
    ) -> Result<(), SdkError> {
        let ledger: public_spending::state::Ledger = self.fetch(&pda::ledger().0).await?;
        if !ledger.is_auditor(&auditors.auditor.pubkey()) {
            return Ok(());
        }
        auditors.require_may_lift(what, imposed_by)
    }

    /// Checks that `key` is an active member of agency `code` with every role of `role`.
    pub async fn require_role(
        &self,
        agency: &Pubkey,
        code: &str,
        key: &Pubkey,
        role: u8,
    ) -> Result<(), SdkError> {
        let member: Option<Member> = self.fetch_optional(&pda::member(agency, key).0).await?;
        let name = role_names(role);
        match member {
            None => refused(format!(
                "{key} is not a member of agency {code} (needs the {name} role)"
            )),
            Some(m) if !m.active => {
                refused(format!("{key} is a deactivated member of agency {code}"))
            }
            Some(m) if m.roles & role != role => {
                refused(format!("{key} lacks the {name} role in agency {code}"))
            }
            Some(_) => Ok(()),
        }
    }

    /// Payment `index` of award `award_id` in agency `code`, if it is still on chain; otherwise a refusal that
    /// says whether the award never gave that number or the payment is final and archived.
    pub async fn payment_in_flight(
        &self,
        code: &str,
        award_id: &str,
        index: u32,
    ) -> Result<PaymentInFlight, SdkError> {
        let agency = pda::agency(code).0;
        let award = pda::award(&agency, award_id).0;
        let Some(award_state) = self.fetch_optional::<Award>(&award).await? else {
            return refused(format!("unknown award {award_id:?} in this agency"));
        };
        let address = pda::payment(&award, index).0;
        match self.fetch_optional::<Payment>(&address).await? {
            Some(payment) => Ok(PaymentInFlight {
                code: code.to_string(),
                award_id: award_id.to_string(),
                index,
                agency,
                award,
                award_state,
                address,
                payment,
            }),
            None if index >= award_state.payment_count => match award_state.payment_count {
                0 => refused(format!(
                    "award {award_id} of agency {code} has no payment {index}: it has no payment yet"
                )),
                count => refused(format!(
                    "award {award_id} of agency {code} has no payment {index}: its payments are numbered 0 to {}",
                    count - 1
                )),
            },
            None => refused(format!(
                "payment {index} of award {award_id} is final and no longer on chain (its record is in the events and the index): only a payment in flight can be acted on"
            )),
        }
    }

    /// `execute_payment` by `executor` (EXECUTE role): pays the recipient's current payout wallet, which it
    /// returns with the outcome.
    pub async fn execute_payment(
        &self,
        payment: &PaymentInFlight,
        executor: &Keypair,
    ) -> Result<(Payout, TxOutcome), SdkError> {
        self.require_role(
            &payment.agency,
            &payment.code,
            &executor.pubkey(),
            ROLE_EXECUTE,
        )
        .await?;
        let payout = self.payout(&payment.award_state).await?;
        let ix = builders::ExecutePayment {
            keys: AwardKeys::of(payment.award, &payment.award_state),
            payout,
            index: payment.index,
            executor: executor.pubkey(),
        }
        .instruction();
        Ok((payout, self.send(&[ix], &[executor]).await?))
    }

    /// `archive_payment`: closes a final payment's account, its rent going back to its requester.
    pub async fn archive_payment(
        &self,
        payment: &PaymentInFlight,
        signer: &Keypair,
    ) -> Result<TxOutcome, SdkError> {
        let ix = builders::ArchivePayment {
            award: payment.award,
            payment: payment.address,
            rent_payer: payment.payment.requester,
        }
        .instruction();
        self.send(&[ix], &[signer]).await
    }

    /// Approve or reject (APPROVE role; never one's own request) or cancel (the requester or the head).
    pub async fn decide_payment(
        &self,
        payment: &PaymentInFlight,
        decision: PaymentDecision,
        signer: &Keypair,
    ) -> Result<TxOutcome, SdkError> {
        if decision != PaymentDecision::Cancel {
            self.require_role(
                &payment.agency,
                &payment.code,
                &signer.pubkey(),
                ROLE_APPROVE,
            )
            .await?;
        }
        if decision == PaymentDecision::Approve && payment.payment.requester == signer.pubkey() {
            return refused(format!(
                "you requested payment {} yourself: another approver must approve it",
                payment.index
            ));
        }
        let ix = builders::DecidePayment {
            agency: payment.agency,
            award: payment.award,
            index: payment.index,
            authority: signer.pubkey(),
            decision,
        }
        .instruction();
        self.send(&[ix], &[signer]).await
    }

    /// An auditor holds (`held`) or releases the payment, on `grounds`.
    pub async fn set_payment_held(
        &self,
        payment: &PaymentInFlight,
        held: bool,
        grounds: OversightArgs,
        auditors: AuditorSigners<'_>,
    ) -> Result<TxOutcome, SdkError> {
        if !held && payment.payment.held {
            self.require_may_lift(
                &auditors,
                "the hold on this payment",
                &payment.payment.held_by,
            )
            .await?;
        }
        let ix = builders::SetPaymentHeld {
            award: payment.award,
            payment: payment.address,
            auditor: auditors.auditor.pubkey(),
            held,
            grounds,
            concurring: auditors.concurring_key(),
        }
        .instruction();
        self.send(&[ix], &auditors.signers()).await
    }

    /// An auditor freezes (`frozen`) or unfreezes agency `code`, on `grounds`.
    pub async fn set_agency_frozen(
        &self,
        code: &str,
        frozen: bool,
        grounds: OversightArgs,
        auditors: AuditorSigners<'_>,
    ) -> Result<TxOutcome, SdkError> {
        let agency = pda::agency(code).0;
        let state: Agency = match self.fetch_optional(&agency).await? {
            Some(state) => state,
            None => return refused(format!("no agency {code} on this ledger")),
        };
        if state.frozen == frozen {
            let now = if frozen {
                "already frozen"
            } else {
                "not frozen"
            };
            return refused(format!("agency {code} is {now}"));
        }
        if !frozen {
            self.require_may_lift(
                &auditors,
                &format!("the freeze of agency {code}"),
                &state.frozen_by,
            )
            .await?;
        }
        let ix = builders::SetAgencyFrozen {
            agency,
            auditor: auditors.auditor.pubkey(),
            frozen,
            grounds,
            concurring: auditors.concurring_key(),
        }
        .instruction();
        self.send(&[ix], &auditors.signers()).await
    }

    /// Award `award_id` of agency `code`, and its address.
    pub async fn award_by_id(
        &self,
        code: &str,
        award_id: &str,
    ) -> Result<(Pubkey, Award), SdkError> {
        let address = pda::award(&pda::agency(code).0, award_id).0;
        match self.fetch_optional::<Award>(&address).await? {
            Some(award) => Ok((address, award)),
            None => refused(format!("unknown award {award_id:?} in this agency")),
        }
    }

    /// `modify_award` (OBLIGATE role): more money on the award, or a deobligation, recorded with its document.
    pub async fn modify_award(
        &self,
        code: &str,
        award_id: &str,
        change: AwardChange,
        document_hash: [u8; 32],
        signer: &Keypair,
    ) -> Result<(Pubkey, TxOutcome), SdkError> {
        let (address, award) = self.award_by_id(code, award_id).await?;
        self.require_role(&award.agency, code, &signer.pubkey(), ROLE_OBLIGATE)
            .await?;
        let ix = builders::ModifyAward {
            keys: AwardKeys::of(address, &award),
            authority: signer.pubkey(),
            change,
            document_hash,
        }
        .instruction();
        Ok((address, self.send(&[ix], &[signer]).await?))
    }

    /// `close_award` (OBLIGATE role).
    pub async fn close_award(
        &self,
        code: &str,
        award_id: &str,
        signer: &Keypair,
    ) -> Result<(Pubkey, TxOutcome), SdkError> {
        let (address, award) = self.award_by_id(code, award_id).await?;
        self.require_role(&award.agency, code, &signer.pubkey(), ROLE_OBLIGATE)
            .await?;
        let ix = builders::CloseAward {
            agency: award.agency,
            award: address,
            authority: signer.pubkey(),
        }
        .instruction();
        Ok((address, self.send(&[ix], &[signer]).await?))
    }

    /// An auditor holds (`held`) or releases a whole award, on `grounds`.
    pub async fn set_award_held(
        &self,
        code: &str,
        award_id: &str,
        held: bool,
        grounds: OversightArgs,
        auditors: AuditorSigners<'_>,
    ) -> Result<(Pubkey, TxOutcome), SdkError> {
        let (address, award) = self.award_by_id(code, award_id).await?;
        if !held && award.held {
            self.require_may_lift(
                &auditors,
                &format!("the hold on award {award_id}"),
                &award.held_by,
            )
            .await?;
        }
        let ix = builders::SetAwardHeld {
            award: address,
            auditor: auditors.auditor.pubkey(),
            held,
            grounds,
            concurring: auditors.concurring_key(),
        }
        .instruction();
        Ok((address, self.send(&[ix], &auditors.signers()).await?))
    }

    /// The public flag at `address`, while it is open (a closed flag lives on in its events).
    pub async fn flag(&self, address: &Pubkey) -> Result<Flag, SdkError> {
        match self.fetch_optional::<Flag>(address).await? {
            Some(flag) => Ok(flag),
            None => refused(format!(
                "no flag at {address} (closed flags live on in their events: see `pubspend audit`)"
            )),
        }
    }

    /// `raise_flag` by `flagger` (anyone; it pays the rent) on `target`, a payment naming its award and number,
    /// with the first nonce the flagger has not used on that target. Returns the flag's address.
    #[allow(clippy::too_many_arguments)]
    pub async fn raise_flag(
        &self,
        target: Pubkey,
        target_kind: FlagTarget,
        payment: Option<(Pubkey, u32)>,
        reason: FlagReason,
        evidence_hash: [u8; 32],
        flagger: &Keypair,
    ) -> Result<(Pubkey, TxOutcome), SdkError> {
        let mut nonce = 0u32;
        while self
            .fetch_optional::<Flag>(&pda::flag(&target, &flagger.pubkey(), nonce).0)
            .await?
            .is_some()
        {
            nonce = nonce.checked_add(1).ok_or_else(|| {
                SdkError::Refused("this wallet has used every nonce on this target".into())
            })?;
        }
        let raise = builders::RaiseFlag {
            target,
            payment_award: payment.map(|(award, _)| award),
            target_kind,
            flagger: flagger.pubkey(),
            nonce,
            reason,
            evidence_hash,
            payment_index: payment.map(|(_, index)| index),
        };
        Ok((
            raise.flag(),
            self.send(&[raise.instruction()], &[flagger]).await?,
        ))
    }

    /// The flagged agency answers (its head, or an active member), recording its response's hash.
    pub async fn respond_to_flag(
        &self,
        flag: &Pubkey,
        response_hash: [u8; 32],
        responder: &Keypair,
    ) -> Result<TxOutcome, SdkError> {
        let state = self.flag(flag).await?;
        let agency: Agency = self.fetch(&state.agency).await?;
        let as_member = agency.head != responder.pubkey();
        if as_member {
            let member: Option<Member> = self
                .fetch_optional(&pda::member(&state.agency, &responder.pubkey()).0)
                .await?;
            if !member.is_some_and(|m| m.active) {
                return refused(format!(
                    "{} is not an active member of agency {}: only the flagged agency's head or members answer a flag",
                    responder.pubkey(),
                    agency.code
                ));
            }
        }
        let ix = builders::RespondToFlag {
            flag: *flag,
            agency: state.agency,
            responder: responder.pubkey(),
            as_member,
            response_hash,
        }
        .instruction();
        self.send(&[ix], &[responder]).await
    }

    /// An auditor rules on a flag (`outcome`), recording the note's hash.
    pub async fn resolve_flag(
        &self,
        flag: &Pubkey,
        outcome: FlagStatus,
        note_hash: [u8; 32],
        auditor: &Keypair,
    ) -> Result<TxOutcome, SdkError> {
        self.flag(flag).await?;
        let ix = builders::ResolveFlag {
            flag: *flag,
            auditor: auditor.pubkey(),
            outcome,
            note_hash,
        }
        .instruction();
        self.send(&[ix], &[auditor]).await
    }

    /// Closes a ruled flag; its rent goes back to the flagger, whom it returns.
    pub async fn close_flag(
        &self,
        flag: &Pubkey,
        signer: &Keypair,
    ) -> Result<(Pubkey, TxOutcome), SdkError> {
        let state = self.flag(flag).await?;
        let ix = builders::CloseFlag {
            flag: *flag,
            flagger: state.flagger,
        }
        .instruction();
        Ok((state.flagger, self.send(&[ix], &[signer]).await?))
    }

    /// `register_recipient` in agency `code` (OBLIGATE role): refused in words if the agency already has this
    /// UEI. Returns the recipient's address.
    pub async fn register_recipient(
        &self,
        code: &str,
        args: RegisterRecipientArgs,
        signer: &Keypair,
    ) -> Result<(Pubkey, TxOutcome), SdkError> {
        let agency = pda::agency(code).0;
        self.require_role(&agency, code, &signer.pubkey(), ROLE_OBLIGATE)
            .await?;
        let register = builders::RegisterRecipient {
            agency,
            authority: signer.pubkey(),
            args,
        };
        if self
            .fetch_optional::<Recipient>(&register.recipient())
            .await?
            .is_some()
        {
            return refused(format!(
                "agency {code} has already registered UEI {}: each agency records a UEI once (change its wallet with propose-wallet)",
                String::from_utf8_lossy(&register.args.uei)
            ));
        }
        Ok((
            register.recipient(),
            self.send(&[register.instruction()], &[signer]).await?,
        ))
    }

    /// A payout-wallet change of agency `code`'s record of recipient `recipient` (OBLIGATE role): proposed by
    /// one member, confirmed by another after the agency's time lock.
    pub async fn change_payout_wallet(
        &self,
        code: &str,
        recipient: &Pubkey,
        step: WalletStep,
        signer: &Keypair,
    ) -> Result<TxOutcome, SdkError> {
        let agency = pda::agency(code).0;
        self.require_role(&agency, code, &signer.pubkey(), ROLE_OBLIGATE)
            .await?;
        let ix = builders::ChangePayoutWallet {
            agency,
            recipient: *recipient,
            authority: signer.pubkey(),
            step,
        }
        .instruction();
        self.send(&[ix], &[signer]).await
    }

    /// An auditor debars, suspends or reinstates `uei` in every agency, on `grounds`. Returns the exclusion's
    /// address.
    pub async fn set_exclusion(
        &self,
        uei: [u8; UEI_LEN],
        status: ExclusionStatus,
        grounds: OversightArgs,
        auditors: AuditorSigners<'_>,
    ) -> Result<(Pubkey, TxOutcome), SdkError> {
        let exclusion = builders::SetExclusion {
            uei,
            auditor: auditors.auditor.pubkey(),
            status,
            grounds,
            concurring: auditors.concurring_key(),
        };
        if status == ExclusionStatus::Lifted {
            if let Some(state) = self
                .fetch_optional::<Exclusion>(&exclusion.exclusion())
                .await?
            {
                if state.in_force() {
                    let uei = String::from_utf8_lossy(&uei).into_owned();
                    let what = format!("the exclusion of {uei}");
                    self.require_may_lift(&auditors, &what, &state.auditor)
                        .await?;
                }
            }
        }
        Ok((
            exclusion.exclusion(),
            self.send(&[exclusion.instruction()], &auditors.signers())
                .await?,
        ))
    }

    /// Proposes `change` on notice: in `agency` (its head signs), or, with `agency` none, to the ledger's own
    /// auditors or limits (the admin signs). Refused in words before sending: the wrong office, a change on the
    /// same subject already pending, or one vetoed whose cooling-off is not over. Returns the pending change as
    /// it landed.
    pub async fn propose_change(
        &self,
        agency: Option<Pubkey>,
        change: public_spending::state::ControlChange,
        proposer: &Keypair,
    ) -> Result<(public_spending::state::PendingChange, TxOutcome), SdkError> {
        use public_spending::state::PendingChange;
        let signer = proposer.pubkey();
        let (scope, whose) = match agency {
            Some(agency) => {
                let state: Agency = self.fetch(&agency).await?;
                if state.head != signer {
                    return refused(format!(
                        "only agency {}'s head ({}) proposes changes to its controls; you signed as {signer}",
                        state.code, state.head
                    ));
                }
                (agency, format!("agency {}", state.code))
            }
            None => {
                let ledger: public_spending::state::Ledger = self.fetch(&pda::ledger().0).await?;
                if ledger.admin != signer {
                    return refused(format!(
                        "only the ledger admin ({}) proposes changes to the ledger's auditors and limits; you signed as {signer}",
                        ledger.admin
                    ));
                }
                (pda::ledger().0, "the ledger".to_string())
            }
        };
        let address = pda::change(&scope, &change.subject(&scope)).0;
        let about = match &change {
            public_spending::state::ControlChange::Policy { .. } => "policy".to_string(),
            public_spending::state::ControlChange::Member { key, .. } => key.to_string(),
            public_spending::state::ControlChange::Auditors { .. } => "auditors".to_string(),
            public_spending::state::ControlChange::Limits { .. } => "limits".to_string(),
        };
        if let Some(pending) = self.fetch_optional::<PendingChange>(&address).await? {
            let now = self.backend().unix_timestamp().await?;
            let time = |t: i64| {
                chrono::DateTime::from_timestamp(t, 0).map_or_else(
                    || t.to_string(),
                    |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                )
            };
            if !pending.vetoed() {
                return refused(format!(
                    "a change about {about} of {whose} is already pending (proposed {}, effective {}): apply it, withdraw it or have it vetoed before proposing another",
                    time(pending.proposed_at),
                    time(pending.effective_at)
                ));
            }
            let until = pending.cooling_off_until().unwrap_or(i64::MAX);
            if now < until {
                return refused(format!(
                    "auditor {} vetoed the change about {about} of {whose} on {}: no change on it may be proposed until {} (VetoCoolingOff)",
                    pending.vetoed_by,
                    time(pending.vetoed_at),
                    time(until)
                ));
            }
        }
        let ix = builders::propose_change_ix(agency, signer, change);
        let outcome = self.send(&[ix], &[proposer]).await?;
        Ok((self.fetch(&address).await?, outcome))
    }
}
