//! The runtime's own log output kept off the terminal, and the program's `msg!` lines off stdout.

/// `ProgramTest` points the process's logger at the runtime's per-instruction DEBUG output whenever a chain
/// starts, unless RUST_LOG says otherwise, which floods a terminal or a test run with thousands of lines. The
/// `log` facade takes the first logger installed and keeps it, so an embedded chain installs one first that
/// follows RUST_LOG and shows only errors without it. A program that installed its own logger keeps it.
pub(crate) fn quiet_runtime_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let logger =
            env_logger::Builder::from_env(env_logger::Env::new().default_filter_or("error"))
                .build();
        let level = logger.filter();
        if log::set_boxed_logger(Box::new(logger)).is_ok() {
            log::set_max_level(level);
        }
    });
}

/// The embedded program runs natively, so its `msg!` lines (Anchor's "Instruction: ..." among them) are
/// `println!`s in this process. Points the process's stdout at stderr (`verbose`) or nowhere, so that program
/// logs never mix with a tool's own output, and returns the real stdout for that output. `None` when the
/// descriptors could not be moved (stdout is then left as it was). Call it once, before any other thread writes
/// to stdout.
#[cfg(unix)]
pub fn program_logs_off_stdout(verbose: bool) -> Option<std::fs::File> {
    use std::os::fd::{AsRawFd, FromRawFd};
    // SAFETY: plain descriptor duplication on the process's own stdout; `saved` is a new descriptor that the
    // returned File owns alone.
    unsafe {
        let saved = libc::dup(1);
        if saved < 0 {
            return None;
        }
        let null = std::fs::File::options().write(true).open("/dev/null");
        let target = match (&null, verbose) {
            (Ok(null), false) => null.as_raw_fd(),
            _ => 2,
        };
        if libc::dup2(target, 1) < 0 {
            libc::close(saved);
            return None;
        }
        Some(std::fs::File::from_raw_fd(saved))
    }
}

#[cfg(not(unix))]
pub fn program_logs_off_stdout(_verbose: bool) -> Option<std::fs::File> {
    None
}
