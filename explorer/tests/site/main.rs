//! The explorer over the demo's fiscal year, served on a free loopback port and read over HTTP as a browser
//! reads it: every kind of page shows what the scenario's own books say, every list downloads with its rows and
//! digest, bad input is a 400 or 404 page with its message, and a vendor's name is text, never markup.

mod browser;
mod live;
mod verify;

use std::{
    collections::BTreeMap,
    sync::{mpsc, Arc, OnceLock},
};

use public_spending_explorer::Explorer;
use public_spending_scenario::fiscal_year::{self, AgencyBooks, AwardBooks, Payment};
use public_spending_sdk::amount::format_grouped;
use public_spending_watchdog::{index, Location, Store};
use sha2::{Digest, Sha256};

/// The served year: its address, what the scenario recorded, and the explorer behind it.
pub struct Site {
    pub url: String,
    pub agencies: Vec<AgencyBooks>,
    pub awards: Vec<AwardBooks>,
    pub payments: Vec<Payment>,
    pub decimals: u8,
    pub explorer: Arc<Explorer>,
    pub db: std::path::PathBuf,
}

/// The fiscal year played, indexed and served once for the whole test binary, on a thread of its own that
/// serves until the binary exits.
pub fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async move {
                let options = fiscal_year::Options {
                    payments_per_month: 1,
                    ..fiscal_year::Options::default()
                };
                let year = fiscal_year::play(options, &|_| {}).await.unwrap();
                let dir = tempfile::tempdir().unwrap().keep();
                let db = dir.join("index.sqlite");
                let mut store = Store::open(Location::Sqlite(db.clone())).unwrap();
                index::index(&year.chain, &mut store, |_| {}).await.unwrap();
                drop(store);
                let explorer = Arc::new(
                    Explorer::open(Location::Sqlite(db.clone()), Some("devnet".into())).unwrap(),
                );
                let listener = public_spending_explorer::bind("127.0.0.1:0".parse().unwrap())
                    .await
                    .unwrap();
                let url = format!("http://{}", listener.local_addr().unwrap());
                send.send(Site {
                    url,
                    agencies: year.agencies.clone(),
                    awards: year.awards.clone(),
                    payments: year.payments.clone(),
                    decimals: year.decimals,
                    explorer: Arc::clone(&explorer),
                    db,
                })
                .unwrap();
                public_spending_explorer::serve(listener, explorer, std::future::pending())
                    .await
                    .unwrap();
            });
        });
        receive.recv().expect("the site starts")
    })
}

/// A GET: status, headers, body.
pub async fn get(path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let response = reqwest::get(format!("{}{path}", site().url)).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// The text of a page with its tags removed and entities of the characters it escapes read back.
fn text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
}

fn money(units: u64) -> String {
    format_grouped(units, site().decimals)
}

#[tokio::test]
async fn the_home_page_names_the_ledger_and_every_agencys_budget_chain() {
    let site = site();
    let (status, _, html) = get("/").await;
    assert_eq!(status, 200);
    let page = text(&html);
    let snapshot = site.explorer.snapshot();
    for part in [
        &snapshot.identity.program,
        &snapshot.identity.ledger,
        &snapshot.identity.genesis_hash,
    ] {
        assert!(!part.is_empty() && page.contains(part.as_str()), "{part}");
    }
    for books in &site.agencies {
        let row = format!(
            "{} {}{}{}{}{}{}yes",
            books.code,
            books.name,
            money(books.budget_authority),
            money(books.allotted),
            money(books.obligated),
            money(books.outlayed),
            books.payments
        );
        assert!(
            page.split_whitespace()
                .collect::<String>()
                .contains(&row.split_whitespace().collect::<String>()),
            "agency {} row {row:?} not on the home page",
            books.code
        );
    }
}

