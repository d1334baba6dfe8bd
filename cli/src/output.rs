//! Tables and records for people, typed JSON for scripts (`--output json`), the way the Solana CLI prints.

use std::{
    fmt,
    fs::File,
    io::Write,
    sync::{Mutex, OnceLock},
};

use anchor_lang::prelude::Pubkey;
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use public_spending_sdk::amount::{format_amount, format_grouped};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

/// Where `say!` writes: the real stdout, kept aside once program logs are moved off it.
static OUT: OnceLock<Mutex<File>> = OnceLock::new();

/// Sends the embedded program's `msg!` lines to stderr (`verbose`) or nowhere, keeping stdout for `pubspend`'s
/// own output (tables, JSON).
pub fn move_program_logs_off_stdout(verbose: bool) {
    if let Some(stdout) = public_spending_embedded::program_logs_off_stdout(verbose) {
        let _ = OUT.set(Mutex::new(stdout));
    }
}

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
macro_rules! say {
    () => {
        $crate::output::write_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::write_line(format_args!($($arg)*))
    };
}
pub(crate) use say;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
}

/// One value of a record or a table cell. It prints for people (amounts with thousands separators, times as
/// UTC dates) and serializes for scripts as typed JSON: amounts as exact decimal strings, counts as numbers,
/// flags as booleans, times as RFC 3339 strings, and none as null.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    Text(String),
    Key(Pubkey),
    /// Base units of the ledger's mint, and its decimals.
    Amount {
        units: u64,
        decimals: u8,
    },
    Count(u64),
    Flag(bool),
    /// Unix seconds.
    Time(i64),
    Hash([u8; 32]),
    Keys(Vec<Pubkey>),
    None,
}

impl Field {
    pub fn amount(units: u64, decimals: u8) -> Self {
        Self::Amount { units, decimals }
    }

    /// Text, or none when empty.
    pub fn text_or_none(text: String) -> Self {
        if text.is_empty() {
            Self::None
        } else {
            Self::Text(text)
        }
    }

    /// A key, or none when it is the default key (not set).
    pub fn key_or_none(key: Pubkey) -> Self {
        if key == Pubkey::default() {
            Self::None
        } else {
            Self::Key(key)
        }
    }

    /// A time, or none when zero (not set).
    pub fn time_or_none(seconds: i64) -> Self {
        if seconds == 0 {
            Self::None
        } else {
            Self::Time(seconds)
        }
    }

    /// A hash, or none when all zero (not set).
    pub fn hash_or_none(hash: [u8; 32]) -> Self {
        if hash == [0; 32] {
            Self::None
        } else {
            Self::Hash(hash)
        }
    }
}

fn utc(seconds: i64) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(seconds, 0)
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(text) => f.write_str(text),
            Self::Key(key) => write!(f, "{key}"),
            Self::Amount { units, decimals } => f.write_str(&format_grouped(*units, *decimals)),
            Self::Count(n) => write!(f, "{n}"),
            Self::Flag(flag) => f.write_str(if *flag { "yes" } else { "no" }),
            Self::Time(seconds) => match utc(*seconds) {
                Some(time) => write!(f, "{}", time.format("%Y-%m-%d %H:%M:%S UTC")),
                None => write!(f, "{seconds}"),
            },
            Self::Hash(hash) => f.write_str(&hex::encode(hash)),
            Self::Keys(keys) if keys.is_empty() => f.write_str("-"),
            Self::Keys(keys) => {
                let keys: Vec<String> = keys.iter().map(Pubkey::to_string).collect();
                f.write_str(&keys.join(","))
            }
            Self::None => f.write_str("-"),
        }
    }
}

impl Serialize for Field {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Text(text) => serializer.serialize_str(text),
            Self::Key(key) => serializer.collect_str(key),
            Self::Amount { units, decimals } => {
                serializer.serialize_str(&format_amount(*units, *decimals))
            }
            Self::Count(n) => serializer.serialize_u64(*n),
            Self::Flag(flag) => serializer.serialize_bool(*flag),
            Self::Time(seconds) => match utc(*seconds) {
                Some(time) => {
                    serializer.collect_str(&time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                }
                None => serializer.serialize_i64(*seconds),
            },
            Self::Hash(hash) => serializer.serialize_str(&hex::encode(hash)),
            Self::Keys(keys) => serializer.collect_seq(keys.iter().map(Pubkey::to_string)),
            Self::None => serializer.serialize_none(),
        }
    }
}

