//! `pubspend demo`: a whole fiscal year on the embedded chain, with no validator and no setup.
//!
//! Three agencies receive appropriations, allot them, register vendors and individuals, obligate awards, and
//! pay more than two hundred invoices over twelve months through the fast path and the approval path. Along the
//! way the program refuses what it must (an invoice over an award, a self-approval, a debarred vendor, the fast
//! path for a large bill, an execution before its time lock), and the demo shows each refusal. Auditors freeze
//! and unfreeze an agency, hold and release a payment and debar a vendor, each with a reason and evidence; the
//! public flags what looks wrong and agencies answer; agency 075 keeps two buildings (one owned, one leased) whose
//! rent and maintenance awards are paid against them. At the end every
//! agency's outlay hash chain is replayed from the events and checked against the chain.

use std::{path::PathBuf, time::Instant};

use anchor_lang::prelude::Pubkey;
use clap::Args;
use public_spending::{
    constants::*,
    instructions::{
        AllotArgs, CreateAppropriationArgs, ObligateArgs, PaymentArgs, RegisterAgencyArgs,
        RegisterRecipientArgs, SetMemberArgs,
    },
    state::{
        Agency, ApprovalPolicy, AwardType, ControlChange, ExclusionStatus, FlagReason, FlagStatus,
        FlagTarget, LegalInterest, OversightArgs, OversightReason, PendingChange, PropertyDetails,
        PropertyLocation, PropertyStatus, PropertyType, PropertyUse, RecipientKind, SizeUnit,
    },
};
use public_spending_embedded::{Access, EmbeddedChain, StateFile};
use public_spending_sdk::{
    amount::{format_amount, format_grouped},
    builders::{self, AwardKeys, PaymentDecision, WalletStep},
    client::Submitted,
    individual_name_hash, pda, Client, LedgerEvent, PaymentRecord, SdkError, TxOutcome,
};
use serde_json::{json, Value};
use solana_sdk::signature::{Keypair, Signer};

use crate::{
    error::CliResult,
    fail,
    output::{progress, Field, Format, Table},
};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for demo.json
    #[arg(long, default_value = "pubspend-demo")]
    pub output_dir: PathBuf,
    /// Payments per agency per month
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=40))]
    pub payments_per_month: u32,
    /// Pay in a Token-2022 stablecoin instead of an SPL Token one
    #[arg(long)]
    pub token_2022: bool,
}

/// The demo stablecoin has 2 decimals: amounts are dollars and cents.
const DECIMALS: u8 = 2;
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
        builders::SetMember {
            agency: self.address,
            head: self.staff.head.pubkey(),
            args: SetMemberArgs {
                key: who.pubkey(),
                roles,
                active: true,
            },
        }
        .instruction()
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

struct Demo {
    client: Client<EmbeddedChain>,
    admin: Keypair,
    auditor: Keypair,
    mint: Pubkey,
    /// SPL Token, or Token-2022 with `--token-2022`.
    token_program: Pubkey,
    rng: Lcg,
    payments: Vec<Value>,
    refused: Vec<Value>,
    /// Every executed payment's record, as its event carried it.
    records: Vec<PaymentRecord>,
    /// Narrate on stdout (off for `--output json`, which prints one JSON summary instead).
    narrate: bool,
    /// The red flags the demo plants for the watchdog's audit to find: check, agency, subject.
    planted: Vec<Value>,
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
    /// Flags raised so far, for the JSON summary.
    flags: Vec<Value>,
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

/// The record that entered the agency's hash chain, field by field, and its canonical bytes: enough to
/// recompute every chain from demo.json alone (`head = sha256(head || canonical)`, starting from 32 zero bytes).
fn record_json(record: &PaymentRecord) -> Value {
    json!({
        "sequence": record.sequence,
        "agency": record.agency.to_string(),
        "award": record.award.to_string(),
        "payment_index": record.payment_index,
        "recipient": record.recipient.to_string(),
        "recipient_token_account": record.recipient_token_account.to_string(),
        "amount_units": record.amount,
        "invoice_hash": hex::encode(record.invoice_hash),
        "reference": record.reference.to_string(),
        "executed_at": record.executed_at,
        "canonical_hex": hex::encode(record.canonical_bytes()),
    })
}

impl Demo {
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
        if self.narrate {
            crate::output::write_line(line);
        }
    }

    fn chain(&self) -> &EmbeddedChain {
        self.client.backend()
    }

    async fn funded(&self) -> CliResult<Keypair> {
        let key = Keypair::new();
        self.chain().airdrop(&key.pubkey(), 10_000_000_000).await?;
        Ok(key)
    }

    async fn send(
        &self,
        ixs: &[solana_sdk::instruction::Instruction],
        signer: &Keypair,
    ) -> CliResult<public_spending_sdk::TxOutcome> {
        Ok(self.client.send(ixs, &[signer]).await?)
    }

