pub mod accept_admin;
pub mod initialize_ledger;
pub mod pause;
pub mod propose_admin;
pub mod set_auditors;
pub mod unpause;

pub use {
    accept_admin::*, initialize_ledger::*, pause::*, propose_admin::*, set_auditors::*, unpause::*,
};
