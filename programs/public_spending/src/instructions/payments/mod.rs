pub mod approve_payment;
pub mod archive_payment;
pub mod cancel_payment;
pub mod execute_payment;
mod outlay;
pub mod pay_batch;
pub mod pay_small;
pub mod reject_payment;
pub mod request_payment;

pub use {
    approve_payment::*, archive_payment::*, cancel_payment::*, execute_payment::*, pay_batch::*,
    pay_small::*, reject_payment::*, request_payment::*,
};
