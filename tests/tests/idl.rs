//! The committed IDL (`idl/public_spending.json`) must be what the program generates today.
//!
//! Builds the IDL through anchor-lang's `idl-build` path (the same JSON as `anchor idl build`) and compares it with
//! the committed file. `UPDATE_IDL=1 cargo test -p public-spending-tests --test idl` rewrites the file.

use std::path::PathBuf;

use anchor_lang_idl::build::IdlBuilder;

#[test]
fn committed_idl_is_up_to_date() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let program = root.join("programs/public_spending");
    let committed_path = root.join("idl/public_spending.json");
    // anchor-lang-idl would pass RUSTUP_TOOLCHAIN on as a literal "+{toolchain}" argument; the default is right.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    // The builder runs `cargo test __anchor_private_print_idl --features idl-build` in the program's folder. Run
    // over the whole workspace's unit-test binaries, in the workspace's target directory, it finds them already
    // built: this crate's dev-dependency turns `idl-build` on for every build, and .cargo/config.toml gives
    // anchor's compile-time settings the builder's values. Only the RUSTFLAGS the builder sets ("-A warnings")
    // would still change every crate's fingerprint; CARGO_ENCODED_RUSTFLAGS outranks RUSTFLAGS, so it carries
    // the flags this build was made with instead. Cargo releases the directory's lock before it runs the tests.
    // Cargo gives this test the package's variables (CARGO_MANIFEST_DIR, CARGO_PKG_NAME, ...); some build scripts
    // (ring's) rebuild when those change, and the outer build ran without them.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        let per_package = [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_BIN_",
            "CARGO_CRATE_",
        ]
        .iter()
        .any(|prefix| name.starts_with(prefix));
        if per_package || name == "CARGO_PRIMARY_PACKAGE" || name == "CARGO_TARGET_TMPDIR" {
            std::env::remove_var(name);
        }
    }
    if std::env::var_os("CARGO_ENCODED_RUSTFLAGS").is_none() {
        let outer = std::env::var("RUSTFLAGS").unwrap_or_default();
        let encoded = outer.split_whitespace().collect::<Vec<_>>().join("\x1f");
        std::env::set_var("CARGO_ENCODED_RUSTFLAGS", encoded);
    }
    // The outer build's target directory: CARGO_TARGET_DIR when it set one.
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let idl = IdlBuilder::new()
        .program_path(program)
        .cargo_args(vec![
            "--workspace".into(),
            "--lib".into(),
            "--target-dir".into(),
            target_dir.display().to_string(),
        ])
        .build()
        .expect("build the IDL from the program");
    let generated = serde_json::to_string_pretty(&idl).expect("serialize the IDL") + "\n";

    if std::env::var_os("UPDATE_IDL").is_some() {
        std::fs::write(&committed_path, &generated).expect("write the IDL");
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == generated,
        "idl/public_spending.json is stale: run `UPDATE_IDL=1 cargo test -p public-spending-tests --test idl` and commit it"
    );
}

/// The indexer decodes every event the program declares: the SDK's list of events is the IDL's, name for name and
/// discriminator for discriminator (an event missing from the list would be indexed as nothing, silently).
#[test]
fn the_sdk_decodes_every_event_of_the_idl() {
    use public_spending_sdk::LedgerEvent;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let idl: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("idl/public_spending.json")).expect("read the IDL"),
    )
    .expect("parse the IDL");
    let mut declared: Vec<(String, Vec<u8>)> = idl["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            let discriminator = e["discriminator"]
                .as_array()
                .expect("a discriminator")
                .iter()
                .map(|b| u8::try_from(b.as_u64().expect("a byte")).expect("a byte"))
                .collect();
            (
                e["name"].as_str().expect("a name").to_string(),
                discriminator,
            )
        })
        .collect();
    let mut decoded: Vec<(String, Vec<u8>)> = LedgerEvent::NAMES
        .iter()
        .zip(LedgerEvent::DISCRIMINATORS)
        .map(|(name, discriminator)| (name.to_string(), discriminator.to_vec()))
        .collect();
    declared.sort();
    decoded.sort();
    assert_eq!(decoded, declared);
}

/// An explorer decodes and explains everything from the IDL alone: every instruction, account and event is
/// documented there.
#[test]
fn every_instruction_account_and_event_is_documented_in_the_idl() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let idl: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("idl/public_spending.json")).expect("read the IDL"),
    )
    .expect("parse the IDL");
    let documented = |entry: &serde_json::Value| {
        entry["docs"]
            .as_array()
            .is_some_and(|docs| !docs.is_empty())
    };
    let types = idl["types"].as_array().expect("types");
    let type_of = |name: &str| {
        types
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("no type {name}"))
    };
    let mut missing = Vec::new();
    for ix in idl["instructions"].as_array().expect("instructions") {
        if !documented(ix) {
            missing.push(format!("instruction {}", ix["name"]));
        }
    }
    for (kind, list) in [("account", "accounts"), ("event", "events")] {
        for entry in idl[list].as_array().expect(list) {
            let name = entry["name"].as_str().expect("name");
            if !documented(type_of(name)) {
                missing.push(format!("{kind} {name}"));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented in the IDL: {missing:?}");
    for name in [
        "raise_flag",
        "respond_to_flag",
        "resolve_flag",
        "close_flag",
        "hold_award",
        "release_award",
        "reinstate_recipient",
        "propose_payout_wallet",
        "confirm_payout_wallet",
        "register_property",
        "update_property",
        "dispose_property",
    ] {
        assert!(
            idl["instructions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|ix| ix["name"] == name),
            "{name} missing from the IDL"
        );
    }
}
