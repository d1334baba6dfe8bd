pub mod debar_recipient;
pub mod freeze_agency;
pub mod hold_payment;
pub mod release_payment;
pub mod unfreeze_agency;

pub use {
    debar_recipient::*, freeze_agency::*, hold_payment::*, release_payment::*, unfreeze_agency::*,
};
