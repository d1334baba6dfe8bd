//! The demo's fiscal year: a whole year of a budget's execution on the embedded chain, with no validator.
//!
//! Three agencies receive appropriations, allot them, register vendors and individuals, obligate awards, and
//! pay more than two hundred invoices over twelve months through the fast path and the approval path. Along the
//! way the program refuses what it must (an invoice over an award, a self-approval, a debarred vendor, the fast
//! path for a large bill, an execution before its time lock), and the demo shows each refusal. Auditors freeze
//! and unfreeze an agency, hold and release a payment and debar a vendor, each with a reason and evidence; the
//! public flags what looks wrong and agencies answer; agency 075 keeps two buildings (one owned, one leased) whose
//! rent and maintenance awards are paid against them; and one red flag of each kind the watchdog's audit checks is
//! planted, named in the outcome. [`play`] returns it all as a [`FiscalYear`].

use anchor_lang::prelude::Pubkey;
use public_spending::{
    constants::*,
    instructions::{
        AllotArgs, CreateAppropriationArgs, ObligateArgs, PaymentArgs, RegisterRecipientArgs,
    },
    state::{
        Agency, ApprovalPolicy, AwardType, ControlChange, ExclusionStatus, FlagReason, FlagStatus,
        FlagTarget, LegalInterest, OversightArgs, OversightReason, PendingChange, PropertyDetails,
        PropertyLocation, PropertyStatus, PropertyType, PropertyUse, RecipientKind, SizeUnit,
    },
};
use public_spending_embedded::EmbeddedChain;
use public_spending_sdk::{
    amount::{format_amount, format_grouped},
    builders::{self, AwardKeys, PaymentDecision, WalletStep},
    client::Submitted,
    individual_name_hash, pda, Client, LedgerEvent, PaymentRecord, SdkError, TxOutcome,
};
use solana_sdk::signature::{Keypair, Signer};

use crate::{agency, ScenarioError};

mod events;
mod outcome;
mod payments;
mod setup;

pub use outcome::*;

type Result<T, E = ScenarioError> = std::result::Result<T, E>;

/// How the year is played.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Payments per agency per month, besides the planted ones (1 to 40).
    pub payments_per_month: u32,
    /// Pay in a Token-2022 stablecoin instead of an SPL Token one.
    pub token_2022: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            payments_per_month: 6,
            token_2022: false,
        }
    }
}

/// What the year says as it plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Narration {
    /// A line of the story, for people.
    Line(String),
    /// The year's ordinary payments begin: this many of them.
    Paying { total: u64 },
    /// One more of them executed.
    Paid,
}

/// The demo stablecoin has 2 decimals: amounts are dollars and cents.
pub const DECIMALS: u8 = 2;
const DOLLAR: u64 = 100;
const DAY: i64 = 86_400;
/// 2025-09-01 00:00 UTC: the agencies are set up (and their vendors registered) a month before the year.
const SETUP_START: i64 = 1_756_684_800;
/// 2025-10-01 00:00 UTC: the first day of federal fiscal year 2026, when the demo's year begins.
const FISCAL_YEAR_START: i64 = 1_759_276_800;
/// 2026-10-01 00:00 UTC: the end of fiscal year 2026 (its last second is the one before).
const FISCAL_YEAR_END: i64 = 1_790_812_800;
/// What each agency's treasury receives at the start of the year.
const TREASURY_FUNDING: u64 = 4_000_000 * DOLLAR;

/// A small deterministic generator, so that every run plays the same year.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

struct Staff {
    head: Keypair,
    budget: Keypair,
    contracting: Keypair,
    clerk: Keypair,
    certifiers: [Keypair; 3],
    disbursing: Keypair,
    /// Keeps the agency's property register (PROPERTY role).
    facilities: Keypair,
    /// A second contracting officer: confirms payout-wallet changes the first proposes.
    contracting_chief: Keypair,
}

struct DemoAgency {
    code: &'static str,
    name: &'static str,
    address: Pubkey,
    staff: Staff,
    awards: Vec<DemoAward>,
    /// Approval-path payments so far: picks the next pair of certifying officers.
    approved: std::cell::Cell<usize>,
}

impl DemoAgency {
    /// `set_member` of `who` with `roles`, active, signed by the head.
    fn set_member(&self, who: &Keypair, roles: u8) -> solana_sdk::instruction::Instruction {
        agency::member_ix(self.address, self.staff.head.pubkey(), who.pubkey(), roles)
    }

    /// The awards that may be paid in `month`: all but the vendor of agency 069 debarred in month 6.
    fn eligible_awards(&self, month: u32) -> Vec<usize> {
        (0..self.awards.len())
            .filter(|&i| !self.excluded(i, month))
            .collect()
    }

