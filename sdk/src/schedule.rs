//! A disbursement schedule: a CSV of fast-path payments (`award_id,amount,invoice`), read and checked as a
//! whole against the chain before anything is sent, so that a bad line never leaves a schedule half paid.

use anchor_lang::prelude::Pubkey;
use public_spending::{
    constants::MAX_AWARD_ID_LEN,
    state::{is_printable_ascii, Agency, Award},
};

use crate::{amount, backend::Backend, error::SdkError, history::History, pda, Client};

/// One line of a schedule as written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct ScheduleLine {
    /// The award's PIID or FAIN in the paying agency.
    pub award_id: String,
    /// Amount in the token's units, e.g. `1250.00` or `1,250.00`.
    pub amount: String,
    /// The invoice: a file (relative to the schedule's folder) whose sha256 goes on chain, or the sha256 in hex.
    pub invoice: String,
}

/// A line that passed every check: ready for `pay_batch`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedLine {
    /// 1-based line number in the file (the header is line 1).
    pub line: usize,
    pub award_id: String,
    pub award: Pubkey,
    pub amount: u64,
    pub invoice_hash: [u8; 32],
}

/// Reads a schedule: a header `award_id,amount,invoice`, then one payment per line. Errors name the line.
pub fn read(text: &str) -> Result<Vec<(usize, ScheduleLine)>, Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(err) => return Err(vec![format!("line 1: {err}")]),
    };
    // Each line named by where it stands in the file, from the record's byte offset: the reader's own line count
    // leaves out the blank lines it skips (and a record's offset is where those blank lines begin).
    let bytes = text.as_bytes();
    let line_of = |position: Option<&csv::Position>| {
        position.map_or(0, |p| {
            let mut start = usize::try_from(p.byte())
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            while bytes.get(start).is_some_and(|b| *b == b'\n' || *b == b'\r') {
                start += 1;
            }
            bytes[..start].iter().filter(|b| **b == b'\n').count() + 1
        })
    };
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let reason = match err.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        format!("{len} fields, where the header has {expected_len}")
                    }
                    _ => err.to_string(),
                };
                errors.push(format!("line {}: {reason}", line_of(err.position())));
                continue;
            }
        };
        let line = line_of(record.position());
        match record.deserialize::<ScheduleLine>(Some(&headers)) {
            Ok(entry) if !is_printable_ascii(&entry.award_id, MAX_AWARD_ID_LEN) => errors.push(format!(
                "line {line}: {:?} is not an award id: 1 to {MAX_AWARD_ID_LEN} printable ASCII characters",
                entry.award_id
            )),
            Ok(entry) => lines.push((line, entry)),
            Err(err) => errors.push(format!("line {line}: {err}")),
        }
    }
    if lines.is_empty() && errors.is_empty() {
        errors.push("the schedule has no payment lines (header: award_id,amount,invoice)".into());
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

/// An invoice column's hash: the sha256 written in hex, or else what `document` makes of the name (the caller
/// reads the file it names, and says why it cannot).
fn invoice_hash(
    invoice: &str,
    document: &dyn Fn(&str) -> Result<[u8; 32], String>,
) -> Result<[u8; 32], String> {
    let mut hash = [0u8; 32];
    if invoice.len() == 64 && hex::decode_to_slice(invoice, &mut hash).is_ok() {
        return Ok(hash);
    }
    document(invoice)
}

impl<B: Backend + History> Client<B> {
    /// Checks every line of a schedule for agency `code` against the chain: the award exists in this agency,
    /// is active and not held, its recipient is not excluded, the amount is below the fast-path threshold and
    /// (with the file's other lines) within what is left on the award, and no invoice repeats in the file or
    /// on the award's history (unless `allow_duplicate_invoice`). The file's total must be within the daily
    /// cap. An invoice that is not a sha256 in hex is hashed by `document` (the CLI reads the file it names,
    /// next to the schedule). Returns every problem found, or the checked lines.
    pub async fn check_schedule(
        &self,
        code: &str,
        lines: &[(usize, ScheduleLine)],
        document: &dyn Fn(&str) -> Result<[u8; 32], String>,
        allow_duplicate_invoice: bool,
    ) -> Result<Result<Vec<CheckedLine>, Vec<String>>, SdkError> {
        let ledger = self.ledger().await?;
        let agency_key = pda::agency(code).0;
        let Some(agency) = self.fetch_optional::<Agency>(&agency_key).await? else {
            return Ok(Err(vec![format!("no agency {code} on this ledger")]));
        };
        let money = |units| amount::format_grouped(units, ledger.mint_decimals);
        let mut errors = Vec::new();
        let mut checked: Vec<CheckedLine> = Vec::new();
        let mut total = 0u64;
        for (line, entry) in lines {
            let fail = |what: String| format!("line {line}: {what}");
            let units = match amount::parse_amount(&entry.amount, ledger.mint_decimals) {
                Ok(0) => {
                    errors.push(fail("the amount is zero".into()));
                    continue;
                }
                Ok(units) => units,
                Err(err) => {
                    errors.push(fail(err.to_string()));
                    continue;
                }
            };
            let hash = match invoice_hash(&entry.invoice, document) {
                Ok(hash) => hash,
                Err(err) => {
                    errors.push(fail(err));
                    continue;
                }
            };
            let award_key = pda::award(&agency_key, &entry.award_id).0;
            let Some(award) = self.fetch_optional::<Award>(&award_key).await? else {
                errors.push(fail(format!(
                    "no award {:?} in agency {code}",
                    entry.award_id
                )));
                continue;
            };
            if units >= agency.policy.threshold {
                errors.push(fail(format!(
                    "{} is not below the fast-path threshold of {}: request it for approval instead",
                    money(units),
                    money(agency.policy.threshold)
                )));
            }
            if award.status != public_spending::state::AwardStatus::Active {
                errors.push(fail(format!("award {} is closed", entry.award_id)));
            }
            if award.held {
                errors.push(fail(format!(
                    "award {} is held by an auditor",
                    entry.award_id
                )));
            }
            let recipient: public_spending::state::Recipient = self.fetch(&award.recipient).await?;
            if self
                .exclusion(&recipient.uei)
                .await?
                .is_some_and(|e| e.in_force())
            {
                errors.push(fail(format!(
                    "the recipient {} of award {} is suspended or debarred",
                    String::from_utf8_lossy(&recipient.uei),
                    entry.award_id
                )));
            }
            let earlier_in_file: u64 = checked
                .iter()
                .filter(|c| c.award == award_key)
                .map(|c| c.amount)
                .sum();
            let left = award
                .obligated
                .saturating_sub(award.outlayed)
                .saturating_sub(award.in_flight);
            if earlier_in_file.saturating_add(units) > left {
                errors.push(fail(format!(
                    "award {} has {} left; this file pays it {} with this line",
                    entry.award_id,
                    money(left),
                    money(earlier_in_file.saturating_add(units))
                )));
            }
            if let Some(first) = checked
                .iter()
                .find(|c| c.award == award_key && c.invoice_hash == hash)
            {
                errors.push(fail(format!(
                    "the same invoice as line {} on award {}",
                    first.line, entry.award_id
                )));
            } else if !allow_duplicate_invoice {
                if let Some(earlier) = self.earlier_invoice(&award_key, &hash).await? {
                    errors.push(fail(format!(
                        "duplicate invoice: award {} already has payment {} of {} with this invoice ({})",
                        entry.award_id,
                        earlier.index,
                        money(earlier.amount),
                        earlier.status
                    )));
                }
            }
            total = total.saturating_add(units);
            checked.push(CheckedLine {
                line: *line,
                award_id: entry.award_id.clone(),
                award: award_key,
                amount: units,
                invoice_hash: hash,
            });
        }
        if total > agency.policy.fast_path_daily_cap {
            errors.push(format!(
                "the schedule pays {} in all, above the agency's fast-path cap of {} in any 24 hours",
                money(total),
                money(agency.policy.fast_path_daily_cap)
            ));
        }
        Ok(if errors.is_empty() {
            Ok(checked)
        } else {
            Err(errors)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_is_read_line_by_line_and_errors_name_the_line() {
        let lines = read("award_id,amount,invoice\nC-1, 1,250.00 ,inv.pdf\n").unwrap_err();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with("line 2:"), "{lines:?}");
        let lines = read("award_id,amount,invoice\nC-1,\"1,250.00\",inv.pdf\nC-2,5,ab\n").unwrap();
        assert_eq!(
            lines,
            vec![
                (
                    2,
                    ScheduleLine {
                        award_id: "C-1".into(),
                        amount: "1,250.00".into(),
                        invoice: "inv.pdf".into()
                    }
                ),
                (
                    3,
                    ScheduleLine {
                        award_id: "C-2".into(),
                        amount: "5".into(),
                        invoice: "ab".into()
                    }
                ),
            ]
        );
        // Blank lines count: the bad line is named where it stands.
        let errors = read("award_id,amount,invoice\n\nC-1,5,ab\n\n\nC-2,5\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("line 6:"), "{errors:?}");
        // An award id the program could never hold (and whose address would panic) is refused by line.
        let long = "A".repeat(MAX_AWARD_ID_LEN + 1);
        let errors =
            read(&format!("award_id,amount,invoice\nC-1,5,ab\n{long},5,ab\n")).unwrap_err();
        assert_eq!(
            errors,
            vec![format!(
                "line 3: {long:?} is not an award id: 1 to 32 printable ASCII characters"
            )]
        );
        assert_eq!(
            read("award_id,amount,invoice\n").unwrap_err(),
            vec!["the schedule has no payment lines (header: award_id,amount,invoice)".to_string()]
        );
    }

    #[test]
    fn an_invoice_is_a_hash_or_else_the_callers_document() {
        let document = |name: &str| -> Result<[u8; 32], String> {
            match name {
                "invoice.pdf" => Ok([0xcd; 32]),
                other => Err(format!("no {other}")),
            }
        };
        assert_eq!(
            invoice_hash(&"ab".repeat(32), &document).unwrap(),
            [0xab; 32]
        );
        assert_eq!(invoice_hash("invoice.pdf", &document).unwrap(), [0xcd; 32]);
        assert_eq!(
            invoice_hash("other.pdf", &document).unwrap_err(),
            "no other.pdf"
        );
    }
}
