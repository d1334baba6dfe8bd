//! `pubspend` from the command line, one test binary (each binary links the whole Solana runtime, so one link
//! instead of three saves most of a minute of CI on two cores).

mod answers;
mod cli;
mod demo;
mod explore;
mod oversight;
mod readme;
mod watch;