    fn excluded(&self, award: usize, month: u32) -> bool {
        self.code == "069" && month >= 6 && award == 5
    }

    /// The two certifying officers of the next approval: pairs in rotation, except at agency 089, where the
    /// first officer takes part in every approval (a planted red flag).
    fn approvers(&self) -> [&Keypair; 2] {
        let k = self.approved.get();
        self.approved.set(k + 1);
        let [a, b, c] = &self.staff.certifiers;
        if self.code == "089" {
            return [a, if k.is_multiple_of(2) { b } else { c }];
        }
        [[a, b], [b, c], [c, a]][k % 3]
    }
}

#[derive(Clone)]
struct DemoAward {
    keys: AwardKeys,
    award_id: String,
    uei: String,
    payout: builders::Payout,
}

struct Demo<'n> {
    client: Client<EmbeddedChain>,
    admin: Keypair,
    auditor: Keypair,
    /// Two more auditors: together they lift what `auditor` imposed.
    auditors: [Keypair; 2],
    mint: Pubkey,
    /// SPL Token, or Token-2022 with `--token-2022`.
    token_program: Pubkey,
    rng: Lcg,
    payments: Vec<Payment>,
    refused: Vec<Refusal>,
    /// Every executed payment's record, as its event carried it.
    records: Vec<PaymentRecord>,
    /// Where the story goes.
    narrate: &'n (dyn Fn(Narration) + Send + Sync),
    /// The red flags the demo plants for the watchdog's audit to find: check, agency, subject.
    planted: Vec<PlantedFlag>,
    /// A short service contract of agency 075 (October to December), paid once inside its period and once
    /// after it.
    short_award: Option<DemoAward>,
    /// Agency 075's building awards and what each pays a month: the leased warehouse's rent, the owned
    /// headquarters' maintenance.
    building_awards: Vec<(DemoAward, u64)>,
    /// Awards registered in month 7 for the wallet planted red flags: 069's vendor whose wallet changes, and
    /// 089's own record of one of 075's vendors, with another wallet.
    wallet_awards: Vec<DemoAward>,
    /// A wallet of the public that flags what looks wrong, and pays the flags' rent.
    citizen: Keypair,
    /// The approver 069's head proposes, an auditor vetoes, and the head proposes again.
    late_approver: Keypair,
    /// Flags raised so far, for the JSON summary.
    flags: Vec<RaisedFlag>,
}

fn amount(units: u64) -> String {
    format_amount(units, DECIMALS)
}

/// `1,250.00`, for people.
fn grouped(units: u64) -> String {
    format_grouped(units, DECIMALS)
}

/// 00:00 UTC on the first day of the fiscal year's month `months` after October (0 is October 1st).
fn month_start(months: u32) -> i64 {
    chrono::DateTime::from_timestamp(FISCAL_YEAR_START, 0)
        .and_then(|start| start.checked_add_months(chrono::Months::new(months)))
        .map_or(FISCAL_YEAR_START, |t| t.timestamp())
}

/// A unix time as an RFC 3339 UTC date.
fn date(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| seconds.to_string())
}

impl Demo<'_> {
    /// Keeps the executed payment's record that `outcome` carries, and returns it.
    fn collect(&mut self, outcome: &TxOutcome) -> Option<PaymentRecord> {
        let mut last = None;
        for event in &outcome.events {
            if let LedgerEvent::PaymentExecuted(executed) = event {
                self.records.push(executed.record.clone());
                last = Some(executed.record.clone());
            }
        }
        last
    }

    fn say(&self, line: std::fmt::Arguments) {
        (self.narrate)(Narration::Line(line.to_string()));
    }

    fn chain(&self) -> &EmbeddedChain {
        self.client.backend()
    }

    async fn funded(&self) -> Result<Keypair> {
        Ok(agency::funded(self.chain(), 10_000_000_000).await?)
    }

    /// Sends one operation signed by `signer`.
    async fn perform(
        &self,
        operation: &impl builders::Operation,
        signer: &Keypair,
    ) -> Result<public_spending_sdk::TxOutcome> {
        Ok(self.client.perform(operation, &[signer]).await?)
    }

    async fn send(
        &self,
        ixs: &[solana_sdk::instruction::Instruction],
        signer: &Keypair,
    ) -> Result<public_spending_sdk::TxOutcome> {
        Ok(self.client.send(ixs, &[signer]).await?)
    }

    /// Runs an attempt the program must refuse, and records the refusal.
    async fn expect_refusal(
        &mut self,
        month: u32,
        agency: &'static str,
        action: &str,
        result: Result<impl Sized, SdkError>,
    ) -> Result<()> {
        let Err(err) = result else {
            return Err(ScenarioError::Accepted(action.into()));
        };
        let (code, name) = match err.ledger_error() {
            Some(error) => (u32::from(error), error.name()),
            None => {
                return Err(ScenarioError::FailedOtherwise {
                    action: action.into(),
                    err,
                })
            }
        };
        self.say(format_args!(
            "  refused  {agency}  {action}: {name} ({code})"
        ));
        self.refused.push(Refusal {
            month,
            agency,
            action: action.into(),
            error_code: code,
            error: name,
            message: err.to_string(),
        });
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn record_payment(
        &mut self,
        month: u32,
        agency: &DemoAgency,
        award: &DemoAward,
        index: u32,
        amount_units: u64,
        path: PaymentPath,
        signature: String,
        record: Option<PaymentRecord>,
    ) {
        self.payments.push(Payment {
            month,
            date: record.as_ref().map(|r| date(r.executed_at)),
            agency: agency.code,
            award_id: award.award_id.clone(),
            index,
            recipient: award.uei.clone(),
            amount: amount_units,
            amount_units,
            path,
            status: PaymentStatus::Executed,
            signature,
            record: record.as_ref().map(ChainRecord::from),
        });
    }
}

