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
    let target_dir = root.join("target/idl-build");
    let idl = IdlBuilder::new()
        .program_path(program)
        .cargo_args(vec![
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
