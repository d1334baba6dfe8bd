//! Every PDA seed and every limit of the program. The SDK imports these same constants, so client and program
//! cannot drift apart.

use anchor_lang::prelude::*;

#[constant]
pub const LEDGER_SEED: &[u8] = b"ledger";
#[constant]
pub const AGENCY_SEED: &[u8] = b"agency";
#[constant]
pub const TREASURY_SEED: &[u8] = b"treasury";
#[constant]
pub const MEMBER_SEED: &[u8] = b"member";
#[constant]
pub const APPROPRIATION_SEED: &[u8] = b"appropriation";
#[constant]
pub const ALLOTMENT_SEED: &[u8] = b"allotment";
#[constant]
pub const RECIPIENT_SEED: &[u8] = b"recipient";
#[constant]
pub const AWARD_SEED: &[u8] = b"award";
#[constant]
pub const PAYMENT_SEED: &[u8] = b"payment";
#[constant]
pub const EXCLUSION_SEED: &[u8] = b"exclusion";
/// The ledger's one list of UEIs under an exclusion in force.
#[constant]
pub const EXCLUSION_LIST_SEED: &[u8] = b"exclusion_list";
#[constant]
pub const FLAG_SEED: &[u8] = b"flag";
#[constant]
pub const PROPERTY_SEED: &[u8] = b"property";
/// `["change", scope, subject]`: a change waiting out its notice. The scope is the agency whose controls change
/// (the subject: the agency again for its policy, the member's key for a member), or the ledger's own address
/// for its auditors (subject [`AUDITORS_SUBJECT`]) and its limits (subject [`LIMITS_SUBJECT`]).
#[constant]
pub const CHANGE_SEED: &[u8] = b"change";
/// The subject of a change of the ledger's auditors, in its `["change", ledger, subject]` address.
#[constant]
pub const AUDITORS_SUBJECT: [u8; 32] = *b"auditors\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
/// The subject of a change of the ledger-wide limits, in its `["change", ledger, subject]` address.
#[constant]
pub const LIMITS_SUBJECT: [u8; 32] = *b"limits\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
/// The notice the admin gives before changing the auditors (a new auditor could lift holds; a removed one
/// could not hold any more): a week, or the ledger's minimum notice when longer, in which the auditors in
/// office (and the public) see it coming.
#[constant]
pub const AUDITOR_CHANGE_NOTICE_SECONDS: i64 = 7 * 24 * 60 * 60;
/// After an auditor vetoes a change, no change on the same subject may be proposed for thirty days: a veto
/// that the proposer could answer at once with the same proposal would only delay.
#[constant]
pub const VETO_COOLING_OFF_SECONDS: i64 = 30 * 24 * 60 * 60;

/// The ledger-wide minimum notice a new ledger starts with (`LedgerLimits::min_change_notice_seconds`): a day in
/// which auditors and the public see a loosening coming and an auditor can veto it.
#[constant]
pub const MIN_CHANGE_NOTICE_SECONDS: i64 = 24 * 60 * 60;
/// The admin may set the minimum notice anywhere from an hour to thirty days: never so short that nobody can
/// react, never so long that it freezes every agency's staffing.
#[constant]
pub const CHANGE_NOTICE_FLOOR_SECONDS: u32 = 60 * 60;
#[constant]
pub const CHANGE_NOTICE_CEILING_SECONDS: u32 = 30 * 24 * 60 * 60;

/// Layout version written into every account this program creates.
pub const ACCOUNT_VERSION: u8 = 1;

