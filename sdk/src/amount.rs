//! Token amounts as people write them (`1250.00`, `1,250.50`), converted exactly to and from base units.
//!
//! Only unambiguous forms are read: digits with an optional fraction (`1250`, `1250.5`, `1250.50`), or the
//! same with commas between groups of exactly three digits (`1,250.50`). Anything else (`12,50`, `1,2,3`,
//! `1_0`, `.5`, `1250.`) is refused rather than guessed at: a misread amount pays the wrong sum.
//!
//! ```
//! use public_spending_sdk::amount::{format_amount, format_grouped, parse_amount};
//!
//! assert_eq!(parse_amount("1,250.5", 2), Ok(125_050));
//! assert_eq!(format_amount(125_050, 2), "1250.50");
//! assert_eq!(format_grouped(125_050, 2), "1,250.50");
//! assert!(parse_amount("12,50", 2).is_err());
//! assert!(parse_amount("-3", 2).is_err());
//! ```

/// Why an amount could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount is empty")]
    Empty,
    #[error("amount must not be negative: {0:?}")]
    Negative(String),
    #[error("amount must be greater than zero")]
    Zero,
    #[error("not a number: {0:?} (write it like 1250.00 or 1,250.00)")]
    Malformed(String),
    #[error(
        "{0:?} is not a grouped amount: commas go only between groups of exactly three digits (1,250.00)"
    )]
    BadGrouping(String),
    #[error("{input:?} has more than {decimals} decimal places")]
    TooPrecise { input: String, decimals: u8 },
    #[error("amount {0:?} is too large")]
    TooLarge(String),
}

/// True when `whole` is digits, or digit groups separated by commas where the first group has 1 to 3 digits
/// and every later group exactly 3.
fn well_grouped(whole: &str) -> bool {
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or_default();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !whole.contains(',') {
        return digits(whole);
    }
    digits(first) && first.len() <= 3 && groups.all(|g| g.len() == 3 && digits(g))
}

/// Parses `1250`, `1250.5`, `1,250.00` into base units of a mint with `decimals`; zero is refused.
pub fn parse_amount(input: &str, decimals: u8) -> Result<u64, AmountError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(AmountError::Empty);
    }
    if trimmed.starts_with('-') {
        return Err(AmountError::Negative(trimmed.into()));
    }
    let (whole, fraction) = match trimmed.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (trimmed, None),
    };
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if fraction.is_some_and(|f| !digits_only(f)) {
        return Err(AmountError::Malformed(trimmed.into()));
    }
    if !well_grouped(whole) {
        let looks_grouped =
            whole.contains(',') && whole.bytes().all(|b| b.is_ascii_digit() || b == b',');
        return Err(if looks_grouped {
            AmountError::BadGrouping(trimmed.into())
        } else {
            AmountError::Malformed(trimmed.into())
        });
    }
    let fraction = fraction.unwrap_or_default();
    if fraction.len() > usize::from(decimals) {
        return Err(AmountError::TooPrecise {
            input: trimmed.into(),
            decimals,
        });
    }
    let too_large = || AmountError::TooLarge(trimmed.into());
    let scale = 10u64
        .checked_pow(u32::from(decimals))
        .ok_or_else(too_large)?;
    let whole: u64 = whole.replace(',', "").parse().map_err(|_| too_large())?;
    let padded = format!("{fraction:0<width$}", width = usize::from(decimals));
    let fraction: u64 = if padded.is_empty() {
        0
    } else {
        padded.parse().map_err(|_| too_large())?
    };
    let units = whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction))
        .ok_or_else(too_large)?;
    if units == 0 {
        return Err(AmountError::Zero);
    }
    Ok(units)
}

/// Formats base units with exactly `decimals` places, e.g. `1250.00` for a 2-decimal mint: the exact form that
/// scripts read and that [`parse_amount`] reads back.
pub fn format_amount(units: u64, decimals: u8) -> String {
    if decimals == 0 {
        return units.to_string();
    }
    let text = format!("{units:0>width$}", width = usize::from(decimals) + 1);
    let (whole, fraction) = text.split_at(text.len() - usize::from(decimals));
    format!("{whole}.{fraction}")
}

