pub mod agency;
pub mod allotment;
pub mod appropriation;
pub mod award;
pub mod ledger;
pub mod member;
pub mod payment;
pub mod payment_record;
pub mod recipient;

pub use {
    agency::*, allotment::*, appropriation::*, award::*, ledger::*, member::*, payment::*,
    payment_record::*, recipient::*,
};