#[tokio::test]
async fn an_agency_page_lists_its_budget_months_members_and_payments() {
    let site = site();
    let books = &site.agencies[0];
    let (status, _, html) = get(&format!("/agency/{}?per_page=500", books.code)).await;
    assert_eq!(status, 200);
    let page = text(&html);
    let paid: Vec<&Payment> = site
        .payments
        .iter()
        .filter(|p| p.agency == books.code)
        .collect();
    assert_eq!(paid.len() as u64, books.payments);
    assert!(
        page.contains(&format!("Rows 1 to {} of {}.", paid.len(), paid.len())),
        "{page}"
    );
    for p in &paid {
        assert!(
            html.contains(&format!("/payment/{}", p.signature)),
            "{}",
            p.signature
        );
    }
    // The months' table adds up to the agency's outlays.
    assert!(page.contains("Payments by month") && page.contains("Members and their history"));
    let months: u64 = html
        .split("<th scope=\"row\">20")
        .skip(1)
        .filter_map(|row| row.split("<td class=\"n\">").nth(1))
        .filter_map(|cell| cell.split('<').next())
        .filter_map(|count| count.parse::<u64>().ok())
        .sum();
    assert_eq!(months, books.payments);
}

#[tokio::test]
async fn an_award_page_shows_its_obligation_and_a_timeline_of_every_payment() {
    let site = site();
    let award = site.awards.iter().max_by_key(|a| a.payments).unwrap();
    let path = format!("/award/{}/{}", award.agency, award.award_id);
    let (status, _, html) = get(&path).await;
    assert_eq!(status, 200, "{path}");
    let page = text(&html);
    assert!(
        page.contains(&format!("Obligated{}", money(award.obligated))),
        "{page}"
    );
    assert!(page.contains(&format!("Outlayed{}", money(award.outlayed))));
    assert!(page.contains("Recipient") && page.contains(&award.recipient));
    let executed = page.matches(" executed on the ").count();
    assert_eq!(
        executed as u32, award.payments,
        "one timeline line per payment"
    );
}

#[tokio::test]
async fn a_payment_page_decodes_the_transaction_and_links_the_clusters_explorer() {
    let site = site();
    let payment = site
        .payments
        .iter()
        .find(|p| !p.signature.is_empty())
        .unwrap();
    let (status, _, html) = get(&format!("/payment/{}", payment.signature)).await;
    assert_eq!(status, 200);
    let page = text(&html);
    assert!(page.contains(&payment.signature));
    assert!(
        page.contains(&format!("Amount{}", money(payment.amount))),
        "{page}"
    );
    assert!(page.contains("PaymentExecuted"));
    // The two chain heads the page shows are linked by this payment's record: after = sha256(before || record).
    let record = payment.record.as_ref().unwrap();
    let head = |label: &str| {
        let at = page.find(label).unwrap() + label.len();
        page[at..at + 64].to_string()
    };
    let (before, after) = (head("Hash chain before"), head("Hash chain after"));
    let mut folded = Sha256::new();
    folded.update(hex::decode(&before).unwrap());
    folded.update(hex::decode(&record.canonical_hex).unwrap());
    assert_eq!(hex::encode(folded.finalize()), after);
    assert!(html.contains(&format!(
        "https://explorer.solana.com/tx/{}?cluster=devnet",
        payment.signature
    )));
}

#[tokio::test]
async fn a_recipient_page_lists_its_records_and_payments() {
    let site = site();
    let uei = &site.payments[0].recipient;
    let (status, _, html) = get(&format!("/recipient/{uei}")).await;
    assert_eq!(status, 200);
    let count = site.payments.iter().filter(|p| &p.recipient == uei).count();
    assert!(
        text(&html).contains(&format!("of {count}.")),
        "{count} payments"
    );
}

