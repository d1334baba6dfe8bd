pub mod agency;
pub mod allotment;
pub mod appropriation;
pub mod award;
pub mod exclusion;
pub mod flag;
pub mod ledger;
pub mod member;
pub mod oversight;
pub mod payment;
pub mod payment_record;
pub mod pending_change;
pub mod property;
pub mod recipient;

pub use {
    agency::*, allotment::*, appropriation::*, award::*, exclusion::*, flag::*, ledger::*,
    member::*, oversight::*, payment::*, payment_record::*, pending_change::*, property::*,
    recipient::*,
};
