//! The pages in a real browser: Debian's Chromium, driven by playwright-core (`tests/browser/check.mjs`), checks
//! every page template with axe-core (WCAG 2.2 AA: zero violations), renders each without JavaScript, and walks
//! search -> award -> payment with the keyboard alone. `.ci/run` installs Chromium and the two npm packages.

use std::path::{Path, PathBuf};

use public_spending_tests::{external_program, prerequisite_missing};

use super::site;

const INSTALL: &str =
    "apt-get install chromium nodejs npm && npm ci --prefix explorer/tests/browser";

fn browser_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// One path of every page template: home, agency, award, recipient, payment, property, flags, findings, a
/// finding, search (with results) and an error page.
fn every_template() -> Vec<String> {
    let site = site();
    let snapshot = site.explorer.snapshot();
    let payment = site
        .payments
        .iter()
        .find(|p| !p.signature.is_empty())
        .unwrap();
    let award = &site.awards[0];
    let property = snapshot.state.properties.values().next().unwrap();
    vec![
        "/".into(),
        format!("/agency/{}", site.agencies[0].code),
        format!("/award/{}/{}", award.agency, award.award_id),
        format!("/recipient/{}", payment.recipient),
        format!("/payment/{}", payment.signature),
        format!(
            "/property/{}/{}",
            snapshot.state.agency_code(&property.agency),
            property.rpuid
        ),
        "/flags".into(),
        "/findings".into(),
        format!("/findings/{}", snapshot.findings[0].id),
        format!("/search?q={}", award.award_id),
        "/agency/999".into(),
    ]
}

#[test]
fn every_page_passes_axe_renders_without_javascript_and_walks_by_keyboard() {
    const TEST: &str = "every_page_passes_axe_renders_without_javascript_and_walks_by_keyboard";
    let Some(node) = external_program("node", TEST, INSTALL) else {
        return;
    };
    if external_program("chromium", TEST, INSTALL).is_none() {
        return;
    }
    if !browser_folder()
        .join("node_modules/playwright-core")
        .is_dir()
    {
        prerequisite_missing(TEST, "playwright-core is not installed", INSTALL);
        return;
    }
    let site = site();
    let paths = every_template();
    let award = &site.awards[0];
    let shot = tempfile::tempdir().unwrap();
    let screenshot = shot.path().join("home.png");
    let output = std::process::Command::new(node)
        .current_dir(browser_folder())
        .env("WALK_WORD", &award.award_id)
        .arg("check.mjs")
        .arg(&site.url)
        .arg(&screenshot)
        .args(&paths)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "check.mjs: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "check.mjs printed no report ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(report["errors"], serde_json::json!([]), "{report}");
    let pages = report["pages"].as_array().unwrap();
    assert_eq!(pages.len(), paths.len());
    for page in pages {
        let expected = if page["path"] == "/agency/999" {
            404
        } else {
            200
        };
        assert_eq!(page["status"], expected, "{page}");
        assert_eq!(
            page["violations"],
            serde_json::json!([]),
            "axe on {}",
            page["path"]
        );
    }
    let plain = report["without_javascript"].as_array().unwrap();
    assert_eq!(plain.len(), paths.len());
    assert!(
        plain
            .iter()
            .all(|p| p["h1"].as_str().is_some_and(|h| !h.is_empty())),
        "{report}"
    );
    // search -> results -> the award -> one of its payments, by Tab and Enter alone.
    let walk: Vec<&str> = report["walk"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u.as_str())
        .collect();
    assert_eq!(walk.len(), 4, "{walk:?}");
    assert!(
        walk[1].contains(&format!("/search?q={}", award.award_id)),
        "{walk:?}"
    );
    assert!(
        walk[2].ends_with(&format!("/award/{}/{}", award.agency, award.award_id)),
        "{walk:?}"
    );
    assert!(walk[3].contains("/payment/"), "{walk:?}");
    let png = std::fs::read(&screenshot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a screenshot of the home page"
    );
}
