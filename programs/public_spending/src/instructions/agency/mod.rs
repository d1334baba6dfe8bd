pub mod register_agency;
pub mod set_approval_policy;
pub mod set_member;

pub use {register_agency::*, set_approval_policy::*, set_member::*};
