pub mod close_award;
pub mod modify_award;
pub mod obligate;
pub mod register_recipient;

pub use {close_award::*, modify_award::*, obligate::*, register_recipient::*};
