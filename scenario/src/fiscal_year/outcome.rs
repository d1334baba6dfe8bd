//! What a fiscal year leaves: every payment, refusal, planted red flag and public flag, and each agency's
//! books at the end, as typed values that serialize to the demo's `demo.json`.

use public_spending::state::{Agency, Allotment, Appropriation, Award};
use public_spending_embedded::EmbeddedChain;
use public_spending_sdk::{amount::format_amount, PaymentRecord};
use serde::{Serialize, Serializer};
use solana_sdk::pubkey::Pubkey;

use super::DECIMALS;

/// The year, played: the chain it ran on (with its whole history) and what happened on it.
#[derive(Serialize)]
pub struct FiscalYear {
    /// The embedded chain at the year's end, for the watchdog to index and for saving.
    #[serde(skip)]
    pub chain: EmbeddedChain,
    pub fiscal_year: u16,
    #[serde(serialize_with = "as_string")]
    pub payment_mint: Pubkey,
    pub decimals: u8,
    pub agencies: Vec<AgencyBooks>,
    pub appropriations: Vec<AppropriationBooks>,
    pub allotments: Vec<AllotmentBooks>,
    pub awards: Vec<AwardBooks>,
    pub payments: Vec<Payment>,
    pub refused: Vec<Refusal>,
    pub planted: Vec<PlantedFlag>,
    pub flags: Vec<RaisedFlag>,
}

impl FiscalYear {
    /// Payments that took the fast path.
    pub fn fast_path(&self) -> usize {
        self.payments
            .iter()
            .filter(|p| p.path == PaymentPath::Fast)
            .count()
    }

    /// Payments that took the approval path.
    pub fn approval_path(&self) -> usize {
        self.payments.len() - self.fast_path()
    }
}

/// The path a payment took through the program's controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentPath {
    /// `pay_small`: under the agency's threshold and daily cap, executed in one transaction.
    Fast,
    /// Requested, approved by two certifying officers, executed after the time lock, archived.
    Approval,
}

/// One executed payment.
#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    /// The fiscal year's month, 1 (October) to 12 (September).
    pub month: u32,
    /// When it executed (RFC 3339, UTC).
    pub date: Option<String>,
    pub agency: &'static str,
    pub award_id: String,
    pub index: u32,
    /// The recipient's UEI.
    pub recipient: String,
    #[serde(serialize_with = "as_amount")]
    pub amount: u64,
    pub amount_units: u64,
    pub path: PaymentPath,
    pub status: PaymentStatus,
    /// The transaction's signature (empty when a retry found it had already landed).
    pub signature: String,
    /// The record that entered the agency's hash chain, as its event carried it.
    pub record: Option<ChainRecord>,
}

/// Every payment the year records has executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Executed,
}

/// The record that entered an agency's hash chain, field by field, and its canonical bytes: enough to
/// recompute every chain from demo.json alone (`head = sha256(head || canonical)`, starting from 32 zero bytes).
#[derive(Debug, Clone, Serialize)]
pub struct ChainRecord {
    pub sequence: u64,
    pub agency: String,
    pub award: String,
    pub payment_index: u32,
    pub recipient: String,
    pub recipient_token_account: String,
    pub amount_units: u64,
    pub invoice_hash: String,
    pub reference: String,
    pub executed_at: i64,
    pub canonical_hex: String,
}

impl From<&PaymentRecord> for ChainRecord {
    fn from(record: &PaymentRecord) -> Self {
        Self {
            sequence: record.sequence,
            agency: record.agency.to_string(),
            award: record.award.to_string(),
            payment_index: record.payment_index,
            recipient: record.recipient.to_string(),
            recipient_token_account: record.recipient_token_account.to_string(),
            amount_units: record.amount,
            invoice_hash: hex::encode(record.invoice_hash),
            reference: record.reference.to_string(),
            executed_at: record.executed_at,
            canonical_hex: hex::encode(record.canonical_bytes()),
        }
    }
}

