//! Aligned tables for people, JSON for scripts (`--output json`), the way the Solana CLI prints.

use std::{
    fmt,
    fs::File,
    io::Write,
    sync::{Mutex, OnceLock},
};

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value};

/// Where `say!` writes: the real stdout, kept aside once program logs are moved off it.
static OUT: OnceLock<Mutex<File>> = OnceLock::new();

/// The embedded program runs natively, so its `msg!` lines are `println!`s in this process. Keep stdout for
/// `pubspend`'s own output (tables, JSON) and send those lines to stderr (`verbose`) or nowhere.
#[cfg(unix)]
pub fn move_program_logs_off_stdout(verbose: bool) {
    use std::os::fd::{AsRawFd, FromRawFd};
    // SAFETY: plain descriptor duplication on the process's own stdout, before any other thread writes to it.
    unsafe {
        let saved = libc::dup(1);
        if saved < 0 {
            return;
        }
        let target = if verbose {
            2
        } else {
            match File::options().write(true).open("/dev/null") {
                Ok(null) => {
                    let fd = libc::dup(null.as_raw_fd());
                    if fd < 0 {
                        2
                    } else {
                        fd
                    }
                }
                Err(_) => 2,
            }
        };
        if libc::dup2(target, 1) < 0 {
            libc::close(saved);
            return;
        }
        let _ = OUT.set(Mutex::new(File::from_raw_fd(saved)));
    }
}

#[cfg(not(unix))]
pub fn move_program_logs_off_stdout(_verbose: bool) {}

/// Writes one line of `pubspend`'s own output to the real stdout.
pub fn write_line(args: fmt::Arguments) {
    match OUT.get().and_then(|out| out.lock().ok()) {
        Some(mut out) => {
            let _ = writeln!(out, "{args}");
        }
        None => println!("{args}"),
    }
}

/// `println!` for `pubspend`'s own output (see [`write_line`]).
#[macro_export]
macro_rules! say {
    () => {
        $crate::output::write_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::write_line(format_args!($($arg)*))
    };
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
}

/// Rows with named columns; printed as an aligned table or as a JSON array of objects.
pub struct Table {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: &[&'static str]) -> Self {
        Self {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    pub fn to_json(&self) -> Value {
        Value::Array(
            self.rows
                .iter()
                .map(|row| {
                    let object: Map<String, Value> = self
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(column, cell)| {
                            (
                                column.to_lowercase().replace(' ', "_"),
                                Value::String(cell.clone()),
                            )
                        })
                        .collect();
                    Value::Object(object)
                })
                .collect(),
        )
    }

    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.len()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: Vec<&str>| {
            cells
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        let mut out = vec![line(self.columns.clone())];
        out.extend(
            self.rows
                .iter()
                .map(|row| line(row.iter().map(String::as_str).collect())),
        );
        out.join("\n")
    }

    pub fn print(&self, format: Format) {
        match format {
            Format::Table if self.rows.is_empty() => crate::say!("(none)"),
            Format::Table => crate::say!("{}", self.render()),
            Format::Json => crate::say!("{}", self.to_json()),
        }
    }
}

/// Prints one record: `key: value` lines, or a JSON object.
pub fn print_record(format: Format, fields: &[(&str, String)]) {
    match format {
        Format::Table => {
            let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (key, value) in fields {
                crate::say!("{key:<width$}  {value}");
            }
        }
        Format::Json => {
            let object: Map<String, Value> = fields
                .iter()
                .map(|(k, v)| (k.to_lowercase().replace(' ', "_"), Value::String(v.clone())))
                .collect();
            crate::say!("{}", Value::Object(object));
        }
    }
}

/// A spinner on stderr while a read runs (hidden when stderr is not a terminal); cleared when dropped.
pub struct Spinner(ProgressBar);

impl Spinner {
    pub fn new(message: &'static str) -> Self {
        let bar = ProgressBar::new_spinner();
        bar.set_message(message);
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        Self(bar)
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// A progress bar on stderr; hidden when stderr is not a terminal.
pub fn progress(len: u64, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}