    /// Runs an attempt the program must refuse, and records the refusal.
    /// Gives `who` exactly `roles` the way an agency in service must: proposed by the head, the notice waited
    /// out on the chain's clock, applied.
    async fn switch_roles(
        &mut self,
        month: u32,
        agency: &DemoAgency,
        who: &Keypair,
        roles: u8,
    ) -> CliResult<()> {
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
        self.client.send(&[propose.instruction()], &[head]).await?;
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
        self.client.send(&[apply.instruction()], &[head]).await?;
        self.plant(
            month,
            public_spending_watchdog::audit::CONTROLS_LOOSENED.id,
            agency.code,
            who.pubkey().to_string(),
            &format!(
                "a member given {} after a day's notice",
                public_spending_sdk::role_names(roles)
            ),
        );
        Ok(())
    }

    async fn expect_refusal(
        &mut self,
        month: u32,
        agency: &str,
        action: &str,
        result: Result<impl Sized, SdkError>,
    ) -> CliResult<()> {
        let Err(err) = result else {
            fail!("the program accepted what it must refuse: {action}")
        };
        let (code, name) = match err.ledger_error() {
            Some(error) => (u32::from(error), error.name()),
            None => fail!("{action} failed for another reason than a program check: {err}"),
        };
        self.say(format_args!(
            "  refused  {agency}  {action}: {name} ({code})"
        ));
        self.refused.push(json!({ "month": month, "agency": agency, "action": action, "error_code": code, "error": name, "message": err.to_string() }));
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
        path: &str,
        signature: String,
        record: Option<PaymentRecord>,
    ) {
        self.payments.push(json!({
            "month": month,
            "date": record.as_ref().map(|r| date(r.executed_at)),
            "agency": agency.code,
            "award_id": award.award_id,
            "index": index,
            "recipient": award.uei,
            "amount": amount(amount_units),
            "amount_units": amount_units,
            "path": path,
            "status": "executed",
            "signature": signature,
            "record": record.as_ref().map(record_json),
        }));
    }

    async fn setup_agency(
        &mut self,
        code: &'static str,
        name: &'static str,
    ) -> CliResult<DemoAgency> {
        let staff = Staff {
            head: self.funded().await?,
            budget: self.funded().await?,
            contracting: self.funded().await?,
            clerk: self.funded().await?,
            certifiers: [
                self.funded().await?,
                self.funded().await?,
                self.funded().await?,
            ],
            disbursing: self.funded().await?,
            facilities: self.funded().await?,
            contracting_chief: self.funded().await?,
        };
        let ix = builders::RegisterAgency {
            admin: self.admin.pubkey(),
            payment_mint: self.mint,
            token_program: self.token_program,
            args: RegisterAgencyArgs {
                code: code.into(),
                name: name.into(),
                head: staff.head.pubkey(),
            },
        }
        .instruction();
        let admin = self.admin.insecure_clone();
        self.send(&[ix], &admin).await?;
        let address = pda::agency(code).0;
        let roles = [
            (&staff.budget, ROLE_BUDGET),
            (&staff.contracting, ROLE_OBLIGATE),
            (&staff.clerk, ROLE_REQUEST),
            (&staff.certifiers[0], ROLE_APPROVE),
            (&staff.certifiers[1], ROLE_APPROVE),
            (&staff.certifiers[2], ROLE_APPROVE),
            (&staff.disbursing, ROLE_EXECUTE),
            (&staff.facilities, ROLE_PROPERTY),
            (&staff.contracting_chief, ROLE_OBLIGATE),
        ];
        let ixs: Vec<_> = roles
            .iter()
            .map(|(k, roles)| {
                builders::SetMember {
                    agency: address,
                    head: staff.head.pubkey(),
                    args: SetMemberArgs {
                        key: k.pubkey(),
                        roles: *roles,
                        active: true,
                    },
                }
                .instruction()
            })
            .collect();
        self.send(&ixs, &staff.head).await?;
        let policy = ApprovalPolicy {
            threshold: 25_000 * DOLLAR,
            approvals_required: 2,
            time_lock_seconds: DAY as u32,
            fast_path_daily_cap: 100_000 * DOLLAR,
        };
        self.send(
            &[builders::SetApprovalPolicy {
                agency: address,
                head: staff.head.pubkey(),
                policy,
            }
            .instruction()],
            &staff.head,
        )
        .await?;
        Ok(DemoAgency {
            code,
            name,
            address,
            staff,
            awards: Vec::new(),
            approved: std::cell::Cell::new(0),
        })
    }

