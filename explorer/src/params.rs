//! The query string of every list, read and checked before anything is looked up: a bad value is a 400 page
//! that names the parameter and says what it takes, never a panic or a 500. The same parameters make the page,
//! its CSV and its JSON, so a URL restores a view exactly.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use public_spending_sdk::amount::parse_amount;

use crate::model::PaymentRow;

/// The most rows one page lists; a download has no cap.
pub const MAX_PER_PAGE: usize = 500;
pub const DEFAULT_PER_PAGE: usize = 50;

/// A page that cannot be made: its status and what to tell the reader.
#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    pub message: String,
}

impl Refusal {
    pub fn bad(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn missing(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
}

/// What a list is rendered as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Html,
    Csv,
    Json,
}

/// Which payments a list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Lower-cased words, each matched against agency code and name, award id, vendor name, UEI and TAS.
    pub words: Vec<String>,
    pub agency: Option<String>,
    pub fiscal_year: Option<i32>,
    /// Unix seconds: from the start of `from`'s day to the end of `to`'s.
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub min: Option<u64>,
    pub max: Option<u64>,
    pub fast_path: Option<bool>,
    /// Only the payments behind findings of this check.
    pub finding: Option<String>,
    pub as_of_slot: Option<u64>,
}

/// A list's view: its filter, page and format.
#[derive(Clone, Debug)]
pub struct View {
    pub filter: Filter,
    pub page: usize,
    pub per_page: usize,
    pub format: Format,
    /// The query as given, minus `page` and `format`, for the links to other pages and downloads.
    pub query: Vec<(String, String)>,
}

/// The parameters a list takes.
pub const LIST_PARAMETERS: [&str; 13] = [
    "q",
    "agency",
    "fy",
    "from",
    "to",
    "min",
    "max",
    "path",
    "finding",
    "page",
    "per_page",
    "format",
    "as_of_slot",
];

