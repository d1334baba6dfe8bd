pub mod archive_payment;
pub mod cancel_payment;
pub mod decide_payment;
pub mod execute_payment;
mod outlay;
pub mod pay_batch;
pub mod pay_small;
pub mod request_payment;

pub use {
    archive_payment::*, cancel_payment::*, decide_payment::*, execute_payment::*, pay_batch::*,
    pay_small::*, request_payment::*,
};

use anchor_lang::prelude::*;

use crate::{
    error::LedgerError,
    state::{Award, Payment, PaymentStatus},
};

/// Ends a payment unpaid (`Rejected` or `Cancelled`): its amount leaves the award's in-flight total.
pub(crate) fn end_unpaid(
    award: &mut Award,
    payment: &mut Payment,
    status: PaymentStatus,
) -> Result<()> {
    award.in_flight = award
        .in_flight
        .checked_sub(payment.amount)
        .ok_or(LedgerError::InvariantViolated)?;
    payment.status = status;
    award.invariant()?;
    payment.invariant()
}
