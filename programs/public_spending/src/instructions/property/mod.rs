pub mod register_property;
pub mod update_property;

pub use {register_property::*, update_property::*};
