//! Compile-fail and compile-pass tests of `#[actor]`: every diagnostic the macro emits has a
//! `ui-tests/tests/ui/<the-mistake>.rs` with its `.stderr`. Refresh with `TRYBUILD=overwrite`, then
//! review the diff.
//!
//! `#[actor(serde)]` has its own folders: `ui/serde/` runs with the `serde` feature on,
//! `ui/serde-off/` with it off (trybuild builds the cases with this test's features, so
//! `cargo test -p aplay-ui-tests` runs the second, `--all-features` the first). This test is
//! the package `aplay-ui-tests` (`ui-tests/`), whose dependencies are only what the cases
//! use: trybuild builds them again for its cases.

#[test]
fn ui() {
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