#[tokio::test]
async fn findings_flags_and_property_pages_render_with_their_records() {
    let site = site();
    let snapshot = site.explorer.snapshot();
    assert!(!snapshot.findings.is_empty());
    let (status, _, html) = get("/findings").await;
    assert_eq!(status, 200);
    for finding in &snapshot.findings {
        assert!(html.contains(&format!("/findings/{}", finding.id)));
    }
    let finding = &snapshot.findings[0];
    let (status, _, html) = get(&format!("/findings/{}", finding.id)).await;
    assert_eq!(status, 200);
    for record in &finding.records {
        assert!(html.contains(&format!("/payment/{record}")));
    }
    let (status, _, html) = get("/flags").await;
    assert_eq!(status, 200);
    assert_eq!(
        html.matches("<tr><td>").count(),
        snapshot.flags.len(),
        "one row per flag ever raised"
    );
    let (address, property) = snapshot.state.properties.iter().next().unwrap();
    let code = snapshot.state.agency_code(&property.agency);
    let (status, _, html) = get(&format!("/property/{code}/{}", property.rpuid)).await;
    assert_eq!(status, 200, "{address}");
    assert!(text(&html).contains("Cost per unit of size"));
}

#[tokio::test]
async fn search_filters_live_in_the_url_and_pages_cover_every_row() {
    let site = site();
    let code = site.agencies[1].code;
    let expected: Vec<&Payment> = site
        .payments
        .iter()
        .filter(|p| p.agency == code && p.amount >= 1_000 * 100)
        .collect();
    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let (status, _, html) = get(&format!(
            "/search?agency={code}&min=1000&per_page=7&page={page}"
        ))
        .await;
        assert_eq!(status, 200);
        let rows: Vec<String> = html
            .split("href=\"/payment/")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .map(str::to_string)
            .collect();
        assert!(rows.len() <= 7);
        seen.extend(rows);
        if !html.contains("rel=\"next\"") {
            break;
        }
        assert!(
            html.contains(&format!("page={}", page + 1)),
            "the next link keeps the filters"
        );
        page += 1;
    }
    let mut want: Vec<String> = expected.iter().map(|p| p.signature.clone()).collect();
    want.sort();
    seen.sort();
    assert_eq!(seen, want);
    // The form shows the filters it was given.
    let (_, _, html) = get(&format!("/search?agency={code}&min=1000")).await;
    assert!(html.contains(&format!("id=\"agency\" name=\"agency\" value=\"{code}\"")));
}

#[tokio::test]
async fn a_download_holds_every_row_of_the_view_with_the_slot_and_its_sha256() {
    let site = site();
    let code = site.agencies[0].code;
    let (status, headers, csv) = get(&format!("/agency/{code}?format=csv")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let digest = hex::encode(Sha256::digest(csv.as_bytes()));
    assert_eq!(headers["x-content-sha256"], digest.as_str());
    assert_eq!(
        headers["x-index-slot"],
        site.explorer.snapshot().identity.slot.to_string().as_str()
    );
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let columns: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let at = |name: &str| columns.iter().position(|c| c == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r[at("signature")].to_string(), r[at("amount")].to_string()))
        .collect();
    let mut want: Vec<(String, String)> = site
        .payments
        .iter()
        .filter(|p| p.agency == code)
        .map(|p| {
            (
                p.signature.clone(),
                public_spending_sdk::amount::format_amount(p.amount, site.decimals),
            )
        })
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);

    // JSON: the same rows; and a view pinned before the first payment holds none.
    let (status, _, json) = get(&format!("/agency/{code}?format=json")).await;
    assert_eq!(status, 200);
    let parsed: Vec<BTreeMap<String, serde_json::Value>> = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed.len(), rows.len());
    let first_slot = parsed
        .iter()
        .filter_map(|r| r["slot"].as_u64())
        .min()
        .unwrap();
    let (_, _, pinned) = get(&format!(
        "/agency/{code}?format=json&as_of_slot={}",
        first_slot.saturating_sub(1)
    ))
    .await;
    let pinned: Vec<serde_json::Value> = serde_json::from_str(&pinned).unwrap();
    assert!(pinned.len() < parsed.len());
}

