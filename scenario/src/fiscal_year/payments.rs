//! Paying invoices: the fast path, the approval path, and the award each is paid on.

use super::*;

impl Demo<'_> {
    /// An invoice of `units` on `award` whose hash comes from the award id, not from the random sequence.
    pub(super) fn fixed_invoice(award: &DemoAward, units: u64) -> PaymentArgs {
        PaymentArgs {
            amount: units,
            invoice_hash: solana_sha256_hasher::hashv(&[b"invoice", award.award_id.as_bytes()])
                .to_bytes(),
        }
    }

    /// Agency 075 pays the month's rent and maintenance on its buildings.
    pub(super) async fn building_costs(&mut self, month: u32, agency: &DemoAgency) -> Result<()> {
        if agency.code != "075" {
            return Ok(());
        }
        for (award, monthly) in self.building_awards.clone() {
            self.pay_small(month, agency, &award, monthly).await?;
        }
        Ok(())
    }

    /// A blank invoice: a unique invoice hash, the amount to fill in.
    pub(super) fn invoice(&mut self) -> PaymentArgs {
        let id = self.rng.next().to_le_bytes();
        PaymentArgs {
            amount: 0,
            invoice_hash: solana_sha256_hasher::hashv(&[
                b"invoice",
                &id,
                Keypair::new().pubkey().as_ref(),
            ])
            .to_bytes(),
        }
    }

    /// The preferred award if it has `units` left, else the award with the most left. The vendor of agency 069
    /// debarred in month 6 is not paid after that.
    pub(super) async fn pick_award(
        &self,
        agency: &DemoAgency,
        preferred: usize,
        units: u64,
        month: u32,
    ) -> Result<usize> {
        let mut best = (0u64, preferred);
        for offset in 0..agency.awards.len() {
            let index = (preferred + offset) % agency.awards.len();
            if agency.excluded(index, month) {
                continue;
            }
            let award: public_spending::state::Award =
                self.client.fetch(&agency.awards[index].keys.award).await?;
            let left = award.obligated - award.outlayed - award.in_flight;
            if left >= units {
                return Ok(index);
            }
            best = best.max((left, index));
        }
        Err(ScenarioError::Script(format!(
            "agency {} has no award with {} left (most: {})",
            agency.code,
            amount(units),
            amount(best.0)
        )))
    }

    /// One invoice through the fast path.
    pub(super) async fn pay_small(
        &mut self,
        month: u32,
        agency: &DemoAgency,
        award: &DemoAward,
        units: u64,
    ) -> Result<(), SdkError> {
        let args = PaymentArgs {
            amount: units,
            ..self.invoice()
        };
        self.pay_invoice(month, agency, award, args).await
    }

    /// One invoice through the fast path (no account is created).
    pub(super) async fn pay_invoice(
        &mut self,
        month: u32,
        agency: &DemoAgency,
        award: &DemoAward,
        args: PaymentArgs,
    ) -> Result<(), SdkError> {
        let executor = agency.staff.disbursing.insecure_clone();
        self.pay_invoice_by(month, agency, award, args, &executor)
            .await
    }

    /// [`Self::pay_invoice`], executed by `executor`.
    pub(super) async fn pay_invoice_by(
        &mut self,
        month: u32,
        agency: &DemoAgency,
        award: &DemoAward,
        args: PaymentArgs,
        executor: &Keypair,
    ) -> Result<(), SdkError> {
        let units = args.amount;
        let receipt = self
            .client
            .pay_small(&award.keys.award, args, Keypair::new().pubkey(), executor)
            .await?;
        let (signature, record) = match &receipt.submitted {
            Submitted::Landed(outcome) => (outcome.signature.to_string(), self.collect(outcome)),
            Submitted::AlreadyLanded => (String::new(), None),
        };
        // The fast path leaves nothing on chain to archive.
        self.record_payment(
            month,
            agency,
            award,
            receipt.index,
            units,
            PaymentPath::Fast,
            signature,
            record,
        );
        Ok(())
    }

    /// A fast-path payment the program must refuse: attempted, and its refusal shown and recorded.
    pub(super) async fn attempt_pay_small(
        &mut self,
        month: u32,
        agency: &DemoAgency,
        award: &Pubkey,
        units: u64,
        what: &str,
    ) -> Result<()> {
        let args = PaymentArgs {
            amount: units,
            ..self.invoice()
        };
        let result = self
            .client
            .pay_small(
                award,
                args,
                Keypair::new().pubkey(),
                &agency.staff.disbursing,
            )
            .await;
        self.expect_refusal(month, agency.code, what, result).await
    }

    /// One invoice through the approval path: request, two approvals, time lock, execution, archive. With
    /// `early` (a month), an execution is first attempted before the time lock has passed, and its refusal shown.
    pub(super) async fn pay_approved(
        &mut self,
        month: u32,
        agency: &DemoAgency,
        award: usize,
        units: u64,
        early: bool,
    ) -> Result<()> {
        let award = &agency.awards[award];
        let args = PaymentArgs {
            amount: units,
            ..self.invoice()
        };
        let receipt = self
            .client
            .request_payment(
                &award.keys.award,
                args,
                Keypair::new().pubkey(),
                &agency.staff.clerk,
            )
            .await?;
        for certifier in agency.approvers() {
            let ix = builders::DecidePayment {
                agency: agency.address,
                award: award.keys.award,
                index: receipt.index,
                authority: certifier.pubkey(),
                decision: PaymentDecision::Approve,
            };
            self.client.perform(&ix, &[certifier]).await?;
        }
        let execute = builders::ExecutePayment {
            keys: award.keys,
            payout: award.payout,
            index: receipt.index,
            executor: agency.staff.disbursing.pubkey(),
        };
        if early {
            let result = self
                .client
                .perform(&execute, &[&agency.staff.disbursing])
                .await;
            self.expect_refusal(
                month,
                agency.code,
                "execution before the one-day time lock",
                result,
            )
            .await?;
        }
        self.chain().advance_clock(DAY).await?;
        let outcome = self
            .client
            .perform(&execute, &[&agency.staff.disbursing])
            .await?;
        let record = self.collect(&outcome);
        let archive = builders::ArchivePayment {
            award: award.keys.award,
            payment: receipt.payment,
            rent_payer: agency.staff.clerk.pubkey(),
        };
        self.client.perform(&archive, &[]).await?;
        self.record_payment(
            month,
            agency,
            award,
            receipt.index,
            units,
            PaymentPath::Approval,
            outcome.signature.to_string(),
            record,
        );
        Ok(())
    }
}
