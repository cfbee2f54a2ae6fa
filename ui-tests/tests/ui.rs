//! Compile-fail and compile-pass tests of `#[actor]`: every diagnostic the macro emits has a
//! `ui-tests/tests/ui/<the-mistake>.rs` with its `.stderr`. Refresh with `TRYBUILD=overwrite`, then
//! review the diff.
//!
//! `#[actor(serde)]` has its own folders: `ui/serde/` runs with the `serde` feature on,
//! `ui/serde-off/` with it off (trybuild builds the cases with this test's features, so
//! `cargo test -p aplay-ui-tests` runs the second, `--all-features` the first). This test is
//! the package `aplay-ui-tests` (`ui-tests/`), whose dependencies are only what the cases
//! use: trybuild builds them again for its cases.
//!
//! The snapshots hold rustc's wording: they were made with the rustc in `ui-tests/rustc-version`
//! (see `ui-tests/README.md`). With another one, a failure may be wording only, and the test
//! says so.

use std::process::Command;

#[test]
fn ui() {
    // Declared before the cases, so dropped after them: trybuild runs them when dropped.
    let _hint = ToolchainHint::new();
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/*.rs");
    #[cfg(feature = "serde")]
    {
        t.pass("tests/ui/serde/pass/*.rs");
        t.compile_fail("tests/ui/serde/*.rs");
    }
    #[cfg(not(feature = "serde"))]
    t.compile_fail("tests/ui/serde-off/*.rs");
}

/// On a failure, says whether the running rustc is the one the snapshots were made with.
struct ToolchainHint {
    /// `(recorded, running)` when they differ.
    mismatch: Option<(String, String)>,
}

impl ToolchainHint {
    fn new() -> Self {
        let recorded = include_str!("../rustc-version").trim().to_owned();
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
        let running = Command::new(&rustc)
            .arg("--version")
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .unwrap_or_default();
        // `rustc 1.95.0 (59807616e 2026-04-14)`: the second word.
        let version = running.split_whitespace().nth(1).unwrap_or("unknown");
        let mismatch = (version != recorded).then(|| (recorded, running.trim().to_owned()));
        if let Some((recorded, running)) = &mismatch {
            eprintln!("note: the UI snapshots were made with rustc {recorded}; this is {running}");
        }
        ToolchainHint { mismatch }
    }
}

impl Drop for ToolchainHint {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        if let Some((recorded, running)) = &self.mismatch {
            eprintln!(
                "\nhint: the .stderr snapshots were made with rustc {recorded}, and this is \
                 {running}: a mismatch above may be rustc's wording only. Run the tests with \
                 rustc {recorded}, or refresh the snapshots (TRYBUILD=overwrite, see \
                 ui-tests/README.md) and review the diff.\n"
            );
        }
    }
}
