//! Builds the verifier (`verifier/`) for the browser: the same Rust that `pubspend verify` runs, compiled to
//! WebAssembly, which the explorer serves at `/verify.wasm` for a reader's browser to replay an agency's chain
//! from raw RPC answers. It is built by a nested cargo into a target directory of its own under OUT_DIR (the
//! outer build's directory stays locked by the outer cargo), in release: a small module, fast in the browser.
//! Without the `wasm32-unknown-unknown` target (`rustup target add wasm32-unknown-unknown`; `.ci/run` adds it)
//! the explorer is built without it, says so, and the page's verify button explains why it cannot run.

use std::{env, path::PathBuf, process::Command};

fn main() {
    let manifest =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest
        .parent()
        .expect("the explorer is in the workspace")
        .to_path_buf();
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let wasm = out.join("verifier.wasm");
    for input in ["verifier/src", "verifier/Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(input).display());
    }
    println!("cargo:rerun-if-env-changed=PUBSPEND_SKIP_WASM");
    let target_installed = Command::new(env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .is_some_and(|sysroot| sysroot.join("lib/rustlib/wasm32-unknown-unknown").is_dir());
    if !target_installed || env::var_os("PUBSPEND_SKIP_WASM").is_some() {
        println!(
            "cargo:warning=the explorer is built without its in-browser verifier: `rustup target add wasm32-unknown-unknown` and build again"
        );
        std::fs::write(&wasm, b"").expect("OUT_DIR is writable");
        return;
    }
    let target_dir = out.join("verifier-target");
    let mut cargo = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo
        .current_dir(&root)
        .args([
            "build",
            "--package",
            "public-spending-verifier",
            "--lib",
            "--release",
        ])
        .args(["--target", "wasm32-unknown-unknown", "--target-dir"])
        .arg(&target_dir);
    // The outer build's settings are for the host (and, in CI, clippy wraps the workspace's crates): none of
    // them applies to a WebAssembly build.
    for name in [
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_WRAPPER",
        "CLIPPY_ARGS",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
    ] {
        cargo.env_remove(name);
    }
    let status = cargo.status().expect("cargo runs");
    assert!(
        status.success(),
        "building the verifier for wasm32-unknown-unknown failed"
    );
    let built = target_dir.join("wasm32-unknown-unknown/release/public_spending_verifier.wasm");
    std::fs::copy(&built, &wasm).expect("the verifier's module was built");
}
