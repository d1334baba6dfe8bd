// Anchor's #[program] needs every accounts struct (and the client modules it generates beside them) at the crate
// root, hence the glob re-exports; the per-file `handler`s they also re-export are always called by full path.
#![allow(ambiguous_glob_reexports)]

pub mod acting;
pub mod agency;
pub mod awards;
pub mod budget;
pub mod flags;
pub mod governance;
pub mod oversight;
pub mod payments;
pub mod property;

pub use {
    acting::*, agency::*, awards::*, budget::*, flags::*, governance::*, oversight::*, payments::*,
    property::*,
};