impl View {
    /// Reads a list's query string; `decimals` reads amounts in the ledger's token units.
    pub fn read(
        query: &BTreeMap<String, String>,
        decimals: u8,
        allowed: &[&str],
    ) -> Result<Self, Refusal> {
        for name in query.keys() {
            if !LIST_PARAMETERS.contains(&name.as_str()) || !allowed.contains(&name.as_str()) {
                return Err(Refusal::bad(format!(
                    "unknown parameter {name:?}: this page takes {}",
                    allowed.join(", ")
                )));
            }
        }
        let text = |name: &str| query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let number = |name: &str, what: &str| -> Result<Option<u64>, Refusal> {
            text(name)
                .map(|v| {
                    v.parse::<u64>()
                        .map_err(|_| Refusal::bad(format!("{name}={v:?} is not {what}")))
                })
                .transpose()
        };
        let date = |name: &str| -> Result<Option<i64>, Refusal> {
            text(name)
                .map(|v| {
                    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                        .ok()
                        .filter(|d| v.len() == 10 && d.format("%Y-%m-%d").to_string() == v)
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                        .map(|d| d.and_utc().timestamp())
                        .ok_or_else(|| {
                            Refusal::bad(format!("{name}={v:?} is not a date: write YYYY-MM-DD"))
                        })
                })
                .transpose()
        };
        let amount = |name: &str| -> Result<Option<u64>, Refusal> {
            text(name)
                .map(|v| {
                    parse_amount(v, decimals)
                        .map_err(|e| Refusal::bad(format!("{name}={v:?} is not an amount ({e})")))
                })
                .transpose()
        };
        let agency = text("agency").map(str::to_string);
        if let Some(code) = &agency {
            if !(3..=4).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Refusal::bad(format!(
                    "agency={code:?} is not an agency code: 3 or 4 digits (075, 1601)"
                )));
            }
        }
        let fiscal_year = number("fy", "a fiscal year")?
            .map(|fy| {
                i32::try_from(fy)
                    .ok()
                    .filter(|fy| (2000..=2200).contains(fy))
                    .ok_or_else(|| {
                        Refusal::bad(format!("fy={fy} is not a fiscal year from 2000 to 2200"))
                    })
            })
            .transpose()?;
        let from = date("from")?;
        let to = date("to")?;
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(Refusal::bad(
                    "from is after to: the date range is inverted (give from <= to)",
                ));
            }
        }
        let (min, max) = (amount("min")?, amount("max")?);
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                return Err(Refusal::bad(
                    "min is above max: the amount range is inverted (give min <= max)",
                ));
            }
        }
        let fast_path = match text("path") {
            None => None,
            Some("fast") => Some(true),
            Some("approval") => Some(false),
            Some(other) => {
                return Err(Refusal::bad(format!(
                    "path={other:?} is not a payment path: fast or approval"
                )))
            }
        };
        let finding = text("finding").map(str::to_string);
        if let Some(check) = &finding {
            if !public_spending_watchdog::audit::CHECKS
                .iter()
                .any(|c| c.id == check)
            {
                return Err(Refusal::bad(format!(
                    "finding={check:?} is not a check: {}",
                    public_spending_watchdog::audit::CHECKS
                        .iter()
                        .map(|c| c.id)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        let page = number("page", "a page number (1, 2, ...)")?.unwrap_or(1);
        if page == 0 {
            return Err(Refusal::bad("page=0: pages are numbered from 1"));
        }
        let per_page = number("per_page", "a number of rows")?.unwrap_or(DEFAULT_PER_PAGE as u64);
        if per_page == 0 || per_page > MAX_PER_PAGE as u64 {
            return Err(Refusal::bad(format!(
                "per_page={per_page}: a page lists 1 to {MAX_PER_PAGE} rows (downloads have no cap)"
            )));
        }
        let format = match text("format") {
            None | Some("html") => Format::Html,
            Some("csv") => Format::Csv,
            Some("json") => Format::Json,
            Some(other) => {
                return Err(Refusal::bad(format!("format={other:?}: html, csv or json")))
            }
        };
        let words = text("q")
            .map(|q| q.split_whitespace().map(str::to_lowercase).collect())
            .unwrap_or_default();
        let query = query
            .iter()
            .filter(|(name, value)| {
                *name != "page" && *name != "format" && !value.trim().is_empty()
            })
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        Ok(Self {
            filter: Filter {
                words,
                agency,
                fiscal_year,
                from,
                until: to.map(|to| to + 86_400),
                min,
                max,
                fast_path,
                finding,
                as_of_slot: number("as_of_slot", "a slot")?,
            },
            page: usize::try_from(page).unwrap_or(usize::MAX),
            per_page: usize::try_from(per_page).unwrap_or(DEFAULT_PER_PAGE),
            format,
            query,
        })
    }

    /// This view's URL at `path` with `extra` parameters (another page, a format).
    pub fn link(&self, path: &str, extra: &[(&str, String)]) -> String {
        let mut pairs: Vec<(String, String)> = self.query.clone();
        pairs.extend(extra.iter().map(|(k, v)| ((*k).to_string(), v.clone())));
        if pairs.is_empty() {
            return path.to_string();
        }
        let encoded: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        format!("{path}?{}", encoded.join("&"))
    }
}

impl Filter {
    /// Whether `payment` is in the view; `flagged` holds the signatures behind the chosen check's findings.
    pub fn admits(
        &self,
        payment: &PaymentRow,
        flagged: Option<&std::collections::BTreeSet<&str>>,
    ) -> bool {
        let at = payment.executed_unix;
        self.agency.as_deref().is_none_or(|a| a == payment.agency)
            && self.fiscal_year.is_none_or(|fy| fy == payment.fiscal_year)
            && self.from.is_none_or(|from| at >= from)
            && self.until.is_none_or(|until| at < until)
            && self.min.is_none_or(|min| payment.amount_units >= min)
            && self.max.is_none_or(|max| payment.amount_units <= max)
            && self
                .fast_path
                .is_none_or(|fast| fast == (payment.path == "fast path"))
            && self.as_of_slot.is_none_or(|slot| payment.slot <= slot)
            && flagged.is_none_or(|set| set.contains(payment.signature.as_str()))
            && self
                .words
                .iter()
                .all(|word| payment.haystack.contains(word.as_str()))
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A UEI as a URL names it: 12 capital letters and digits.
pub fn uei(text: &str) -> Result<String, Refusal> {
    if text.len() == 12
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        Ok(text.to_string())
    } else {
        Err(Refusal::bad(format!(
            "{text:?} is not a UEI: 12 capital letters and digits (e.g. ABCDEF123456)"
        )))
    }
}

/// A transaction signature: base58 of 64 bytes.
pub fn signature(text: &str) -> Result<String, Refusal> {
    match bs58::decode(text).into_vec() {
        Ok(bytes) if bytes.len() == 64 => Ok(text.to_string()),
        _ => Err(Refusal::bad(format!(
            "{text:?} is not a transaction signature (base58 of 64 bytes)"
        ))),
    }
}

/// An agency code as a URL names it.
pub fn agency_code(text: &str) -> Result<&str, Refusal> {
    if (3..=4).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text)
    } else {
        Err(Refusal::bad(format!(
            "{text:?} is not an agency code: 3 or 4 digits (075, 1601)"
        )))
    }
}
