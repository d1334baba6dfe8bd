pub mod accept_admin;
pub mod change;
pub mod initialize_ledger;
pub mod limits;
pub mod pause;
pub mod propose_admin;
pub mod set_auditors;

pub use {
    accept_admin::*, change::*, initialize_ledger::*, limits::*, pause::*, propose_admin::*,
    set_auditors::*,
};
