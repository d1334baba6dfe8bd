pub mod close_flag;
pub mod raise_flag;
pub mod resolve_flag;
pub mod respond_to_flag;

pub use {close_flag::*, raise_flag::*, resolve_flag::*, respond_to_flag::*};
