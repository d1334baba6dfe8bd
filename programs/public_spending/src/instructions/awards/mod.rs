pub mod close_award;
pub mod modify_award;
pub mod obligate;
pub mod payout_wallet;
pub mod register_recipient;

pub use {close_award::*, modify_award::*, obligate::*, payout_wallet::*, register_recipient::*};
