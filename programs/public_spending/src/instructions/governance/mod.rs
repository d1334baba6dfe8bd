pub mod accept_admin;
pub mod auditors_change;
pub mod initialize_ledger;
pub mod limits;
pub mod pause;
pub mod propose_admin;
pub mod set_auditors;
pub mod unpause;

pub use {
    accept_admin::*, auditors_change::*, initialize_ledger::*, limits::*, pause::*,
    propose_admin::*, set_auditors::*, unpause::*,
};