    /// Registers a recipient and obligates an award to it. `individual` (a number for the made-up name) makes
    /// the recipient a person, whose name goes on chain only as a salted hash.
    #[allow(clippy::too_many_arguments)]
    async fn new_award(
        &mut self,
        agency: &DemoAgency,
        (appropriation, allotment): (Pubkey, Pubkey),
        uei: &str,
        award_id: &str,
        individual: Option<usize>,
        obligated: u64,
        (period_start, period_end): (i64, i64),
        property: Option<Pubkey>,
    ) -> CliResult<DemoAward> {
        let uei_bytes: [u8; UEI_LEN] = uei
            .as_bytes()
            .try_into()
            .map_err(|_| crate::error::CliError(format!("bad demo UEI {uei}")))?;
        let wallet = Keypair::new().pubkey();
        let (kind, name, name_hash) = match individual {
            Some(n) => (
                RecipientKind::Individual,
                String::new(),
                individual_name_hash(agency.code.as_bytes(), &format!("Jordan Example {n}")),
            ),
            None => (
                RecipientKind::Business,
                format!("{} Contractor {} LLC", agency.code, &uei[4..]),
                [0; 32],
            ),
        };
        let register = builders::RegisterRecipient {
            agency: agency.address,
            authority: agency.staff.contracting.pubkey(),
            args: RegisterRecipientArgs {
                uei: uei_bytes,
                kind,
                name,
                name_hash,
                payout_wallet: wallet,
            },
        };
        let recipient = register.recipient();
        let award_type = if individual.is_some() {
            AwardType::DirectPayment
        } else if award_id.ends_with('3') || award_id.ends_with('6') {
            AwardType::Grant
        } else {
            AwardType::Contract
        };
        let obligate = builders::Obligate {
            agency: agency.address,
            appropriation,
            allotment,
            recipient,
            uei: uei_bytes,
            property,
            authority: agency.staff.contracting.pubkey(),
            args: ObligateArgs {
                award_id: award_id.into(),
                award_type,
                // Grants to individuals; rent of space (233) and maintenance of facilities (252) otherwise.
                object_class: if individual.is_some() {
                    *b"420"
                } else if property.is_some() && award_id.ends_with('R') {
                    *b"233"
                } else {
                    *b"252"
                },
                amount: obligated,
                period_start,
                period_end,
                document_hash: solana_sha256_hasher::hash(award_id.as_bytes()).to_bytes(),
            },
        };
        let keys = AwardKeys {
            agency: agency.address,
            appropriation,
            allotment,
            award: obligate.award(),
            recipient,
        };
        self.send(
            &[register.instruction(), obligate.instruction()],
            &agency.staff.contracting,
        )
        .await?;
        Ok(DemoAward {
            keys,
            award_id: award_id.into(),
            uei: uei.into(),
            payout: builders::Payout {
                payment_mint: self.mint,
                token_program: self.token_program,
                payout_wallet: wallet,
                uei: uei_bytes,
            },
        })
    }

    async fn budget(&mut self, agency: &mut DemoAgency, agency_index: usize) -> CliResult<()> {
        let now = self.client.backend().clock().await?.unix_timestamp;
        let admin = self.admin.insecure_clone();
        let mut vendor = 0;
        for (main_account, authority) in [
            (*b"0100", 5_000_000 * DOLLAR),
            (*b"0200", 2_000_000 * DOLLAR),
        ] {
            let create = builders::CreateAppropriation {
                admin: admin.pubkey(),
                agency: agency.address,
                args: CreateAppropriationArgs {
                    main_account,
                    sub_account: *b"000",
                    fiscal_year: 2026,
                    budget_authority: authority,
                    availability_end: FISCAL_YEAR_END,
                },
            };
            let appropriation = create.appropriation();
            self.send(&[create.instruction()], &admin).await?;
            for (index, (activity, share)) in
                [(*b"0001", 60), (*b"0002", 40)].into_iter().enumerate()
            {
                let allot = builders::Allot {
                    agency: agency.address,
                    appropriation,
                    index: index as u32,
                    authority: agency.staff.budget.pubkey(),
                    args: AllotArgs {
                        program_activity: activity,
                        amount: authority / 100 * share,
                    },
                };
                let allotment = allot.allotment();
                self.send(&[allot.instruction()], &agency.staff.budget)
                    .await?;
                // Two payees per allotment: businesses, and one individual per agency.
                for _ in 0..2 {
                    vendor += 1;
                    let obligated = self.rng.between(250_000, 390_000) * DOLLAR;
                    let award = self
                        .new_award(
                            agency,
                            (appropriation, allotment),
                            &format!("{}V{agency_index}{vendor:07}", agency.code),
                            &format!("{}-26-{vendor:04}", agency.code),
                            (vendor == 4).then_some(vendor),
                            obligated,
                            (now, FISCAL_YEAR_END),
                            None,
                        )
                        .await?;
                    agency.awards.push(award);
                }
            }
        }
        if agency.code == "075" {
            self.buildings(agency, now).await?;
        }
        let treasury = pda::treasury(&agency.address).0;
        self.chain()
            .mint_to(&self.mint, &treasury, &admin, TREASURY_FUNDING)
            .await?;
        Ok(())
    }