impl From<String> for Field {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&str> for Field {
    fn from(text: &str) -> Self {
        Self::Text(text.into())
    }
}

impl From<Pubkey> for Field {
    fn from(key: Pubkey) -> Self {
        Self::Key(key)
    }
}

impl From<bool> for Field {
    fn from(flag: bool) -> Self {
        Self::Flag(flag)
    }
}

impl From<u64> for Field {
    fn from(n: u64) -> Self {
        Self::Count(n)
    }
}

impl From<u32> for Field {
    fn from(n: u32) -> Self {
        Self::Count(n.into())
    }
}

impl From<u16> for Field {
    fn from(n: u16) -> Self {
        Self::Count(n.into())
    }
}

impl From<u8> for Field {
    fn from(n: u8) -> Self {
        Self::Count(n.into())
    }
}

impl<T: Into<Field>> From<Option<T>> for Field {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::None, Into::into)
    }
}

/// A record's field names as JSON keys: `outlay hash` becomes `outlay_hash`.
fn json_key(name: &str) -> String {
    name.to_lowercase().replace(' ', "_")
}

/// The fields of one record as a JSON object.
pub fn record_json(fields: &[(&str, Field)]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|(name, field)| {
                (
                    json_key(name),
                    serde_json::to_value(field).unwrap_or(Value::Null),
                )
            })
            .collect::<Map<String, Value>>(),
    )
}

/// Rows with named columns; printed as a table or as a JSON array of objects.
pub struct Table {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Field>>,
}

impl Table {
    pub fn new(columns: &[&'static str]) -> Self {
        Self {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Field>) {
        self.rows.push(row);
    }

    pub fn to_json(&self) -> Value {
        Value::Array(
            self.rows
                .iter()
                .map(|row| {
                    let fields: Vec<(&str, Field)> = self
                        .columns
                        .iter()
                        .copied()
                        .zip(row.iter().cloned())
                        .collect();
                    record_json(&fields)
                })
                .collect(),
        )
    }

    pub fn render(&self) -> String {
        let mut table = comfy_table::Table::new();
        table
            .load_preset(comfy_table::presets::NOTHING)
            .set_content_arrangement(comfy_table::ContentArrangement::Disabled)
            .set_header(self.columns.iter().map(|c| c.to_uppercase()));
        for row in &self.rows {
            table.add_row(row.iter().map(|cell| {
                let cell_text = comfy_table::Cell::new(cell);
                match cell {
                    Field::Amount { .. } | Field::Count(_) => {
                        cell_text.set_alignment(comfy_table::CellAlignment::Right)
                    }
                    _ => cell_text,
                }
            }));
        }
        for column in table.column_iter_mut() {
            column.set_padding((0, 2));
        }
        table
            .lines()
            .map(|line| line.trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn print(&self, format: Format) {
        match format {
            Format::Table if self.rows.is_empty() => say!("(none)"),
            Format::Table => say!("{}", self.render()),
            Format::Json => say!("{}", self.to_json()),
        }
    }
}

/// Prints one record: `name: value` lines, or a JSON object.
pub fn print_record(format: Format, fields: &[(&str, Field)]) {
    match format {
        Format::Table => {
            let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (key, value) in fields {
                say!("{key:<width$}  {value}");
            }
        }
        Format::Json => say!("{}", record_json(fields)),
    }
}

/// Prints a record and the records under it (e.g. a UEI and each agency's record of it): one after the other
/// as text, one object with a `key` array for scripts.
pub fn print_nested(
    format: Format,
    fields: &[(&str, Field)],
    key: &str,
    rows: &[Vec<(&str, Field)>],
) {
    match format {
        Format::Table => {
            print_record(format, fields);
            for row in rows {
                say!("");
                print_record(format, row);
            }
        }
        Format::Json => {
            let mut value = record_json(fields);
            value[key] = rows.iter().map(|row| record_json(row)).collect();
            say!("{value}");
        }
    }
}

/// Prints an error on stderr: one line of text, or `{"error": "..."}` for scripts.
pub fn print_error(format: Format, message: &str) {
    match format {
        Format::Table => eprintln!("error: {message}"),
        Format::Json => eprintln!("{}", serde_json::json!({ "error": message })),
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
