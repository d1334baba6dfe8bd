//! Server-side `getProgramAccounts` filters. Field offsets are derived from the account layout itself: an
//! account is serialized twice, differing in one field only, and the first differing byte is the field's offset.
//! Nothing here hard-codes an offset, so a layout change cannot leave a filter pointing at the wrong bytes.

use anchor_lang::{prelude::Pubkey, AccountSerialize, AnchorSerialize, Discriminator};
use public_spending::constants::UEI_LEN;
use public_spending::state::{
    Agency, Allotment, Appropriation, AppropriationStatus, Award, AwardStatus, Exclusion,
    ExclusionStatus, Flag, Member, Payment, PaymentStatus, PendingChange, Property, Recipient,
};

/// Compare `bytes` with the account data at `offset` (the RPC's `memcmp` filter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Memcmp {
    pub offset: usize,
    pub bytes: Vec<u8>,
}

impl Memcmp {
    pub fn matches(&self, data: &[u8]) -> bool {
        self.offset
            .checked_add(self.bytes.len())
            .and_then(|end| data.get(self.offset..end))
            .is_some_and(|slice| slice == self.bytes.as_slice())
    }
}

/// Serializes `value` as its account bytes (discriminator first).
fn account_bytes<T: AccountSerialize>(value: &T) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = value.try_serialize(&mut bytes);
    bytes
}

/// The offset of the field that `set` changes, found by comparing two serializations.
pub fn offset_of<T: AccountSerialize + Default>(set: impl FnOnce(&mut T)) -> usize {
    let base = account_bytes(&T::default());
    let mut changed = T::default();
    set(&mut changed);
    let changed = account_bytes(&changed);
    base.iter()
        .zip(&changed)
        .position(|(a, b)| a != b)
        .unwrap_or(base.len())
}

fn encode<V: AnchorSerialize>(value: &V) -> Vec<u8> {
    let mut bytes = Vec::new();
    let _ = value.serialize(&mut bytes);
    bytes
}

/// A field filter: `value` at the offset of the field `set` changes.
fn field<T: AccountSerialize + Default, V: AnchorSerialize>(
    set: impl FnOnce(&mut T),
    value: &V,
) -> Memcmp {
    Memcmp {
        offset: offset_of(set),
        bytes: encode(value),
    }
}

/// Selects accounts of type `T` by their discriminator.
pub fn kind<T: Discriminator>() -> Memcmp {
    Memcmp {
        offset: 0,
        bytes: T::DISCRIMINATOR.to_vec(),
    }
}

const MARK: Pubkey = Pubkey::new_from_array([0xff; 32]);

/// A typed query over one account type: its filters, all applied server-side.
pub trait Query {
    type Account: anchor_lang::AccountDeserialize + Discriminator;
    fn filters(&self) -> Vec<Memcmp>;
}

/// Every agency.
#[derive(Clone, Debug, Default)]
pub struct AgencyQuery;

impl Query for AgencyQuery {
    type Account = Agency;
    fn filters(&self) -> Vec<Memcmp> {
        vec![kind::<Agency>()]
    }
}

/// Members, optionally of one agency.
#[derive(Clone, Debug, Default)]
pub struct MemberQuery {
    pub agency: Option<Pubkey>,
}

impl Query for MemberQuery {
    type Account = Member;
    fn filters(&self) -> Vec<Memcmp> {
        let mut filters = vec![kind::<Member>()];
        filters.extend(
            self.agency
                .map(|a| field(|m: &mut Member| m.agency = MARK, &a)),
        );
        filters
    }
}

/// Loosenings of agencies' controls waiting out their notice, optionally of one agency.
#[derive(Clone, Debug, Default)]
pub struct PendingChangeQuery {
    pub agency: Option<Pubkey>,
}

impl Query for PendingChangeQuery {
    type Account = PendingChange;
    fn filters(&self) -> Vec<Memcmp> {
        let mut filters = vec![kind::<PendingChange>()];
        filters.extend(
            self.agency
                .map(|a| field(|c: &mut PendingChange| c.agency = MARK, &a)),
        );
        filters
    }
}

/// Appropriations by agency, fiscal year and status.
#[derive(Clone, Debug, Default)]
pub struct AppropriationQuery {
    pub agency: Option<Pubkey>,
    pub fiscal_year: Option<u16>,
    pub status: Option<AppropriationStatus>,
}

impl Query for AppropriationQuery {
    type Account = Appropriation;
    fn filters(&self) -> Vec<Memcmp> {
        let mut filters = vec![kind::<Appropriation>()];
        filters.extend(
            self.agency
                .map(|a| field(|x: &mut Appropriation| x.agency = MARK, &a)),
        );
        filters.extend(
            self.fiscal_year
                .map(|y| field(|x: &mut Appropriation| x.fiscal_year = u16::MAX, &y)),
        );
        filters.extend(self.status.map(|s| {
            field(
                |x: &mut Appropriation| x.status = AppropriationStatus::Expired,
                &s,
            )
        }));
        filters
    }
}

/// Allotments, optionally of one appropriation.
#[derive(Clone, Debug, Default)]
pub struct AllotmentQuery {
    pub agency: Option<Pubkey>,
    pub appropriation: Option<Pubkey>,
}

impl Query for AllotmentQuery {
    type Account = Allotment;
    fn filters(&self) -> Vec<Memcmp> {
        let mut filters = vec![kind::<Allotment>()];
        filters.extend(
            self.agency
                .map(|a| field(|x: &mut Allotment| x.agency = MARK, &a)),
        );
        filters.extend(
            self.appropriation
                .map(|a| field(|x: &mut Allotment| x.appropriation = MARK, &a)),
        );
        filters
    }
}

