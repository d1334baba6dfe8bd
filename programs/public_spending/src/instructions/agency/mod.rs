pub mod change;
pub mod register_agency;
pub mod set_approval_policy;
pub mod set_member;

pub use {change::*, register_agency::*, set_approval_policy::*, set_member::*};