/// An attempt the program refused, as it must.
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    pub month: u32,
    pub agency: &'static str,
    /// What was attempted.
    pub action: String,
    /// The program's error code and name.
    pub error_code: u32,
    pub error: String,
    pub message: String,
}

/// A red flag the year plants on purpose, for the watchdog's audit to find.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlantedFlag {
    pub month: u32,
    /// The audit check that must find it.
    pub check: RedFlag,
    /// The agency's code (two, comma-separated, for a flag across agencies).
    pub agency: &'static str,
    /// What the audit's finding names: an award id, a UEI, a member, an invoice hash.
    pub subject: String,
    pub what: String,
}

/// The kinds of red flag the year plants, one per check of the watchdog's audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RedFlag {
    SplitPayments,
    DuplicateInvoices,
    NewRecipients,
    ExcludedRecipients,
    YearEndSpike,
    OutsidePeriod,
    DominantApprover,
    PublicFlags,
    WalletChanges,
    SplitWallets,
    ControlsLoosened,
    RoleGrantPayments,
    LiftedByAnother,
    NewAgencyPaying,
    ReproposedAfterVeto,
}

impl RedFlag {
    pub const ALL: [RedFlag; 15] = [
        Self::SplitPayments,
        Self::DuplicateInvoices,
        Self::NewRecipients,
        Self::ExcludedRecipients,
        Self::YearEndSpike,
        Self::OutsidePeriod,
        Self::DominantApprover,
        Self::PublicFlags,
        Self::WalletChanges,
        Self::SplitWallets,
        Self::ControlsLoosened,
        Self::RoleGrantPayments,
        Self::LiftedByAnother,
        Self::NewAgencyPaying,
        Self::ReproposedAfterVeto,
    ];

    /// The id of the audit check that finds it (`pubspend audit`'s `check`).
    pub fn id(self) -> &'static str {
        match self {
            Self::SplitPayments => "split-payments",
            Self::DuplicateInvoices => "duplicate-invoices",
            Self::NewRecipients => "new-recipients",
            Self::ExcludedRecipients => "excluded-recipients",
            Self::YearEndSpike => "year-end-spike",
            Self::OutsidePeriod => "outside-period",
            Self::DominantApprover => "dominant-approver",
            Self::PublicFlags => "public-flags",
            Self::WalletChanges => "wallet-changes",
            Self::SplitWallets => "split-wallets",
            Self::ControlsLoosened => "controls-loosened",
            Self::RoleGrantPayments => "role-grant-payments",
            Self::LiftedByAnother => "lifted-by-another",
            Self::NewAgencyPaying => "new-agency-paying",
            Self::ReproposedAfterVeto => "reproposed-after-veto",
        }
    }
}