    /// Agency 075's property register: an owned headquarters building with a maintenance contract, and a
    /// leased warehouse with its rent, both obligated under the first allotment and paid monthly.
    async fn buildings(&mut self, agency: &DemoAgency, now: i64) -> CliResult<()> {
        let location =
            |city: &str, state: &[u8; 2], zip: &[u8; 5], lat: i32, lon: i32| PropertyLocation {
                state: *state,
                city: city.into(),
                zip: *zip,
                latitude: Some(lat),
                longitude: Some(lon),
            };
        let buildings = [
            (
                "075-DC-0001",
                PropertyDetails {
                    property_type: PropertyType::Building,
                    property_use: PropertyUse::Office,
                    legal_interest: LegalInterest::Owned,
                    status: PropertyStatus::Active,
                    size: 412_000,
                    size_unit: SizeUnit::SquareFeet,
                    location: location("Washington", b"DC", b"20201", 38_886_700, -77_014_500),
                    condition_index: 78,
                    annual_operating_cost: 4_800_000 * DOLLAR,
                    annual_rent: 0,
                    lease_start: 0,
                    lease_end: 0,
                },
                "075P00000001",
                "075-26-0101M",
                12_000 * DOLLAR,
            ),
            (
                "075-MD-0417",
                PropertyDetails {
                    property_type: PropertyType::Building,
                    property_use: PropertyUse::Warehouse,
                    legal_interest: LegalInterest::Leased,
                    status: PropertyStatus::Active,
                    size: 96_500,
                    size_unit: SizeUnit::SquareFeet,
                    location: location("Baltimore", b"MD", b"21230", 39_276_100, -76_611_900),
                    condition_index: 64,
                    annual_operating_cost: 310_000 * DOLLAR,
                    annual_rent: 228_000 * DOLLAR,
                    lease_start: FISCAL_YEAR_START,
                    lease_end: FISCAL_YEAR_END + 4 * 365 * DAY,
                },
                "075P00000002",
                "075-26-0102R",
                19_000 * DOLLAR,
            ),
        ];
        let appropriation = pda::appropriation(&agency.address, b"0100", b"000", 2026).0;
        let allotment = pda::allotment(&appropriation, 0).0;
        for (rpuid, details, uei, award_id, monthly) in buildings {
            let leased = details.legal_interest == LegalInterest::Leased;
            let register = builders::RegisterProperty {
                agency: agency.address,
                authority: agency.staff.facilities.pubkey(),
                rpuid: rpuid.into(),
                details,
            };
            self.send(&[register.instruction()], &agency.staff.facilities)
                .await?;
            let award = self
                .new_award(
                    agency,
                    (appropriation, allotment),
                    uei,
                    award_id,
                    None,
                    monthly * 12,
                    (now, FISCAL_YEAR_END),
                    Some(register.property()),
                )
                .await?;
            self.say(format_args!(
                "property {} {rpuid}: {} building, {} a month of {} on award {award_id}",
                agency.code,
                if leased { "leased" } else { "owned" },
                grouped(monthly),
                if leased { "rent" } else { "maintenance" },
            ));
            self.building_awards.push((award, monthly));
        }
        Ok(())
    }

    /// Grounds for an auditor's action: a reason and the sha256 of a (made-up) evidence document.
    fn grounds(reason: OversightReason, evidence: &str) -> OversightArgs {
        OversightArgs {
            reason,
            evidence_hash: solana_sha256_hasher::hash(evidence.as_bytes()).to_bytes(),
        }
    }

    /// The citizen raises a flag; returns its address.
    async fn raise_flag(
        &mut self,
        month: u32,
        agency: &DemoAgency,
        (target, kind, subject): (Pubkey, FlagTarget, &str),
        reason: FlagReason,
    ) -> CliResult<Pubkey> {
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
        self.send(&[builder.instruction()], &citizen).await?;
        self.say(format_args!(
            "  public   {}  flag raised on {kind:?} {subject}: {reason:?}",
            agency.code
        ));
        self.flags.push(json!({
            "month": month, "agency": agency.code, "flag": builder.flag().to_string(),
            "target": subject, "reason": format!("{reason:?}"),
        }));
        Ok(builder.flag())
    }

