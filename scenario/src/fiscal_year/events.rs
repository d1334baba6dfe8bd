//! What happens in the year besides ordinary payments: the refusals the program owes, auditors' actions,
//! public flags, and the red flags planted for the audit.

use super::*;

impl Demo<'_> {
    /// Gives `who` exactly `roles` the way an agency in service must: proposed by the head, the notice waited
    /// out on the chain's clock, applied.
    pub(super) async fn switch_roles(
        &mut self,
        month: u32,
        agency: &DemoAgency,
        who: &Keypair,
        roles: u8,
    ) -> Result<()> {
        let head = &agency.staff.head;
        let change = ControlChange::Member {
            key: who.pubkey(),
            roles,
            active: true,
        };
        let propose = builders::ProposeChange {
            agency: agency.address,
            head: head.pubkey(),
            change,
        };
        self.client.perform(&propose, &[head]).await?;
        let pending: PendingChange = self.client.fetch(&propose.pending()).await?;
        let now = self.chain().clock().await?.unix_timestamp;
        self.chain()
            .advance_clock(pending.effective_at - now)
            .await?;
        let apply = builders::ApplyChange {
            agency: agency.address,
            head: head.pubkey(),
            subject: who.pubkey(),
        };
        self.client.perform(&apply, &[head]).await?;
        self.plant(
            month,
            RedFlag::ControlsLoosened,
            agency.code,
            who.pubkey().to_string(),
            &format!(
                "a member given {} after a day's notice",
                public_spending_sdk::role_names(roles)
            ),
        );
        Ok(())
    }

    /// Grounds for an auditor's action: a reason and the sha256 of a (made-up) evidence document.
    pub(super) fn grounds(reason: OversightReason, evidence: &str) -> OversightArgs {
        OversightArgs {
            reason,
            evidence_hash: solana_sha256_hasher::hash(evidence.as_bytes()).to_bytes(),
        }
    }

    /// The citizen raises a flag; returns its address.
    pub(super) async fn raise_flag(
        &mut self,
        month: u32,
        agency: &DemoAgency,
        (target, kind, subject): (Pubkey, FlagTarget, &str),
        reason: FlagReason,
    ) -> Result<Pubkey> {
        let citizen = self.citizen.insecure_clone();
        let builder = builders::RaiseFlag {
            target,
            payment_award: None,
            target_kind: kind,
            flagger: citizen.pubkey(),
            nonce: self.flags.len() as u32,
            reason,
            evidence_hash: solana_sha256_hasher::hash(subject.as_bytes()).to_bytes(),
            payment_index: None,
        };
        self.perform(&builder, &citizen).await?;
        self.say(format_args!(
            "  public   {}  flag raised on {kind:?} {subject}: {reason:?}",
            agency.code
        ));
        self.flags.push(RaisedFlag {
            month,
            agency: agency.code,
            flag: builder.flag(),
            target: subject.into(),
            reason: format!("{reason:?}"),
        });
        Ok(builder.flag())
    }

    /// The agency head answers a flag, and the auditor rules on it; a dismissed flag is closed (its rent back
    /// to the citizen).
    pub(super) async fn answer_flag(
        &mut self,
        agency: &DemoAgency,
        flag: Pubkey,
        outcome: FlagStatus,
    ) -> Result<()> {
        let respond = builders::RespondToFlag {
            flag,
            agency: agency.address,
            responder: agency.staff.head.pubkey(),
            as_member: false,
            response_hash: solana_sha256_hasher::hash(flag.as_ref()).to_bytes(),
        };
        self.perform(&respond, &agency.staff.head).await?;
        self.say(format_args!(
            "  agency   {}  head answered the flag",
            agency.code
        ));
        let auditor = self.auditor.insecure_clone();
        let resolve = builders::ResolveFlag {
            flag,
            auditor: auditor.pubkey(),
            outcome,
            note_hash: solana_sha256_hasher::hashv(&[b"ruling", flag.as_ref()]).to_bytes(),
        };
        self.perform(&resolve, &auditor).await?;
        self.say(format_args!("  auditor  {}  flag {outcome:?}", agency.code));
        if outcome == FlagStatus::Dismissed {
            let close = builders::CloseFlag {
                flag,
                flagger: self.citizen.pubkey(),
            };
            self.client.perform(&close, &[]).await?;
        }
        Ok(())
    }

    /// Two red flags about payout wallets. Month 7: agency 069 registers a vendor, and agency 089 keeps its own
    /// record of one of 075's vendors with another wallet (both obligated, neither paid yet, so neither looks
    /// new when paid). Month 8: 069's vendor asks for a new wallet, two contracting officers change it after the
    /// time lock, and it is paid within days; 089 pays 075's vendor into its other wallet.
    pub(super) async fn wallet_plants(
        &mut self,
        month: u32,
        agency: &DemoAgency,
        agencies: &[DemoAgency],
    ) -> Result<()> {
        let template = agency.awards[0].keys;
        let now = self.chain().clock().await?.unix_timestamp;
        match (month, agency.code) {
            (7, "069") => {
                let award = self
                    .new_award(
                        agency,
                        (template.appropriation, template.allotment),
                        "069W00000001",
                        "069-26-W001",
                        None,
                        80_000 * DOLLAR,
                        (now, FISCAL_YEAR_END),
                        None,
                    )
                    .await?;
                self.wallet_awards.push(award);
            }
            (7, "089") => {
                let Some(uei) = agencies
                    .iter()
                    .find(|a| a.code == "075")
                    .map(|a| a.awards[0].uei.clone())
                else {
                    return Ok(());
                };
                let award = self
                    .new_award(
                        agency,
                        (template.appropriation, template.allotment),
                        &uei,
                        "089-26-W002",
                        None,
                        60_000 * DOLLAR,
                        (now, FISCAL_YEAR_END),
                        None,
                    )
                    .await?;
                self.wallet_awards.push(award);
            }
            (8, "069") => {
                let Some(award) = self
                    .wallet_awards
                    .iter()
                    .find(|a| a.award_id == "069-26-W001")
                    .cloned()
                else {
                    return Ok(());
                };
                let change = |who: &Keypair, step| builders::ChangePayoutWallet {
                    agency: agency.address,
                    recipient: award.keys.recipient,
                    authority: who.pubkey(),
                    step,
                };
                let wallet = Keypair::new().pubkey();
                self.send(
                    &[
                        change(&agency.staff.contracting, WalletStep::Propose(wallet))
                            .instruction(),
                    ],
                    &agency.staff.contracting,
                )
                .await?;
                self.chain().advance_clock(DAY).await?;
                self.send(
                    &[
                        change(&agency.staff.contracting_chief, WalletStep::Confirm(wallet))
                            .instruction(),
                    ],
                    &agency.staff.contracting_chief,
                )
                .await?;
                self.say(format_args!(
                    "  agency   069  payout wallet of {} changed by two contracting officers after the time lock",
                    award.uei
                ));
                self.chain().advance_clock(DAY).await?;
                // Invoices that draw nothing from the year's random sequence, which stays as it was.
                let args = Self::fixed_invoice(&award, 20_000 * DOLLAR);
                self.pay_invoice(month, agency, &award, args).await?;
                self.plant(
                    month,
                    RedFlag::WalletChanges,
                    "069",
                    award.uei.clone(),
                    "20,000.00 paid to a vendor's new wallet a day after the change",
                );
            }
            (8, "089") => {
                let Some(award) = self
                    .wallet_awards
                    .iter()
                    .find(|a| a.award_id == "089-26-W002")
                    .cloned()
                else {
                    return Ok(());
                };
                let args = Self::fixed_invoice(&award, 11_000 * DOLLAR);
                self.pay_invoice(month, agency, &award, args).await?;
                self.plant(
                    month,
                    RedFlag::SplitWallets,
                    "075,089",
                    award.uei.clone(),
                    "089 pays one of 075's vendors into another wallet",
                );
            }
            _ => {}
        }
        Ok(())
    }

    /// Records a red flag the audit must find, and says so.
    pub(super) fn plant(
        &mut self,
        month: u32,
        check: RedFlag,
        agency: &'static str,
        subject: String,
        what: &str,
    ) {
        self.say(format_args!("  planted  {agency}  {what} ({check})"));
        self.planted.push(PlantedFlag {
            month,
            check,
            agency,
            subject,
            what: what.into(),
        });
    }

    /// The red flags of the year, each in its month, one of each kind the audit checks.
    pub(super) async fn plants(&mut self, month: u32, agency: &DemoAgency) -> Result<()> {
        let code = agency.code;
        match (month, code) {
            (1, "075") => {
                let template = agency.awards[0].keys;
                let award = self
                    .new_award(
                        agency,
                        (template.appropriation, template.allotment),
                        "075S00000001",
                        "075-26-S001",
                        None,
                        40_000 * DOLLAR,
                        (FISCAL_YEAR_START, month_start(3)),
                        None,
                    )
                    .await?;
                self.short_award = Some(award);
            }
            (2, "075") | (5, "075") => {
                let Some(award) = self.short_award.clone() else {
                    return Err(ScenarioError::Script(
                        "the short contract was not obligated".into(),
                    ));
                };
                self.pay_small(month, agency, &award, 8_000 * DOLLAR)
                    .await?;
                if month == 5 {
                    self.plant(
                        month,
                        RedFlag::OutsidePeriod,
                        code,
                        "075-26-S001 payment 1".into(),
                        "8,000.00 paid on 075-26-S001 after its period of performance ended on 2025-12-31",
                    );
                }
            }
            (4, "075") => {
                let award = &agency.awards[7];
                for _ in 0..3 {
                    self.pay_small(month, agency, award, 9_000 * DOLLAR).await?;
                }
                self.plant(
                    month,
                    RedFlag::SplitPayments,
                    code,
                    award.award_id.clone(),
                    "one 27,000.00 bill paid as three fast-path payments of 9,000.00 (threshold 25,000.00)",
                );
            }
            (7, "069") => {
                let award = &agency.awards[3];
                let invoice = PaymentArgs {
                    amount: 5_000 * DOLLAR,
                    ..self.invoice()
                };
                let hash = hex::encode(invoice.invoice_hash);
                self.pay_invoice(month, agency, award, invoice.clone())
                    .await?;
                self.pay_invoice(month, agency, award, invoice).await?;
                self.plant(
                    month,
                    RedFlag::DuplicateInvoices,
                    code,
                    hash,
                    "one invoice of 5,000.00 paid twice",
                );
            }
            (8, "089") => {
                let template = agency.awards[0].keys;
                let now = self.chain().clock().await?.unix_timestamp;
                let award = self
                    .new_award(
                        agency,
                        (template.appropriation, template.allotment),
                        "089N00000001",
                        "089-26-N001",
                        None,
                        60_000 * DOLLAR,
                        (now, FISCAL_YEAR_END),
                        None,
                    )
                    .await?;
                self.pay_small(month, agency, &award, 12_000 * DOLLAR)
                    .await?;
                self.plant(
                    month,
                    RedFlag::NewRecipients,
                    code,
                    award.uei.clone(),
                    "a vendor registered and paid 12,000.00 the same day",
                );
            }
            (12, "089") => {
                for n in 0..8 {
                    let units = 45_000 * DOLLAR;
                    let award = self.pick_award(agency, n, units, month).await?;
                    self.pay_approved(month, agency, award, units, false)
                        .await?;
                }
                self.plant(
                    month,
                    RedFlag::YearEndSpike,
                    code,
                    "FY2026".into(),
                    "eight extra payments of 45,000.00 in the last weeks of the fiscal year",
                );
            }
            _ => {}
        }
        Ok(())
    }

    /// The year's refusals, each in its month.
    pub(super) async fn refusals(&mut self, month: u32, agency: &DemoAgency) -> Result<()> {
        let code = agency.code;
        match (month, code) {
            (2, "075") => {
                let award = &agency.awards[0];
                let state: public_spending::state::Award =
                    self.client.fetch(&award.keys.award).await?;
                let over = state.obligated - state.outlayed - state.in_flight + DOLLAR;
                let args = PaymentArgs {
                    amount: over,
                    ..self.invoice()
                };
                let result = self
                    .client
                    .request_payment(
                        &award.keys.award,
                        args,
                        Keypair::new().pubkey(),
                        &agency.staff.clerk,
                    )
                    .await;
                self.expect_refusal(
                    month,
                    code,
                    &format!(
                        "invoice of {} on award {} (over what is left)",
                        grouped(over),
                        award.award_id
                    ),
                    result,
                )
                .await?;
            }
            (3, "075") => {
                // Separation of duties: a certifying officer may not request too.
                let certifier = &agency.staff.certifiers[0];
                let result = self
                    .client
                    .send(
                        &[agency.set_member(certifier, ROLE_APPROVE | ROLE_REQUEST)],
                        &[&agency.staff.head],
                    )
                    .await;
                self.expect_refusal(
                    month,
                    code,
                    "certifying officer given the requesting role as well",
                    result,
                )
                .await?;
                // Roles switched after the request: the clerk, made a certifying officer, approves its own.
                let award = &agency.awards[1];
                let args = PaymentArgs {
                    amount: 40_000 * DOLLAR,
                    ..self.invoice()
                };
                let clerk = &agency.staff.clerk;
                let receipt = self
                    .client
                    .request_payment(&award.keys.award, args, Keypair::new().pubkey(), clerk)
                    .await?;
                // Granting a role loosens a control: proposed, and applied after a day's notice.
                self.switch_roles(month, agency, clerk, ROLE_APPROVE)
                    .await?;
                let ix = builders::DecidePayment {
                    agency: agency.address,
                    award: award.keys.award,
                    index: receipt.index,
                    authority: clerk.pubkey(),
                    decision: PaymentDecision::Approve,
                };
                let result = self.client.perform(&ix, &[clerk]).await;
                self.expect_refusal(
                    month,
                    code,
                    "clerk made a certifying officer approving their own request",
                    result,
                )
                .await?;
                self.switch_roles(month, agency, clerk, ROLE_REQUEST)
                    .await?;
                let cancel = builders::DecidePayment {
                    decision: PaymentDecision::Cancel,
                    ..ix
                };
                self.client.perform(&cancel, &[clerk]).await?;
                let archive = builders::ArchivePayment {
                    award: award.keys.award,
                    payment: receipt.payment,
                    rent_payer: clerk.pubkey(),
                };
                self.client.perform(&archive, &[]).await?;
            }
            (4, "069") => {
                self.attempt_pay_small(
                    month,
                    agency,
                    &agency.awards[2].keys.award,
                    60_000 * DOLLAR,
                    "fast path for a 60,000.00 bill",
                )
                .await?;
            }
            (5, "089") => {
                self.pay_approved(month, agency, 0, 30_000 * DOLLAR, true)
                    .await?;
                // A relief disbursing officer, given the paying role on notice, pays within days of it.
                let relief = self.funded().await?;
                self.switch_roles(month, agency, &relief, ROLE_EXECUTE)
                    .await?;
                // Its invoice is named apart from the year's generator, so every other payment stays as it was.
                let args = PaymentArgs {
                    amount: 12_400 * DOLLAR,
                    invoice_hash: solana_sha256_hasher::hashv(&[
                        b"relief",
                        relief.pubkey().as_ref(),
                    ])
                    .to_bytes(),
                };
                let award = agency.awards[4].clone();
                self.pay_invoice_by(month, agency, &award, args, &relief)
                    .await?;
                self.plant(
                    month,
                    RedFlag::RoleGrantPayments,
                    agency.code,
                    relief.pubkey().to_string(),
                    "a relief disbursing officer given the paying role pays 12,400.00 within days",
                );
            }
            (6, "069") => {
                let award = &agency.awards[5];
                let auditor = self.auditor.insecure_clone();
                let debar = builders::SetExclusion {
                    uei: award.payout.uei,
                    auditor: auditor.pubkey(),
                    status: ExclusionStatus::Debarred,
                    grounds: Self::grounds(
                        OversightReason::CourtOrder,
                        "debarment notice, suspension and debarment official",
                    ),
                    concurring: None,
                };
                self.perform(&debar, &auditor).await?;
                self.say(format_args!(
                    "  auditor  {code}  debarred {} in every agency (court order)",
                    award.uei
                ));
                let uei = award.uei.clone();
                self.plant(
                    month,
                    RedFlag::ExcludedRecipients,
                    code,
                    uei,
                    "a debarred vendor's award still holds obligated money",
                );
                self.attempt_pay_small(
                    month,
                    agency,
                    &award.keys.award,
                    5_000 * DOLLAR,
                    &format!("payment to debarred recipient {}", award.uei),
                )
                .await?;
            }
            (1, "069") | (7, "069") => {
                // The head proposes a new approver; an auditor vetoes it, and the head proposes it again as soon
                // as the 30-day cooling-off is over.
                let head = agency.staff.head.insecure_clone();
                let change = ControlChange::Member {
                    key: self.late_approver.pubkey(),
                    roles: ROLE_APPROVE,
                    active: true,
                };
                let propose = builders::ProposeChange {
                    agency: agency.address,
                    head: head.pubkey(),
                    change,
                };
                self.client.perform(&propose, &[&head]).await?;
                if month == 1 {
                    let auditor = self.auditor.insecure_clone();
                    let veto = builders::VetoChange {
                        scope: agency.address,
                        subject: self.late_approver.pubkey(),
                        auditor: auditor.pubkey(),
                        grounds: Self::grounds(
                            OversightReason::AuditFinding,
                            "approver is the contracting chief's relative",
                        ),
                    };
                    self.perform(&veto, &auditor).await?;
                    self.say(format_args!(
                        "  auditor  {code}  vetoed a proposed approver (conflict of interest)"
                    ));
                } else {
                    self.plant(
                        month,
                        RedFlag::ReproposedAfterVeto,
                        code,
                        propose.pending().to_string(),
                        "the vetoed approver proposed again once the cooling-off ended",
                    );
                }
            }
            (3, "069") => {
                let award = agency.awards[1].clone();
                self.raise_flag(
                    month,
                    agency,
                    (award.keys.award, FlagTarget::Award, &award.award_id),
                    FlagReason::Price,
                )
                .await?;
            }
            (5, "069") => {
                // Answered, and dismissed by the auditor: closed, the citizen's rent returned.
                let flag = pda::flag(&agency.awards[1].keys.award, &self.citizen.pubkey(), 0).0;
                self.answer_flag(agency, flag, FlagStatus::Dismissed)
                    .await?;
            }
            (7, "089") => {
                let auditor = self.auditor.insecure_clone();
                let freeze = |frozen, grounds| builders::SetAgencyFrozen {
                    agency: agency.address,
                    auditor: auditor.pubkey(),
                    frozen,
                    grounds,
                    concurring: None,
                };
                let grounds = Self::grounds(OversightReason::AuditFinding, "OIG audit memo 26-07");
                self.perform(&freeze(true, grounds), &auditor).await?;
                self.say(format_args!(
                    "  auditor  {code}  froze the agency (audit finding)"
                ));
                self.attempt_pay_small(
                    month,
                    agency,
                    &agency.awards[0].keys.award,
                    1_000 * DOLLAR,
                    "payment by a frozen agency",
                )
                .await?;
                // Lifted by two other auditors: the one who froze it is away.
                let grounds = Self::grounds(
                    OversightReason::AuditFinding,
                    "corrective action plan accepted",
                );
                let [second, third] = [
                    self.auditors[0].insecure_clone(),
                    self.auditors[1].insecure_clone(),
                ];
                let unfreeze = builders::SetAgencyFrozen {
                    agency: agency.address,
                    auditor: second.pubkey(),
                    frozen: false,
                    grounds,
                    concurring: Some(third.pubkey()),
                };
                self.client.perform(&unfreeze, &[&second, &third]).await?;
                self.say(format_args!(
                    "  auditor  {code}  unfroze the agency, two auditors who did not freeze it signing (corrective action plan accepted)"
                ));
                self.plant(
                    month,
                    RedFlag::LiftedByAnother,
                    code,
                    agency.address.to_string(),
                    "a freeze lifted by two auditors other than the one who imposed it",
                );
            }
            (9, "075") => {
                let award = &agency.awards[2];
                let args = PaymentArgs {
                    amount: 31_500 * DOLLAR,
                    ..self.invoice()
                };
                let clerk = &agency.staff.clerk;
                let receipt = self
                    .client
                    .request_payment(&award.keys.award, args, Keypair::new().pubkey(), clerk)
                    .await?;
                let auditor = self.auditor.insecure_clone();
                let hold = |held, grounds| builders::SetPaymentHeld {
                    award: award.keys.award,
                    payment: receipt.payment,
                    auditor: auditor.pubkey(),
                    held,
                    grounds,
                    concurring: None,
                };
                let grounds = Self::grounds(
                    OversightReason::MissingDocumentation,
                    "no receiving report for the invoice",
                );
                self.perform(&hold(true, grounds), &auditor).await?;
                self.say(format_args!(
                    "  auditor  {code}  held a 31,500.00 payment on {} (missing documentation)",
                    award.award_id
                ));
                let cancel = builders::DecidePayment {
                    agency: agency.address,
                    award: award.keys.award,
                    index: receipt.index,
                    authority: clerk.pubkey(),
                    decision: PaymentDecision::Cancel,
                };
                let result = self.client.perform(&cancel, &[clerk]).await;
                self.expect_refusal(month, code, "cancelling a held payment", result)
                    .await?;
                let grounds =
                    Self::grounds(OversightReason::AuditFinding, "receiving report supplied");
                self.perform(&hold(false, grounds), &auditor).await?;
                self.say(format_args!(
                    "  auditor  {code}  released it (receiving report supplied); the clerk withdraws the invoice"
                ));
                self.client.perform(&cancel, &[clerk]).await?;
                let archive = builders::ArchivePayment {
                    award: award.keys.award,
                    payment: receipt.payment,
                    rent_payer: clerk.pubkey(),
                };
                self.client.perform(&archive, &[]).await?;
            }
            (10, "089") => {
                let award = agency.awards[3].clone();
                let flag = self
                    .raise_flag(
                        month,
                        agency,
                        (award.keys.recipient, FlagTarget::Recipient, &award.uei),
                        FlagReason::UnknownVendor,
                    )
                    .await?;
                // The auditor finds substance in it: the flag stays on the record, and in the audit.
                self.answer_flag(agency, flag, FlagStatus::Resolved).await?;
                self.plant(
                    month,
                    RedFlag::PublicFlags,
                    code,
                    award.uei.clone(),
                    "a public flag an auditor substantiated",
                );
            }
            (11, "075") => {
                let Some((award, _)) = self
                    .building_awards
                    .iter()
                    .find(|(a, _)| a.award_id.ends_with('R'))
                    .cloned()
                else {
                    return Ok(());
                };
                self.raise_flag(
                    month,
                    agency,
                    (award.keys.award, FlagTarget::Award, &award.award_id),
                    FlagReason::Price,
                )
                .await?;
                self.plant(
                    month,
                    RedFlag::PublicFlags,
                    code,
                    award.award_id.clone(),
                    "a public flag on the warehouse rent, still open",
                );
            }
            _ => {}
        }
        Ok(())
    }
}
