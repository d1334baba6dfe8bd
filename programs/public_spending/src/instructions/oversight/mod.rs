pub mod debar_recipient;
pub mod freeze_agency;
pub mod hold_award;
pub mod hold_payment;
pub mod reinstate_recipient;
pub mod release_payment;
pub mod unfreeze_agency;

pub use {
    debar_recipient::*, freeze_agency::*, hold_award::*, hold_payment::*, reinstate_recipient::*,
    release_payment::*, unfreeze_agency::*,
};
