//! A list as a file: every row of the view (no page cap) in CSV or JSON, written in chunks as the response is
//! sent, so memory does not grow with the download. The headers name the index's slot and the file's sha256
//! (`X-Index-Slot`, `Repr-Digest`, `X-Content-Sha256`): the digest is computed over the same chunks before the
//! first byte is sent, so a citation can name the exact file.

use std::sync::Arc;

use axum::{
    body::Body,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{params::Format, Snapshot};

/// Rows written per chunk.
const CHUNK: usize = 1_000;

/// Picks row `i` of a list out of the snapshot.
pub type Pick<T> = fn(&Snapshot, usize) -> &T;

/// The response for `rows` (indices into the snapshot, read through `pick`) as `format`, named `name`.
pub fn respond<T: Serialize + 'static>(
    snapshot: Arc<Snapshot>,
    rows: Vec<usize>,
    pick: Pick<T>,
    format: Format,
    name: &str,
) -> Response {
    let mut digest = Sha256::new();
    let chunks = rows.len().div_ceil(CHUNK).max(1);
    for n in 0..chunks {
        match chunk(&snapshot, &rows, pick, format, n) {
            Ok(bytes) => digest.update(&bytes),
            Err(message) => {
                return (StatusCode::INTERNAL_SERVER_ERROR, message).into_response();
            }
        }
    }
    let sha256 = digest.finalize();
    let slot = snapshot.identity.slot;
    let stream = futures_util::stream::iter((0..chunks).map(move |n| {
        chunk(&snapshot, &rows, pick, format, n)
            .map(bytes::Bytes::from)
            .map_err(std::io::Error::other)
    }));
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        _ => ("application/json", "json"),
    };
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let values = [
        (
            "content-disposition",
            format!("attachment; filename=\"{name}.{extension}\""),
        ),
        ("x-index-slot", slot.to_string()),
        (
            "repr-digest",
            format!(
                "sha-256=:{}:",
                base64::engine::general_purpose::STANDARD.encode(sha256)
            ),
        ),
        ("x-content-sha256", hex::encode(sha256)),
    ];
    for (name, value) in values {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

/// Chunk `n` of the file: CSV rows (the header first), or a piece of the JSON array.
fn chunk<T: Serialize>(
    snapshot: &Snapshot,
    rows: &[usize],
    pick: Pick<T>,
    format: Format,
    n: usize,
) -> Result<Vec<u8>, String> {
    let start = n * CHUNK;
    let part = rows
        .get(start..(start + CHUNK).min(rows.len()))
        .unwrap_or(&[]);
    let last = (n + 1) * CHUNK >= rows.len();
    match format {
        Format::Csv => {
            let mut writer = csv::WriterBuilder::new()
                .has_headers(n == 0)
                .from_writer(Vec::new());
            if part.is_empty() && n == 0 {
                // An empty list still names its columns.
                return Ok(Vec::new());
            }
            for &i in part {
                writer
                    .serialize(pick(snapshot, i))
                    .map_err(|e| e.to_string())?;
            }
            writer.into_inner().map_err(|e| e.to_string())
        }
        _ => {
            let mut out = Vec::new();
            if n == 0 {
                out.push(b'[');
            }
            for (k, &i) in part.iter().enumerate() {
                if start + k > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut out, pick(snapshot, i)).map_err(|e| e.to_string())?;
            }
            if last {
                out.push(b']');
            }
            Ok(out)
        }
    }
}