/// Plays fiscal year 2026 on a new embedded chain: three agencies funded and staffed, a year of payments through
/// both paths, every refusal the program owes, auditors' actions, public flags and buildings, and one red flag
/// of each kind the watchdog's audit checks, planted where the outcome says. Narrates through `narrate`.
pub async fn play(
    options: Options,
    narrate: &(dyn Fn(Narration) + Send + Sync),
) -> Result<FiscalYear> {
    if !(1..=40).contains(&options.payments_per_month) {
        return Err(ScenarioError::Script(format!(
            "payments per month must be 1 to 40, not {}",
            options.payments_per_month
        )));
    }
    let chain = EmbeddedChain::start().await;
    chain.set_unix_timestamp(SETUP_START).await?;
    let admin = Keypair::new();
    let auditor = Keypair::new();
    let auditors = [Keypair::new(), Keypair::new()];
    chain.airdrop(&admin.pubkey(), 100_000_000_000).await?;
    for key in std::iter::once(&auditor).chain(&auditors) {
        chain.airdrop(&key.pubkey(), 1_000_000_000).await?;
    }
    let token_program = if options.token_2022 {
        anchor_spl::token_2022::ID
    } else {
        anchor_spl::token::ID
    };
    let mint = chain
        .create_mint_in(&admin.pubkey(), DECIMALS, &token_program)
        .await?;
    let mut demo = Demo {
        client: Client::new(chain),
        admin,
        auditor,
        auditors,
        mint,
        token_program,
        rng: Lcg(2026),
        payments: Vec::new(),
        refused: Vec::new(),
        records: Vec::new(),
        narrate,
        planted: Vec::new(),
        short_award: None,
        building_awards: Vec::new(),
        wallet_awards: Vec::new(),
        citizen: Keypair::new(),
        late_approver: Keypair::new(),
        flags: Vec::new(),
    };
    demo.chain()
        .airdrop(&demo.citizen.pubkey(), 1_000_000_000)
        .await?;
    demo.say(format_args!(
        "Public Spending Ledger demo: fiscal year 2026 on the embedded chain (no validator)"
    ));

    let admin = demo.admin.insecure_clone();
    let init = builders::InitializeLedger {
        admin: admin.pubkey(),
        payment_mint: mint,
        token_program,
    };
    let auditors = builders::SetAuditors {
        admin: admin.pubkey(),
        auditors: vec![
            demo.auditor.pubkey(),
            demo.auditors[0].pubkey(),
            demo.auditors[1].pubkey(),
        ],
    };
    demo.send(&[init.instruction(), auditors.instruction()], &admin)
        .await?;
    demo.say(format_args!(
        "ledger   initialized; payment mint {mint} ({}, 2 decimals); auditor {}",
        if options.token_2022 {
            "Token-2022"
        } else {
            "SPL Token"
        },
        demo.auditor.pubkey()
    ));

    let mut agencies = Vec::new();
    for (index, (code, name)) in [
        ("075", "Department of Health and Human Services"),
        ("069", "Department of Transportation"),
        ("089", "Department of Energy"),
    ]
    .into_iter()
    .enumerate()
    {
        if code == "089" {
            // Energy is set up late, three weeks before the year: it pays within 30 days of its registration.
            demo.chain().advance_clock(10 * DAY).await?;
        }
        let mut agency = demo.setup_agency(code, name).await?;
        if code == "089" {
            demo.plant(
                0,
                RedFlag::NewAgencyPaying,
                "089",
                agency.staff.head.pubkey().to_string(),
                "an agency registered three weeks before the year, paying in its first month",
            );
        }
        demo.budget(&mut agency, index).await?;
        demo.say(format_args!(
            "agency   {code} {name}: 2 appropriations, 4 allotments, {} awards, treasury funded with {}",
            agency.awards.len() + if code == "075" { demo.building_awards.len() } else { 0 },
            grouped(TREASURY_FUNDING)
        ));
        agencies.push(agency);
    }

    let months = 12u32;
    let total = u64::from(months) * agencies.len() as u64 * u64::from(options.payments_per_month);
    if let Some(energy) = agencies.iter().find(|a| a.code == "089") {
        let officer = energy.staff.certifiers[0].pubkey().to_string();
        demo.plant(
            0,
            RedFlag::DominantApprover,
            "089",
            officer,
            "one certifying officer of 089 takes part in every approval all year",
        );
    }
    let now = demo.chain().clock().await?.unix_timestamp;
    demo.chain().advance_clock(FISCAL_YEAR_START - now).await?;
    narrate(Narration::Paying { total });
    for month in 1..=months {
        let before = demo.payments.len();
        let first_day = demo.chain().clock().await?.unix_timestamp;
        demo.say(format_args!(
            "month {month:>2}  {}",
            chrono::DateTime::from_timestamp(first_day, 0)
                .map(|t| t.format("%B %Y").to_string())
                .unwrap_or_default()
        ));
        for agency in &agencies {
            demo.refusals(month, agency).await?;
            demo.plants(month, agency).await?;
            demo.building_costs(month, agency).await?;
            demo.wallet_plants(month, agency, &agencies).await?;
            // Small invoices go to a different award each within a month (so that none looks split);
            // large ones to any award.
            let eligible = agency.eligible_awards(month);
            for n in 0..options.payments_per_month {
                if n % 3 == 2 {
                    let preferred = demo.rng.between(0, agency.awards.len() as u64 - 1) as usize;
                    let units = demo.rng.between(25_000, 60_000) * DOLLAR;
                    let award = demo.pick_award(agency, preferred, units, month).await?;
                    demo.pay_approved(month, agency, award, units, false)
                        .await?;
                } else {
                    let units = demo.rng.between(500 * DOLLAR, 20_000 * DOLLAR);
                    let preferred = eligible[(month as usize * 3 + n as usize) % eligible.len()];
                    let award = demo.pick_award(agency, preferred, units, month).await?;
                    demo.pay_small(month, agency, &agency.awards[award], units)
                        .await?;
                }
                narrate(Narration::Paid);
            }
            demo.chain().advance_clock(2 * DAY).await?;
        }
        // On to the first day of the next calendar month (unless the month's work ran past it).
        let now = demo.chain().clock().await?.unix_timestamp;
        let next = month_start(month);
        if next > now {
            demo.chain().advance_clock(next - now).await?;
        }
        let paid: u64 = demo.payments[before..].iter().map(|p| p.amount_units).sum();
        demo.say(format_args!(
            "  paid     {} payments, {}",
            demo.payments.len() - before,
            grouped(paid)
        ));
    }
    demo.books(&agencies).await
}