/// Formats base units for people, with thousands separators: `1,250.00`.
pub fn format_grouped(units: u64, decimals: u8) -> String {
    let exact = format_amount(units, decimals);
    let (whole, fraction) = match exact.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (exact.as_str(), None),
    };
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(fraction) => format!("{grouped}.{fraction}"),
        None => grouped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_amounts_exactly() {
        assert_eq!(parse_amount("1250.00", 6), Ok(1_250_000_000));
        assert_eq!(parse_amount("1250", 2), Ok(125_000));
        assert_eq!(parse_amount("1250.5", 2), Ok(125_050));
        assert_eq!(parse_amount("1,250.5", 2), Ok(125_050));
        assert_eq!(parse_amount("1,250.50", 2), Ok(125_050));
        assert_eq!(parse_amount("12,345,678.90", 2), Ok(1_234_567_890));
        assert_eq!(parse_amount(" 950.00 ", 2), Ok(95_000));
        assert_eq!(parse_amount("7", 0), Ok(7));
        assert_eq!(parse_amount("18446744073709.551615", 6), Ok(u64::MAX));
    }

    /// The defects of the old parser, which dropped every comma and underscore wherever it stood.
    #[test]
    fn refuses_misplaced_separators_instead_of_guessing() {
        for bad in [
            "12,50",
            "1,2,3",
            "1,25",
            "1,2500",
            "12,5000.00",
            ",250",
            "1,",
            "1,,250",
        ] {
            assert_eq!(
                parse_amount(bad, 2),
                Err(AmountError::BadGrouping(bad.into())),
                "{bad}"
            );
        }
        for bad in [
            "1_0",
            "1_000.00",
            ".25",
            "1250.",
            "1.2.3",
            "12a",
            "1 250",
            "1,250.5,0",
            "+5",
            "1e3",
        ] {
            assert_eq!(
                parse_amount(bad, 2),
                Err(AmountError::Malformed(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_positive_amount() {
        assert_eq!(parse_amount("", 6), Err(AmountError::Empty));
        assert_eq!(
            parse_amount("-5", 6),
            Err(AmountError::Negative("-5".into()))
        );
        assert_eq!(parse_amount("0.00", 6), Err(AmountError::Zero));
        assert_eq!(
            parse_amount("1.234", 2),
            Err(AmountError::TooPrecise {
                input: "1.234".into(),
                decimals: 2
            })
        );
        assert_eq!(
            parse_amount("18446744073709.551616", 6),
            Err(AmountError::TooLarge("18446744073709.551616".into()))
        );
    }

    #[test]
    fn errors_show_what_was_read() {
        assert_eq!(
            parse_amount("12,50", 2).unwrap_err().to_string(),
            "\"12,50\" is not a grouped amount: commas go only between groups of exactly three digits (1,250.00)"
        );
        assert_eq!(
            parse_amount("1_0", 2).unwrap_err().to_string(),
            "not a number: \"1_0\" (write it like 1250.00 or 1,250.00)"
        );
    }

    #[test]
    fn formats_exactly_and_grouped() {
        assert_eq!(format_amount(1_250_000_000, 6), "1250.000000");
        assert_eq!(format_amount(125_000, 2), "1250.00");
        assert_eq!(format_amount(5, 2), "0.05");
        assert_eq!(format_amount(42, 0), "42");
        assert_eq!(format_grouped(5, 2), "0.05");
        assert_eq!(format_grouped(99_999, 2), "999.99");
        assert_eq!(format_grouped(100_000, 2), "1,000.00");
        assert_eq!(format_grouped(400_000_000, 2), "4,000,000.00");
        assert_eq!(format_grouped(1_234_567, 0), "1,234,567");
        assert_eq!(format_grouped(u64::MAX, 0), "18,446,744,073,709,551,615");
    }

    #[test]
    fn grouped_output_reads_back() {
        for units in [1, 99, 100_000, 123_456_789, u64::MAX] {
            assert_eq!(parse_amount(&format_grouped(units, 2), 2), Ok(units));
            assert_eq!(parse_amount(&format_amount(units, 2), 2), Ok(units));
        }
    }
}