    /// The agency head answers a flag, and the auditor rules on it; a dismissed flag is closed (its rent back
    /// to the citizen).
    async fn answer_flag(
        &mut self,
        agency: &DemoAgency,
        flag: Pubkey,
        outcome: FlagStatus,
    ) -> CliResult<()> {
        let respond = builders::RespondToFlag {
            flag,
            agency: agency.address,
            responder: agency.staff.head.pubkey(),
            as_member: false,
            response_hash: solana_sha256_hasher::hash(flag.as_ref()).to_bytes(),
        };
        self.send(&[respond.instruction()], &agency.staff.head)
            .await?;
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
        self.send(&[resolve.instruction()], &auditor).await?;
        self.say(format_args!("  auditor  {}  flag {outcome:?}", agency.code));
        if outcome == FlagStatus::Dismissed {
            let close = builders::CloseFlag {
                flag,
                flagger: self.citizen.pubkey(),
            };
            self.client.send(&[close.instruction()], &[]).await?;
        }
        Ok(())
    }

    /// An invoice of `units` on `award` whose hash comes from the award id, not from the random sequence.
    fn fixed_invoice(award: &DemoAward, units: u64) -> PaymentArgs {
        PaymentArgs {
            amount: units,
            invoice_hash: solana_sha256_hasher::hashv(&[b"invoice", award.award_id.as_bytes()])
                .to_bytes(),
        }
    }

    /// Two red flags about payout wallets. Month 7: agency 069 registers a vendor, and agency 089 keeps its own
    /// record of one of 075's vendors with another wallet (both obligated, neither paid yet, so neither looks
    /// new when paid). Month 8: 069's vendor asks for a new wallet, two contracting officers change it after the
    /// time lock, and it is paid within days; 089 pays 075's vendor into its other wallet.
    async fn wallet_plants(
        &mut self,
        month: u32,
        agency: &DemoAgency,
        agencies: &[DemoAgency],
    ) -> CliResult<()> {
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
                    public_spending_watchdog::audit::WALLET_CHANGES.id,
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
                    public_spending_watchdog::audit::SPLIT_WALLETS.id,
                    "075,089",
                    award.uei.clone(),
                    "089 pays one of 075's vendors into another wallet",
                );
            }
            _ => {}
        }
        Ok(())
    }

    /// Agency 075 pays the month's rent and maintenance on its buildings.
    async fn building_costs(&mut self, month: u32, agency: &DemoAgency) -> CliResult<()> {
        if agency.code != "075" {
            return Ok(());
        }
        for (award, monthly) in self.building_awards.clone() {
            self.pay_small(month, agency, &award, monthly).await?;
        }
        Ok(())
    }

    /// A blank invoice: a unique invoice hash, the amount to fill in.
    fn invoice(&mut self) -> PaymentArgs {
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
    async fn pick_award(
        &self,
        agency: &DemoAgency,
        preferred: usize,
        units: u64,
        month: u32,
    ) -> CliResult<usize> {
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
        fail!(
            "agency {} has no award with {} left (most: {})",
            agency.code,
            amount(units),
            amount(best.0)
        )
    }

    /// One invoice through the fast path.
    async fn pay_small(
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
    async fn pay_invoice(
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
    async fn pay_invoice_by(
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
            "fast",
            signature,
            record,
        );
        Ok(())
    }

    /// A fast-path payment the program must refuse: attempted, and its refusal shown and recorded.
    async fn attempt_pay_small(
        &mut self,
        month: u32,
        agency: &DemoAgency,
        award: &Pubkey,
        units: u64,
        what: &str,
    ) -> CliResult<()> {
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

    /// Records a red flag the audit must find, and says so.
    fn plant(&mut self, month: u32, check: &str, agency: &str, subject: String, what: &str) {
        self.say(format_args!("  planted  {agency}  {what} ({check})"));
        self.planted.push(json!({
            "month": month, "check": check, "agency": agency, "subject": subject, "what": what,
        }));
    }

    /// The red flags of the year, each in its month, one of each kind the audit checks.
    async fn plants(&mut self, month: u32, agency: &DemoAgency) -> CliResult<()> {
        use public_spending_watchdog::audit;
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
                    fail!("the short contract was not obligated")
                };
                self.pay_small(month, agency, &award, 8_000 * DOLLAR)
                    .await?;
                if month == 5 {
                    self.plant(
                        month,
                        audit::OUTSIDE_PERIOD.id,
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
                    audit::SPLIT_PAYMENTS.id,
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
                    audit::DUPLICATE_INVOICES.id,
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
                    audit::NEW_RECIPIENTS.id,
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
                    audit::YEAR_END_SPIKE.id,
                    code,
                    "FY2026".into(),
                    "eight extra payments of 45,000.00 in the last weeks of the fiscal year",
                );
            }
            _ => {}
        }
        Ok(())
    }

    /// One invoice through the approval path: request, two approvals, time lock, execution, archive. With
    /// `early` (a month), an execution is first attempted before the time lock has passed, and its refusal shown.
    async fn pay_approved(
        &mut self,
        month: u32,
        agency: &DemoAgency,
        award: usize,
        units: u64,
        early: bool,
    ) -> CliResult<()> {
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
            self.client.send(&[ix.instruction()], &[certifier]).await?;
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
                .send(&[execute.instruction()], &[&agency.staff.disbursing])
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
            .send(&[execute.instruction()], &[&agency.staff.disbursing])
            .await?;
        let record = self.collect(&outcome);
        let archive = builders::ArchivePayment {
            award: award.keys.award,
            payment: receipt.payment,
            rent_payer: agency.staff.clerk.pubkey(),
        };
        self.client.send(&[archive.instruction()], &[]).await?;
        self.record_payment(
            month,
            agency,
            award,
            receipt.index,
            units,
            "approval",
            outcome.signature.to_string(),
            record,
        );
        Ok(())
    }

    /// The year's refusals, each in its month.
    async fn refusals(&mut self, month: u32, agency: &DemoAgency) -> CliResult<()> {
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
                let result = self.client.send(&[ix.instruction()], &[clerk]).await;
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
                self.client.send(&[cancel.instruction()], &[clerk]).await?;
                let archive = builders::ArchivePayment {
                    award: award.keys.award,
                    payment: receipt.payment,
                    rent_payer: clerk.pubkey(),
                };
                self.client.send(&[archive.instruction()], &[]).await?;
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
                    public_spending_watchdog::audit::ROLE_GRANT_PAYMENTS.id,
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
                };
                self.send(&[debar.instruction()], &auditor).await?;
                self.say(format_args!(
                    "  auditor  {code}  debarred {} in every agency (court order)",
                    award.uei
                ));
                let uei = award.uei.clone();
                self.plant(
                    month,
                    public_spending_watchdog::audit::EXCLUDED_RECIPIENTS.id,
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
                };
                let grounds = Self::grounds(OversightReason::AuditFinding, "OIG audit memo 26-07");
                self.send(&[freeze(true, grounds).instruction()], &auditor)
                    .await?;
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
                let grounds = Self::grounds(
                    OversightReason::AuditFinding,
                    "corrective action plan accepted",
                );
                self.send(&[freeze(false, grounds).instruction()], &auditor)
                    .await?;
                self.say(format_args!(
                    "  auditor  {code}  unfroze the agency (corrective action plan accepted)"
                ));
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
                };
                let grounds = Self::grounds(
                    OversightReason::MissingDocumentation,
                    "no receiving report for the invoice",
                );
                self.send(&[hold(true, grounds).instruction()], &auditor)
                    .await?;
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
                let result = self.client.send(&[cancel.instruction()], &[clerk]).await;
                self.expect_refusal(month, code, "cancelling a held payment", result)
                    .await?;
                let grounds =
                    Self::grounds(OversightReason::AuditFinding, "receiving report supplied");
                self.send(&[hold(false, grounds).instruction()], &auditor)
                    .await?;
                self.say(format_args!(
                    "  auditor  {code}  released it (receiving report supplied); the clerk withdraws the invoice"
                ));
                self.client.send(&[cancel.instruction()], &[clerk]).await?;
                let archive = builders::ArchivePayment {
                    award: award.keys.award,
                    payment: receipt.payment,
                    rent_payer: clerk.pubkey(),
                };
                self.client.send(&[archive.instruction()], &[]).await?;
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
                    public_spending_watchdog::audit::PUBLIC_FLAGS.id,
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
                    public_spending_watchdog::audit::PUBLIC_FLAGS.id,
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

