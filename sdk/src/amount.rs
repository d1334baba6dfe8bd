//! Token amounts as people write them (`1250.00`), converted exactly to and from base units.
//!
//! ```
//! use public_spending_sdk::amount::{format_amount, parse_amount};
//!
//! assert_eq!(parse_amount("1,250.5", 2), Ok(125_050));
//! assert_eq!(format_amount(125_050, 2), "1250.50");
//! assert!(parse_amount("-3", 2).is_err());
//! ```

/// Why an amount could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount is empty")]
    Empty,
    #[error("amount must not be negative: {0}")]
    Negative(String),
    #[error("amount must be greater than zero")]
    Zero,
    #[error("not a number: {0:?} (write it like 1250.00)")]
    Malformed(String),
    #[error("{input} has more than {decimals} decimal places")]
    TooPrecise { input: String, decimals: u8 },
    #[error("amount {0} is too large")]
    TooLarge(String),
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
    let cleaned: String = trimmed.chars().filter(|c| *c != ',' && *c != '_').collect();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return Err(AmountError::Malformed(trimmed.into()));
    }
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
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_large())?
    };
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

/// Formats base units with exactly `decimals` places, e.g. `1250.00` for a 2-decimal mint.
pub fn format_amount(units: u64, decimals: u8) -> String {
    if decimals == 0 {
        return units.to_string();
    }
    let text = format!("{units:0>width$}", width = usize::from(decimals) + 1);
    let (whole, fraction) = text.split_at(text.len() - usize::from(decimals));
    format!("{whole}.{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_amounts_exactly() {
        assert_eq!(parse_amount("1250.00", 6), Ok(1_250_000_000));
        assert_eq!(parse_amount("1,250.5", 2), Ok(125_050));
        assert_eq!(parse_amount(".25", 2), Ok(25));
        assert_eq!(parse_amount("7", 0), Ok(7));
        assert_eq!(parse_amount("18446744073709.551615", 6), Ok(u64::MAX));
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
            parse_amount("12a", 6),
            Err(AmountError::Malformed("12a".into()))
        );
        assert_eq!(
            parse_amount("1.2.3", 6),
            Err(AmountError::Malformed("1.2.3".into()))
        );
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
    fn formats_with_all_decimals() {
        assert_eq!(format_amount(1_250_000_000, 6), "1250.000000");
        assert_eq!(format_amount(125_000, 2), "1250.00");
        assert_eq!(format_amount(5, 2), "0.05");
        assert_eq!(format_amount(42, 0), "42");
    }
}
