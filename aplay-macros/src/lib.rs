//! The `#[actor]` attribute of [aplay](https://docs.rs/aplay). Its documentation lives in the
//! `aplay` crate, which re-exports it; generated code reaches the runtime only through
//! `::aplay::__private` (or `#[actor(crate = path)]`).
//!
//! One file per stage: `attr` reads the attribute's options and the markers on methods,
//! `parse` builds the `model` from the item (collecting every error in a `ctxt::Ctxt`),
//! `valid` checks rules that involve several handlers, `expand` writes the code (from the
//! pieces: `message_enum`, `handle`, `dispatch`, and with `#[actor(serde)]` `wire` and
//! `serde_attrs`; `names` holds what they share), and `fallback` keeps the user's crate
//! compiling when something is wrong (the item as written, and a stub handle method for each
//! rejected handler), so one mistake is one error.

use proc_macro::TokenStream;

mod attr;
mod ctxt;
mod dispatch;
mod expand;
mod fallback;
mod handle;
mod message_enum;
mod model;
mod names;
mod parse;
mod serde_attrs;
mod valid;
mod wire;

/// Turns an `impl` block into an actor's messages, or gives a struct the default lifecycle.
/// See the `aplay` crate for the full documentation.
#[proc_macro_attribute]
pub fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::actor(args.into(), input.into()).into()
}
