//! Oversight by the auditors: freezes, holds and exclusions. Imposing one is immediate for any auditor in office;
//! lifting it is for the auditor who imposed it, or for another auditor with a second auditor's concurring
//! signature (`Auditing::require_may_lift`), so that a hold is as strong as its most careful auditor, not its
//! most lenient.

pub mod agency_freeze;
pub mod auditing;
pub mod award_hold;
pub mod exclusion;
pub mod payment_hold;

pub use {agency_freeze::*, auditing::*, award_hold::*, exclusion::*, payment_hold::*};