pub async fn run(args: DemoArgs, format: Format) -> CliResult<()> {
    let started = Instant::now();
    if let Err(err) = std::fs::create_dir_all(&args.output_dir) {
        fail!("cannot create {}: {err}", args.output_dir.display());
    }
    let chain = EmbeddedChain::start().await;
    chain.set_unix_timestamp(SETUP_START).await?;
    let admin = Keypair::new();
    let auditor = Keypair::new();
    chain.airdrop(&admin.pubkey(), 100_000_000_000).await?;
    chain.airdrop(&auditor.pubkey(), 1_000_000_000).await?;
    let token_program = if args.token_2022 {
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
        mint,
        token_program,
        rng: Lcg(2026),
        payments: Vec::new(),
        refused: Vec::new(),
        records: Vec::new(),
        narrate: format == Format::Table,
        planted: Vec::new(),
        short_award: None,
        building_awards: Vec::new(),
        wallet_awards: Vec::new(),
        citizen: Keypair::new(),
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
        auditors: vec![demo.auditor.pubkey()],
    };
    demo.send(&[init.instruction(), auditors.instruction()], &admin)
        .await?;
    demo.say(format_args!(
        "ledger   initialized; payment mint {mint} ({}, 2 decimals); auditor {}",
        if args.token_2022 {
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
        let mut agency = demo.setup_agency(code, name).await?;
        demo.budget(&mut agency, index).await?;
        demo.say(format_args!(
            "agency   {code} {name}: 2 appropriations, 4 allotments, {} awards, treasury funded with {}",
            agency.awards.len() + if code == "075" { demo.building_awards.len() } else { 0 },
            grouped(TREASURY_FUNDING)
        ));
        agencies.push(agency);
    }

    let months = 12u32;
    let total = u64::from(months) * agencies.len() as u64 * u64::from(args.payments_per_month);
    if let Some(energy) = agencies.iter().find(|a| a.code == "089") {
        let officer = energy.staff.certifiers[0].pubkey().to_string();
        demo.plant(
            0,
            public_spending_watchdog::audit::DOMINANT_APPROVER.id,
            "089",
            officer,
            "one certifying officer of 089 takes part in every approval all year",
        );
    }
    let now = demo.chain().clock().await?.unix_timestamp;
    demo.chain().advance_clock(FISCAL_YEAR_START - now).await?;
    let bar = if demo.narrate {
        progress(total, "paying invoices")
    } else {
        indicatif::ProgressBar::hidden()
    };
    for month in 1..=months {
        let before = demo.payments.len();
        let first_day = demo.chain().clock().await?.unix_timestamp;
        bar.suspend(|| {
            demo.say(format_args!(
                "month {month:>2}  {}",
                chrono::DateTime::from_timestamp(first_day, 0)
                    .map(|t| t.format("%B %Y").to_string())
                    .unwrap_or_default()
            ))
        });
        for agency in &agencies {
            demo.refusals(month, agency).await?;
            demo.plants(month, agency).await?;
            demo.building_costs(month, agency).await?;
            demo.wallet_plants(month, agency, &agencies).await?;
            // Small invoices go to a different award each within a month (so that none looks split);
            // large ones to any award.
            let eligible = agency.eligible_awards(month);
            for n in 0..args.payments_per_month {
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
                bar.inc(1);
            }
            demo.chain().advance_clock(2 * DAY).await?;
        }
        // On to the first day of the next calendar month (unless the month's work ran past it).
        let now = demo.chain().clock().await?.unix_timestamp;
        let next = month_start(month);
        if next > now {
            demo.chain().advance_clock(next - now).await?;
        }
        let paid: u64 = demo.payments[before..]
            .iter()
            .filter_map(|p| p["amount_units"].as_u64())
            .sum();
        bar.suspend(|| {
            demo.say(format_args!(
                "  paid     {} payments, {}",
                demo.payments.len() - before,
                grouped(paid)
            ))
        });
    }
    bar.finish_and_clear();

    // The watchdog's check: replay every agency's executed payments through the shared fold.
    let mut summary = Table::new(&[
        "agency",
        "authority",
        "allotted",
        "obligated",
        "outlayed",
        "payments",
        "outlay hash head",
    ]);
    let mut summary_json = Vec::new();
    for agency in &agencies {
        let state: Agency = demo.client.fetch(&agency.address).await?;
        let units = |u| Field::amount(u, DECIMALS);
        summary.push(vec![
            format!("{} {}", agency.code, agency.name).into(),
            units(state.budget_authority),
            units(state.allotted),
            units(state.obligated),
            units(state.outlayed),
            state.outlay_count.into(),
            Field::Hash(state.outlay_hash),
        ]);
        summary_json.push(json!({
            "code": agency.code, "name": agency.name, "address": agency.address.to_string(),
            "budget_authority": amount(state.budget_authority), "allotted": amount(state.allotted),
            "obligated": amount(state.obligated), "outlayed": amount(state.outlayed),
            "payments": state.outlay_count, "outlay_hash": hex::encode(state.outlay_hash),
        }));
    }
    // The watchdog indexes the year and verifies every hash chain and total against the chain: the demo's
    // "verified" is the watchdog's.
    let (report_path, chains_ok) = watchdog_report(&demo, &args.output_dir).await?;
    if demo.narrate {
        crate::say!();
        summary.print(Format::Table);
        crate::say!();
    }
    let fast = demo.payments.iter().filter(|p| p["path"] == "fast").count();
    let approval = demo.payments.len() - fast;
    demo.say(format_args!(
        "{} payments executed ({fast} fast path, {approval} approval path), {} attempts refused; hash chains {}",
        demo.payments.len(),
        demo.refused.len(),
        if chains_ok { "verified" } else { "MISMATCH" },
    ));

    let dump = write_dump(
        &demo,
        &agencies,
        summary_json.clone(),
        chains_ok,
        started.elapsed().as_secs_f64(),
    )
    .await?;
    let path = args.output_dir.join("demo.json");
    let text = match serde_json::to_string_pretty(&dump) {
        Ok(text) => text,
        Err(err) => fail!("cannot encode demo.json: {err}"),
    };
    if let Err(err) = std::fs::write(&path, text) {
        fail!("cannot write {}: {err}", path.display());
    }
    // The chain itself, with its history, so that every watchdog command runs on the demo's ledger.
    let chain_path = args.output_dir.join("chain.json");
    let state = StateFile::lock(&chain_path, Access::Write)?;
    state.save(demo.chain()).await?;
    demo.say(format_args!(
        "wrote {}, {} and {} in {:.1}s",
        path.display(),
        chain_path.display(),
        report_path.display(),
        started.elapsed().as_secs_f64()
    ));
    if format == Format::Json {
        crate::say!(
            "{}",
            json!({
                "payments": demo.payments.len(),
                "fast_path": fast,
                "approval_path": approval,
                "refused": demo.refused.len(),
                "planted": demo.planted.len(),
                "flags": demo.flags.len(),
                "hash_chains_verified": chains_ok,
                "agencies": summary_json,
                "demo_json": path.display().to_string(),
            })
        );
    }
    if !chains_ok {
        fail!("an outlay hash chain does not match its events");
    }
    Ok(())
}

/// Indexes the demo's chain beside demo.json (`index.sqlite`), verifies and audits it, and writes the HTML
/// report (`report.html`). Returns the report's path and whether the verification is clean.
async fn watchdog_report(
    demo: &Demo,
    dir: &std::path::Path,
) -> CliResult<(std::path::PathBuf, bool)> {
    use public_spending_watchdog::{audit, index, report, verify, Store};
    let db = dir.join("index.sqlite");
    for stale in ["index.sqlite", "index.sqlite-wal", "index.sqlite-shm"] {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    let mut store = Store::open(&db)?;
    index::index(demo.chain(), &mut store, |_| {}).await?;
    let verification = verify::verify(demo.chain(), &store).await?;
    let audited = audit::audit(&store, &audit::AuditOptions::default())?;
    // Generated now, in the real world; the data's own dates come from the chain.
    let html = report::render(
        &store,
        &audited,
        Some(&verification),
        chrono::Utc::now().timestamp(),
        &report::ReportOptions::default(),
    )?;
    let path = dir.join("report.html");
    super::watchdog::write_file(&path, html.as_bytes())?;
    Ok((path, verification.is_clean()))
}

async fn write_dump(
    demo: &Demo,
    agencies: &[DemoAgency],
    summary: Vec<Value>,
    chains_ok: bool,
    seconds: f64,
) -> CliResult<Value> {
    let mut appropriations = Vec::new();
    let mut allotments = Vec::new();
    let mut awards = Vec::new();
    for agency in agencies {
        for (address, a) in demo
            .client
            .list(&public_spending_sdk::query::AppropriationQuery {
                agency: Some(agency.address),
                ..Default::default()
            })
            .await?
        {
            appropriations.push(json!({
                "agency": agency.code, "address": address.to_string(),
                "tas": format!("{}-{}", String::from_utf8_lossy(&a.main_account), String::from_utf8_lossy(&a.sub_account)),
                "fiscal_year": a.fiscal_year, "budget_authority": amount(a.budget_authority), "allotted": amount(a.allotted),
                "obligated": amount(a.obligated), "outlayed": amount(a.outlayed),
            }));
        }
        for (address, a) in demo
            .client
            .list(&public_spending_sdk::query::AllotmentQuery {
                agency: Some(agency.address),
                ..Default::default()
            })
            .await?
        {
            allotments.push(json!({
                "agency": agency.code, "address": address.to_string(), "appropriation": a.appropriation.to_string(), "index": a.index,
                "program_activity": String::from_utf8_lossy(&a.program_activity), "amount": amount(a.amount),
                "obligated": amount(a.obligated), "outlayed": amount(a.outlayed),
            }));
        }
        for award in &agency.awards {
            let a: public_spending::state::Award = demo.client.fetch(&award.keys.award).await?;
            awards.push(json!({
                "agency": agency.code, "award_id": award.award_id, "address": award.keys.award.to_string(), "recipient": award.uei,
                "type": format!("{:?}", a.award_type), "obligated": amount(a.obligated), "outlayed": amount(a.outlayed),
                "payments": a.payment_count,
            }));
        }
    }
    Ok(json!({
        "fiscal_year": 2026,
        "payment_mint": demo.mint.to_string(),
        "decimals": DECIMALS,
        "agencies": summary,
        "appropriations": appropriations,
        "allotments": allotments,
        "awards": awards,
        "payments": demo.payments,
        "refused": demo.refused,
        "planted": demo.planted,
        "flags": demo.flags,
        "hash_chains_verified": chains_ok,
        "wall_seconds": seconds,
    }))
}