impl Demo<'_> {
    /// The year's outcome: what it did, and every agency's books as the chain holds them at the end.
    async fn books(self, agencies: &[DemoAgency]) -> Result<FiscalYear> {
        let mut books = Vec::new();
        let mut appropriations = Vec::new();
        let mut allotments = Vec::new();
        let mut awards = Vec::new();
        for agency in agencies {
            let state: Agency = self.client.fetch(&agency.address).await?;
            books.push(AgencyBooks::new(
                agency.code,
                agency.name,
                agency.address,
                &state,
            ));
            let query = public_spending_sdk::query::AppropriationQuery {
                agency: Some(agency.address),
                ..Default::default()
            };
            for (address, a) in self.client.list(&query).await? {
                appropriations.push(AppropriationBooks::new(agency.code, address, &a));
            }
            let query = public_spending_sdk::query::AllotmentQuery {
                agency: Some(agency.address),
                ..Default::default()
            };
            for (address, a) in self.client.list(&query).await? {
                allotments.push(AllotmentBooks::new(agency.code, address, &a));
            }
            for award in &agency.awards {
                let a: public_spending::state::Award = self.client.fetch(&award.keys.award).await?;
                awards.push(AwardBooks::new(
                    agency.code,
                    &award.award_id,
                    award.keys.award,
                    &award.uei,
                    &a,
                ));
            }
        }
        Ok(FiscalYear {
            chain: self.client.into_backend(),
            fiscal_year: 2026,
            payment_mint: self.mint,
            decimals: DECIMALS,
            agencies: books,
            appropriations,
            allotments,
            awards,
            payments: self.payments,
            refused: self.refused,
            planted: self.planted,
            flags: self.flags,
        })
    }
}