/// Every parameter is checked: a bad one is a 400 page naming it, an unknown thing a 404 page; never a 500.
#[tokio::test]
async fn bad_input_is_a_400_or_404_page_with_its_message() {
    let cases: [(&str, u16, &str); 16] = [
        ("/agency/999", 404, "no agency 999 on this ledger"),
        ("/agency/7x", 400, "\"7x\" is not an agency code"),
        (
            "/award/075/NO-SUCH-AWARD",
            404,
            "agency 075 has no award \"NO-SUCH-AWARD\"",
        ),
        ("/recipient/abc", 400, "\"abc\" is not a UEI"),
        (
            "/recipient/ZZZZZZZZZZZZ",
            404,
            "no agency of this ledger has registered UEI ZZZZZZZZZZZZ",
        ),
        (
            "/payment/nope",
            400,
            "\"nope\" is not a transaction signature",
        ),
        (
            "/payment/1111111111111111111111111111111111111111111111111111111111111111",
            404,
            "the index holds no event of transaction",
        ),
        (
            "/search?from=2026-05-01&to=2026-01-01",
            400,
            "the date range is inverted",
        ),
        (
            "/search?from=2026-02-30",
            400,
            "from=\"2026-02-30\" is not a date",
        ),
        ("/search?min=10&max=5", 400, "the amount range is inverted"),
        (
            "/search?per_page=100000",
            400,
            "per_page=100000: a page lists 1 to 500 rows",
        ),
        ("/search?page=0", 400, "pages are numbered from 1"),
        (
            "/search?path=teleport",
            400,
            "path=\"teleport\" is not a payment path",
        ),
        (
            "/search?finding=gossip",
            400,
            "finding=\"gossip\" is not a check",
        ),
        ("/search?bogus=1", 400, "unknown parameter \"bogus\""),
        ("/no/such/page", 404, "no page here"),
    ];
    for (path, status, message) in cases {
        let (got, headers, html) = get(path).await;
        assert_eq!(got, status, "{path}");
        assert_eq!(
            headers["content-type"], "text/html; charset=utf-8",
            "{path}"
        );
        assert!(
            text(&html).contains(message),
            "{path}: {message:?} not in {html}"
        );
    }
}

/// What a reader types comes back as text: the search box echoes `<script>` escaped, never as markup.
#[tokio::test]
async fn a_script_in_the_query_is_echoed_as_text() {
    let (status, _, html) = get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert(1)"));
    assert!(
        html.contains("value=\"&#60;script&#62;alert(1)&#60;/script&#62;\""),
        "{html}"
    );
}

/// The explorer's download of every payment has the rows `pubspend export ocds` publishes: the same transactions,
/// award ids and payment numbers, and amounts.
#[tokio::test]
async fn the_payments_download_has_the_rows_of_the_ocds_export() {
    let site = site();
    let store = Store::open_existing(Location::Sqlite(site.db.clone())).unwrap();
    let options = public_spending_watchdog::export::OcdsOptions {
        ocid_prefix: "ocds-test".into(),
    };
    let package = public_spending_watchdog::export::ocds(&store, 0, &options).unwrap();
    let mut exported: Vec<(String, String, String)> = package["releases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|release| release["contracts"].as_array().cloned().unwrap_or_default())
        .flat_map(|contract| {
            contract["implementation"]["transactions"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|t| {
            (
                t["source"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("solana:")
                    .to_string(),
                t["id"].as_str().unwrap().to_string(),
                format!("{:.2}", t["value"]["amount"].as_f64().unwrap()),
            )
        })
        .collect();
    let (status, _, json) = get("/search?format=json").await;
    assert_eq!(status, 200);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let mut listed: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["signature"].as_str().unwrap().to_string(),
                format!("{}-{}", r["award_id"].as_str().unwrap(), r["payment_index"]),
                r["amount"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    exported.sort();
    listed.sort();
    assert_eq!(listed.len(), site.payments.len());
    assert_eq!(listed, exported);
}