/// Most auditors a ledger can name.
pub const MAX_AUDITORS: usize = 5;
/// The most decimals a payment mint may have. A budget is counted in a u64 of base units: at 9 decimals (the
/// most any stablecoin in use has) that is 18 billion tokens per amount; each further decimal divides it by ten,
/// and a ledger, once initialized on a mint, cannot be initialized again.
pub const MAX_MINT_DECIMALS: u8 = 9;
/// Agency codes are CGAC (3 digits, e.g. `075`) or FREC (4 digits, e.g. `1601`): digits only.
pub const MIN_AGENCY_CODE_LEN: usize = 3;
pub const MAX_AGENCY_CODE_LEN: usize = 4;
pub const MAX_AGENCY_NAME_LEN: usize = 64;
/// Treasury Account Symbol parts: main account code (4 digits) and sub-account code (3 digits).
pub const MAIN_ACCOUNT_LEN: usize = 4;
pub const SUB_ACCOUNT_LEN: usize = 3;
/// Program activity codes are 4 digits.
pub const PROGRAM_ACTIVITY_LEN: usize = 4;
/// Object class codes are 3 digits (e.g. `252` for "other services").
pub const OBJECT_CLASS_LEN: usize = 3;
/// Unique Entity ID: exactly 12 upper-case letters or digits.
pub const UEI_LEN: usize = 12;
pub const MAX_RECIPIENT_NAME_LEN: usize = 64;
/// PIID (up to 50) / FAIN (up to 30) style award ids; bounded by the 32-byte PDA seed limit.
pub const MAX_AWARD_ID_LEN: usize = 32;
/// Most distinct approvals a payment can record; also the most an approval policy may require.
pub const MAX_APPROVERS: usize = 5;
/// Longest time lock an approval policy may set (30 days).
#[constant]
pub const MAX_TIME_LOCK_SECONDS: u32 = 30 * 24 * 60 * 60;
/// The fast path's daily cap is a sliding limit kept in hourly buckets: a payment counts against the cap in
/// the hour it was made and the 24 hours after it, so no 24 hours (at any offset) ever pay more than the cap.
#[constant]
pub const FAST_PATH_BUCKET_SECONDS: i64 = 60 * 60;
/// Buckets kept: the current hour and the 24 before it.
pub const FAST_PATH_BUCKETS: usize = 25;
/// Earliest and latest fiscal years an appropriation may name.
pub const MIN_FISCAL_YEAR: u16 = 2000;
pub const MAX_FISCAL_YEAR: u16 = 2200;

/// Member role bits.
#[constant]
pub const ROLE_BUDGET: u8 = 1 << 0;
#[constant]
pub const ROLE_OBLIGATE: u8 = 1 << 1;
#[constant]
pub const ROLE_REQUEST: u8 = 1 << 2;
#[constant]
pub const ROLE_APPROVE: u8 = 1 << 3;
#[constant]
pub const ROLE_EXECUTE: u8 = 1 << 4;
#[constant]
pub const ROLE_PROPERTY: u8 = 1 << 5;
pub const ALL_ROLES: u8 =
    ROLE_BUDGET | ROLE_OBLIGATE | ROLE_REQUEST | ROLE_APPROVE | ROLE_EXECUTE | ROLE_PROPERTY;
/// Role pairs no one key may hold together in an agency (separation of duties, as between a certifying and a
/// disbursing officer): who requests a payment does not approve it, and who records a vendor or its payout wallet
/// does not execute payments to it.
pub const CONFLICTING_ROLES: [u8; 2] = [ROLE_REQUEST | ROLE_APPROVE, ROLE_OBLIGATE | ROLE_EXECUTE];

/// Whether `roles` holds both roles of a conflicting pair.
pub fn roles_conflict(roles: u8) -> bool {
    for pair in CONFLICTING_ROLES {
        if roles & pair == pair {
            return true;
        }
    }
    false
}

/// Federal Real Property Profile unique id: 1 to 24 printable ASCII characters.
pub const MAX_RPUID_LEN: usize = 24;
pub const MAX_CITY_LEN: usize = 40;
/// The two-letter codes the U.S. Postal Service assigns: the states, the District of Columbia, the territories
/// and freely associated states, and the armed forces' codes.
pub const USPS_STATE_CODES: [[u8; 2]; 62] = [
    *b"AL", *b"AK", *b"AZ", *b"AR", *b"CA", *b"CO", *b"CT", *b"DE", *b"FL", *b"GA", *b"HI", *b"ID",
    *b"IL", *b"IN", *b"IA", *b"KS", *b"KY", *b"LA", *b"ME", *b"MD", *b"MA", *b"MI", *b"MN", *b"MS",
    *b"MO", *b"MT", *b"NE", *b"NV", *b"NH", *b"NJ", *b"NM", *b"NY", *b"NC", *b"ND", *b"OH", *b"OK",
    *b"OR", *b"PA", *b"RI", *b"SC", *b"SD", *b"TN", *b"TX", *b"UT", *b"VT", *b"VA", *b"WA", *b"WV",
    *b"WI", *b"WY", *b"DC", *b"AS", *b"GU", *b"MP", *b"PR", *b"VI", *b"FM", *b"MH", *b"PW", *b"AA",
    *b"AE", *b"AP",
];
/// Two-letter USPS state or territory code.
pub const STATE_CODE_LEN: usize = 2;
pub const ZIP_LEN: usize = 5;
/// Latitude and longitude are stored in millionths of a degree.
pub const MAX_LATITUDE_MICRODEGREES: i32 = 90_000_000;
pub const MAX_LONGITUDE_MICRODEGREES: i32 = 180_000_000;
/// The FRPP condition index runs from 0 (worst) to 100 (excellent).
pub const MAX_CONDITION_INDEX: u8 = 100;
