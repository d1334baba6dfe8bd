//! Parsing what people type: keys, amounts, codes, dates, hashes and roles. Every error names the bad input.

use std::path::Path;

use anchor_lang::prelude::Pubkey;
use public_spending::constants::*;

use crate::{error::CliResult, fail};

pub fn pubkey(input: &str) -> CliResult<Pubkey> {
    match input.parse() {
        Ok(key) => Ok(key),
        Err(_) => fail!("{input:?} is not a public key (base58, 32 bytes)"),
    }
}

/// A TAS written `MAIN-SUB`, e.g. `0100-000`.
pub fn tas(input: &str) -> CliResult<([u8; MAIN_ACCOUNT_LEN], [u8; SUB_ACCOUNT_LEN])> {
    let parts = input.split_once('-').and_then(|(main, sub)| {
        let main: [u8; MAIN_ACCOUNT_LEN] = main.as_bytes().try_into().ok()?;
        let sub: [u8; SUB_ACCOUNT_LEN] = sub.as_bytes().try_into().ok()?;
        (main.iter().chain(&sub).all(u8::is_ascii_digit)).then_some((main, sub))
    });
    match parts {
        Some(parts) => Ok(parts),
        None => fail!("{input:?} is not a Treasury Account Symbol: write MAIN-SUB, e.g. 0100-000"),
    }
}

pub fn uei(input: &str) -> CliResult<[u8; UEI_LEN]> {
    match <[u8; UEI_LEN]>::try_from(input.as_bytes()) {
        Ok(uei)
            if uei
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
        {
            Ok(uei)
        }
        _ => fail!("{input:?} is not a UEI: exactly 12 upper-case letters or digits"),
    }
}

pub fn digits<const N: usize>(input: &str, what: &str) -> CliResult<[u8; N]> {
    match <[u8; N]>::try_from(input.as_bytes()) {
        Ok(code) if code.iter().all(u8::is_ascii_digit) => Ok(code),
        _ => fail!("{input:?} is not a {what}: exactly {N} digits"),
    }
}

/// A 32-byte hash written in hex (64 characters).
pub fn hash(input: &str) -> CliResult<[u8; 32]> {
    let bytes: Option<Vec<u8>> = (input.len() == 64)
        .then(|| {
            (0..32)
                .map(|i| u8::from_str_radix(&input[2 * i..2 * i + 2], 16).ok())
                .collect()
        })
        .flatten();
    match bytes.and_then(|b| <[u8; 32]>::try_from(b).ok()) {
        Some(hash) => Ok(hash),
        None => fail!("{input:?} is not a sha256 hash (64 hex characters)"),
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// sha256 of a file's contents: documents and invoices stay off chain, their hashes go on it.
pub fn file_hash(path: &Path) -> CliResult<[u8; 32]> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(solana_sha256_hasher::hash(&bytes).to_bytes()),
        Err(err) => fail!("cannot read {}: {err}", path.display()),
    }
}

/// A hash given directly (`--*-hash`) or as the sha256 of a file; exactly one is required.
pub fn hash_or_file(
    hash_arg: Option<&str>,
    file: Option<&Path>,
    what: &str,
) -> CliResult<[u8; 32]> {
    match (hash_arg, file) {
        (Some(h), None) => hash(h),
        (None, Some(f)) => file_hash(f),
        _ => fail!("give the {what} as a file or as its sha256 hash (exactly one)"),
    }
}

/// Unix seconds at 00:00 UTC of a `YYYY-MM-DD` date.
pub fn date(input: &str) -> CliResult<i64> {
    let parts: Vec<&str> = input.split('-').collect();
    let parsed = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            match (y.parse::<i64>(), m.parse::<i64>(), d.parse::<i64>()) {
                (Ok(y), Ok(m), Ok(d)) if (1..=12).contains(&m) && (1..=31).contains(&d) => {
                    Some((y, m, d))
                }
                _ => None,
            }
        }
        _ => None,
    };
    let Some((y, m, d)) = parsed else {
        fail!("{input:?} is not a date: write YYYY-MM-DD")
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Ok((era * 146_097 + doe - 719_468) * 86_400)
}

/// Role names to bits: `budget,obligate,request,approve,execute` (or `all`).
pub fn roles(input: &str) -> CliResult<u8> {
    let mut bits = 0u8;
    for name in input.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        bits |= match name.to_ascii_lowercase().as_str() {
            "budget" => ROLE_BUDGET,
            "obligate" => ROLE_OBLIGATE,
            "request" => ROLE_REQUEST,
            "approve" => ROLE_APPROVE,
            "execute" => ROLE_EXECUTE,
            "all" => ALL_ROLES,
            other => fail!("unknown role {other:?}: roles are budget, obligate, request, approve, execute, all"),
        };
    }
    Ok(bits)
}

pub fn role_names(bits: u8) -> String {
    let names: Vec<&str> = [
        (ROLE_BUDGET, "budget"),
        (ROLE_OBLIGATE, "obligate"),
        (ROLE_REQUEST, "request"),
        (ROLE_APPROVE, "approve"),
        (ROLE_EXECUTE, "execute"),
    ]
    .iter()
    .filter(|(bit, _)| bits & bit != 0)
    .map(|(_, name)| *name)
    .collect();
    if names.is_empty() {
        "-".into()
    } else {
        names.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_midnights() {
        assert_eq!(date("1970-01-01").unwrap(), 0);
        assert_eq!(date("2026-10-01").unwrap(), 1_790_812_800);
        assert!(date("2026-13-01").is_err() && date("26-10-01").is_err());
    }

    #[test]
    fn codes_and_roles_parse_strictly() {
        assert_eq!(tas("0100-000").unwrap(), (*b"0100", *b"000"));
        assert!(tas("01000-00").is_err());
        assert!(uei("abcdefghijkl").is_err());
        assert_eq!(
            roles("request, approve").unwrap(),
            ROLE_REQUEST | ROLE_APPROVE
        );
        assert!(roles("auditor").unwrap_err().0.contains("unknown role"));
        assert_eq!(role_names(ROLE_BUDGET | ROLE_EXECUTE), "budget,execute");
    }
}
