//! Tables and records for people, typed JSON for scripts (`--output json`), the way the Solana CLI prints.

use std::{
    fmt,
    fs::File,
    io::Write,
    sync::{Mutex, OnceLock},
};

use anchor_lang::prelude::Pubkey;
use clap::ValueEnum;
use indicatif::ProgressBar;
use public_spending_sdk::amount::{format_amount, format_grouped};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

/// Where `say!` writes: the real stdout, kept aside once program logs are moved off it.
static OUT: OnceLock<Mutex<File>> = OnceLock::new();

/// Sends the embedded program's `msg!` lines to stderr (`verbose`) or nowhere, keeping stdout for `pubspend`'s
/// own output (tables, JSON). A client built without the embedded chain has no program in process: nothing moves.
pub fn move_program_logs_off_stdout(verbose: bool) {
    #[cfg(feature = "embedded")]
    if let Some(stdout) = public_spending_embedded::program_logs_off_stdout(verbose) {
        let _ = OUT.set(Mutex::new(stdout));
    }
    #[cfg(not(feature = "embedded"))]
    let _ = verbose;
}

/// Writes one line of `pubspend`'s own output to the real stdout.
pub fn write_line(args: fmt::Arguments) {
    match OUT.get().and_then(|out| out.lock().ok()) {
        Some(mut out) => {
            let _ = writeln!(out, "{args}");
        }
        // Program logs were never moved: stdout is still the real one.
        #[allow(clippy::print_stdout)]
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

/// A record's field or a table's column is named by its JSON key (`outlay_hash`), the name scripts rely on;
/// people read it with spaces (`outlay hash`). Changing how a field reads never renames it for scripts.
fn label(key: &str) -> String {
    debug_assert!(
        key.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        "{key:?} is not a snake_case JSON key"
    );
    key.replace('_', " ")
}

/// The fields of one record as a JSON object.
pub fn record_json<K: AsRef<str>>(fields: &[(K, Field)]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|(name, field)| {
                (
                    name.as_ref().to_string(),
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
            .set_header(self.columns.iter().map(|c| label(c).to_uppercase()));
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
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rows.is_empty() {
            f.write_str("(none)")
        } else {
            f.write_str(&self.render())
        }
    }
}

/// One record's fields, named as people read them; the JSON keys are the names in snake case.
pub type Fields = Vec<(String, Field)>;

fn owned(fields: Vec<(&str, Field)>) -> Fields {
    fields
        .into_iter()
        .map(|(name, field)| (name.to_string(), field))
        .collect()
}

fn record_text(f: &mut fmt::Formatter<'_>, fields: &Fields) -> fmt::Result {
    let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let lines: Vec<String> = fields
        .iter()
        .map(|(key, value)| format!("{:<width$}  {value}", label(key)))
        .collect();
    f.write_str(&lines.join("\n"))
}

/// What a command prints. Commands return it and `main` prints it once, after the command has finished (and
/// saved the embedded chain): for people with `Display`, for scripts (`--output json`) with `Serialize`, both
/// from the same value.
pub enum Output {
    /// `name  value` lines; one JSON object.
    Record(Fields),
    /// Aligned columns; a JSON array of objects.
    Table(Table),
    /// A record and the records under it (e.g. a UEI and each agency's record of it): one after the other;
    /// one object with the rows in an array under `key`.
    Nested {
        record: Fields,
        key: String,
        rows: Vec<Fields>,
    },
    /// Text for people and a JSON value for scripts, where the two differ in shape (a bare key that a shell
    /// captures, a plan's lines, a report).
    Text { text: String, json: Value },
    /// A report that fails its check (a verification with mismatches, files that break the broker's rules):
    /// printed in full, then `error` as the error, and `pubspend` exits non-zero.
    Failing { output: Box<Output>, error: String },
}

impl Output {
    pub fn record(fields: Vec<(&str, Field)>) -> Self {
        Self::Record(owned(fields))
    }

    pub fn nested(fields: Vec<(&str, Field)>, key: &str, rows: Vec<Vec<(&str, Field)>>) -> Self {
        Self::Nested {
            record: owned(fields),
            key: key.to_string(),
            rows: rows.into_iter().map(owned).collect(),
        }
    }

    /// This output, then `error`: the command printed what it found and failed.
    pub fn failing(self, error: String) -> Self {
        Self::Failing {
            output: Box::new(self),
            error,
        }
    }

    /// The error a failing report ends with.
    pub fn failure(&self) -> Option<&str> {
        match self {
            Self::Failing { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Prints the output on stdout, as text or as one line of JSON.
    pub fn print(&self, format: Format) {
        match format {
            Format::Table => say!("{self}"),
            Format::Json => say!("{}", serde_json::to_value(self).unwrap_or(Value::Null)),
        }
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Record(fields) => record_text(f, fields),
            Self::Table(table) => write!(f, "{table}"),
            Self::Nested { record, rows, .. } => {
                record_text(f, record)?;
                for row in rows {
                    f.write_str("\n\n")?;
                    record_text(f, row)?;
                }
                Ok(())
            }
            Self::Text { text, .. } => f.write_str(text),
            Self::Failing { output, .. } => write!(f, "{output}"),
        }
    }
}

impl Serialize for Output {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Record(fields) => record_json(fields).serialize(serializer),
            Self::Table(table) => table.to_json().serialize(serializer),
            Self::Nested { record, key, rows } => {
                let mut value = record_json(record);
                value[key.as_str()] = rows.iter().map(|row| record_json(row)).collect();
                value.serialize(serializer)
            }
            Self::Text { json, .. } => json.serialize(serializer),
            Self::Failing { output, .. } => output.serialize(serializer),
        }
    }
}

impl From<Table> for Output {
    fn from(table: Table) -> Self {
        Self::Table(table)
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
#[cfg(feature = "embedded")]
pub fn progress(len: u64, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Output {
        Output::record(vec![
            ("payment", Field::Count(3)),
            ("amount", Field::amount(125_000, 2)),
            ("outlay_hash", Field::Hash([0xab; 32])),
            ("signature", Field::None),
        ])
    }

    #[test]
    fn a_record_prints_for_people_and_for_scripts_from_one_value() {
        let output = sample();
        assert_eq!(
            output.to_string(),
            format!(
                "payment      3\namount       1,250.00\noutlay hash  {}\nsignature    -",
                "ab".repeat(32)
            )
        );
        assert_eq!(
            serde_json::to_value(&output).unwrap(),
            serde_json::json!({
                "payment": 3,
                "amount": "1250.00",
                "outlay_hash": "ab".repeat(32),
                "signature": null,
            })
        );
        assert_eq!(output.failure(), None);
    }

    #[test]
    fn tables_nested_records_and_failing_reports_keep_one_shape_each() {
        let mut table = Table::new(&["index", "amount"]);
        assert_eq!(Output::from(Table::new(&["index"])).to_string(), "(none)");
        table.push(vec![Field::Count(0), Field::amount(5, 2)]);
        let output = Output::from(table);
        assert_eq!(output.to_string(), "INDEX  AMOUNT\n    0    0.05");
        assert_eq!(
            serde_json::to_value(&output).unwrap(),
            serde_json::json!([{ "index": 0, "amount": "0.05" }])
        );

        let nested = Output::nested(
            vec![("uei", "ABCDEF123456".into())],
            "records",
            vec![
                vec![("agency", "075".into())],
                vec![("agency", "069".into())],
            ],
        );
        assert_eq!(
            nested.to_string(),
            "uei  ABCDEF123456\n\nagency  075\n\nagency  069"
        );
        assert_eq!(
            serde_json::to_value(&nested).unwrap(),
            serde_json::json!({ "uei": "ABCDEF123456", "records": [{ "agency": "075" }, { "agency": "069" }] })
        );

        let failing = sample().failing("verification failed".into());
        assert_eq!(failing.failure(), Some("verification failed"));
        assert_eq!(failing.to_string(), sample().to_string());
        assert_eq!(
            serde_json::to_value(&failing).unwrap(),
            serde_json::to_value(sample()).unwrap()
        );
    }
}
