//! Nothing here: the package exists for its test, `tests/ui.rs` (the compile-fail and
//! compile-pass tests of `#[actor]`). trybuild builds the cases against this library, which
//! is how the package's `serde` feature reaches aplay's.