impl std::fmt::Display for RedFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for RedFlag {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

/// A flag the public raised.
#[derive(Debug, Clone, Serialize)]
pub struct RaisedFlag {
    pub month: u32,
    pub agency: &'static str,
    #[serde(serialize_with = "as_string")]
    pub flag: Pubkey,
    /// The award id or UEI it is about.
    pub target: String,
    pub reason: String,
}

/// An agency's books at the year's end, as the chain holds them.
#[derive(Debug, Clone, Serialize)]
pub struct AgencyBooks {
    pub code: &'static str,
    pub name: &'static str,
    #[serde(serialize_with = "as_string")]
    pub address: Pubkey,
    #[serde(serialize_with = "as_amount")]
    pub budget_authority: u64,
    #[serde(serialize_with = "as_amount")]
    pub allotted: u64,
    #[serde(serialize_with = "as_amount")]
    pub obligated: u64,
    #[serde(serialize_with = "as_amount")]
    pub outlayed: u64,
    pub payments: u64,
    #[serde(serialize_with = "as_hex")]
    pub outlay_hash: [u8; 32],
}

impl AgencyBooks {
    pub(super) fn new(
        code: &'static str,
        name: &'static str,
        address: Pubkey,
        state: &Agency,
    ) -> Self {
        Self {
            code,
            name,
            address,
            budget_authority: state.budget_authority,
            allotted: state.allotted,
            obligated: state.obligated,
            outlayed: state.outlayed,
            payments: state.outlay_count,
            outlay_hash: state.outlay_hash,
        }
    }
}

/// An appropriation at the year's end.
#[derive(Debug, Clone, Serialize)]
pub struct AppropriationBooks {
    pub agency: &'static str,
    #[serde(serialize_with = "as_string")]
    pub address: Pubkey,
    /// Treasury Account Symbol, main-sub.
    pub tas: String,
    pub fiscal_year: u16,
    #[serde(serialize_with = "as_amount")]
    pub budget_authority: u64,
    #[serde(serialize_with = "as_amount")]
    pub allotted: u64,
    #[serde(serialize_with = "as_amount")]
    pub obligated: u64,
    #[serde(serialize_with = "as_amount")]
    pub outlayed: u64,
}

impl AppropriationBooks {
    pub(super) fn new(agency: &'static str, address: Pubkey, a: &Appropriation) -> Self {
        Self {
            agency,
            address,
            tas: format!(
                "{}-{}",
                String::from_utf8_lossy(&a.main_account),
                String::from_utf8_lossy(&a.sub_account)
            ),
            fiscal_year: a.fiscal_year,
            budget_authority: a.budget_authority,
            allotted: a.allotted,
            obligated: a.obligated,
            outlayed: a.outlayed,
        }
    }
}

/// An allotment at the year's end.
#[derive(Debug, Clone, Serialize)]
pub struct AllotmentBooks {
    pub agency: &'static str,
    #[serde(serialize_with = "as_string")]
    pub address: Pubkey,
    #[serde(serialize_with = "as_string")]
    pub appropriation: Pubkey,
    pub index: u32,
    pub program_activity: String,
    #[serde(serialize_with = "as_amount")]
    pub amount: u64,
    #[serde(serialize_with = "as_amount")]
    pub obligated: u64,
    #[serde(serialize_with = "as_amount")]
    pub outlayed: u64,
}

impl AllotmentBooks {
    pub(super) fn new(agency: &'static str, address: Pubkey, a: &Allotment) -> Self {
        Self {
            agency,
            address,
            appropriation: a.appropriation,
            index: a.index,
            program_activity: String::from_utf8_lossy(&a.program_activity).into_owned(),
            amount: a.amount,
            obligated: a.obligated,
            outlayed: a.outlayed,
        }
    }
}

/// One of the year's vendor and individual awards at the year's end.
#[derive(Debug, Clone, Serialize)]
pub struct AwardBooks {
    pub agency: &'static str,
    pub award_id: String,
    #[serde(serialize_with = "as_string")]
    pub address: Pubkey,
    /// The recipient's UEI.
    pub recipient: String,
    #[serde(rename = "type")]
    pub award_type: String,
    #[serde(serialize_with = "as_amount")]
    pub obligated: u64,
    #[serde(serialize_with = "as_amount")]
    pub outlayed: u64,
    pub payments: u32,
}

impl AwardBooks {
    pub(super) fn new(
        agency: &'static str,
        award_id: &str,
        address: Pubkey,
        uei: &str,
        a: &Award,
    ) -> Self {
        Self {
            agency,
            award_id: award_id.into(),
            address,
            recipient: uei.into(),
            award_type: format!("{:?}", a.award_type),
            obligated: a.obligated,
            outlayed: a.outlayed,
            payments: a.payment_count,
        }
    }
}

/// Base units as a decimal amount of the demo stablecoin (`1250.00`).
fn as_amount<S: Serializer>(units: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_amount(*units, DECIMALS))
}

fn as_string<S: Serializer>(value: &impl ToString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.to_string())
}

fn as_hex<S: Serializer>(bytes: &[u8; 32], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&hex::encode(bytes))
}