/// Recipient records, optionally of one agency's vendor file, optionally of one UEI (in every agency).
#[derive(Clone, Debug, Default)]
pub struct RecipientQuery {
    pub agency: Option<Pubkey>,
    pub uei: Option<[u8; UEI_LEN]>,
}

impl Query for RecipientQuery {
    type Account = Recipient;
    fn filters(&self) -> Vec<Memcmp> {
        let mut filters = vec![kind::<Recipient>()];
        filters.extend(
            self.agency
                .map(|a| field(|x: &mut Recipient| x.agency = MARK, &a)),
        );
        filters.extend(
            self.uei
                .map(|u| field(|x: &mut Recipient| x.uei = [0xff; UEI_LEN], &u)),
        );
        filters
    }
}

/// Ledger-wide exclusions, optionally only those in force or only those lifted.
#[derive(Clone, Debug, Default)]
pub struct ExclusionQuery {
    pub status: Option<ExclusionStatus>,
}

impl Query for ExclusionQuery {
    type Account = Exclusion;
    fn filters(&self) -> Vec<Memcmp> {
        let mut filters = vec![kind::<Exclusion>()];
        filters.extend(
            self.status
                .map(|s| field(|x: &mut Exclusion| x.status = ExclusionStatus::Debarred, &s)),
        );
        filters
    }
}

/// Public flags by agency, target and flagger.
#[derive(Clone, Debug, Default)]
pub struct FlagQuery {
    pub agency: Option<Pubkey>,
    pub target: Option<Pubkey>,
    pub flagger: Option<Pubkey>,
}

impl Query for FlagQuery {
    type Account = Flag;
    fn filters(&self) -> Vec<Memcmp> {
        let mut filters = vec![kind::<Flag>()];
        filters.extend(
            self.target
                .map(|t| field(|x: &mut Flag| x.target = MARK, &t)),
        );
        filters.extend(
            self.agency
                .map(|a| field(|x: &mut Flag| x.agency = MARK, &a)),
        );
        filters.extend(
            self.flagger
                .map(|f| field(|x: &mut Flag| x.flagger = MARK, &f)),
        );
        filters
    }
}

/// Properties, optionally of one agency.
#[derive(Clone, Debug, Default)]
pub struct PropertyQuery {
    pub agency: Option<Pubkey>,
}

impl Query for PropertyQuery {
    type Account = Property;
    fn filters(&self) -> Vec<Memcmp> {
        let mut filters = vec![kind::<Property>()];
        filters.extend(
            self.agency
                .map(|a| field(|x: &mut Property| x.agency = MARK, &a)),
        );
        filters
    }
}

/// Awards by agency, recipient, allotment, property and status.
#[derive(Clone, Debug, Default)]
pub struct AwardQuery {
    pub agency: Option<Pubkey>,
    pub recipient: Option<Pubkey>,
    pub allotment: Option<Pubkey>,
    pub property: Option<Pubkey>,
    pub status: Option<AwardStatus>,
}

impl Query for AwardQuery {
    type Account = Award;
    fn filters(&self) -> Vec<Memcmp> {
        let mut filters = vec![kind::<Award>()];
        filters.extend(
            self.agency
                .map(|a| field(|x: &mut Award| x.agency = MARK, &a)),
        );
        filters.extend(
            self.recipient
                .map(|r| field(|x: &mut Award| x.recipient = MARK, &r)),
        );
        filters.extend(
            self.allotment
                .map(|a| field(|x: &mut Award| x.allotment = MARK, &a)),
        );
        filters.extend(
            self.property
                .map(|p| field(|x: &mut Award| x.property = MARK, &p)),
        );
        filters.extend(
            self.status
                .map(|s| field(|x: &mut Award| x.status = AwardStatus::Closed, &s)),
        );
        filters
    }
}

/// Payments in flight (and final ones not yet archived) by award and status (a payment's agency is its award's).
#[derive(Clone, Debug, Default)]
pub struct PaymentQuery {
    pub award: Option<Pubkey>,
    pub status: Option<PaymentStatus>,
}

impl Query for PaymentQuery {
    type Account = Payment;
    fn filters(&self) -> Vec<Memcmp> {
        let mut filters = vec![kind::<Payment>()];
        filters.extend(
            self.award
                .map(|a| field(|x: &mut Payment| x.award = MARK, &a)),
        );
        filters.extend(
            self.status
                .map(|s| field(|x: &mut Payment| x.status = PaymentStatus::Cancelled, &s)),
        );
        filters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_the_account_layout() {
        // discriminator (8) + version (1) + bump (1)
        assert_eq!(offset_of(|x: &mut Award| x.agency = MARK), 10);
        assert_eq!(offset_of(|x: &mut Award| x.appropriation = MARK), 42);
        assert_eq!(offset_of(|x: &mut Payment| x.award = MARK), 10);
        assert_eq!(
            offset_of(|x: &mut Appropriation| x.fiscal_year = 1),
            10 + 32 + 4 + 3
        );
    }

    #[test]
    fn a_filter_matches_only_its_value() {
        let agency = Pubkey::new_unique();
        let award = Award {
            agency,
            ..Award::default()
        };
        let filters = AwardQuery {
            agency: Some(agency),
            ..AwardQuery::default()
        }
        .filters();
        let bytes = account_bytes(&award);
        assert!(filters.iter().all(|f| f.matches(&bytes)));
        let other = account_bytes(&Award {
            agency: Pubkey::new_unique(),
            ..Award::default()
        });
        assert!(!filters.iter().all(|f| f.matches(&other)));
        let status = AwardQuery {
            status: Some(AwardStatus::Closed),
            ..AwardQuery::default()
        }
        .filters();
        assert!(!status.iter().all(|f| f.matches(&bytes)));
    }
}
