//! Compile-fail and compile-pass tests of `#[actor]`: every diagnostic the macro emits has a
//! `tests/ui/<the-mistake>.rs` with its `.stderr`. Refresh with `TRYBUILD=overwrite`, then
//! review the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("../tests/ui/pass/*.rs");
    t.compile_fail("../tests/ui/*.rs");
}
