pub mod allot;
pub mod create_appropriation;
pub mod expire_appropriation;

pub use {allot::*, create_appropriation::*, expire_appropriation::*};
