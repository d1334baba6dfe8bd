//! The program run natively inside the real Solana runtime (one test binary, one link).

mod agency;
mod awards;
mod batch;
mod budget;
mod client;
mod controls;
mod flags;
mod governance;
mod invariants;
mod lifts;
mod limits;
mod oversight;
mod payments;
mod property;
mod recipients;
mod token2022;
