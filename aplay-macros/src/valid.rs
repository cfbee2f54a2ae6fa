//! Rules that involve several handlers, or the handle the ref dereferences to.

use std::collections::HashMap;

use crate::ctxt::Ctxt;
use crate::model::{ActorImpl, Method, Stub};

/// The names a handler cannot take: `ref.name()` would call a method of `ActorRef` (or of a
/// std trait in the prelude that every ref implements), never the handler. Each with what it
/// does, for the error. Kept as short as the ref allows: its own methods are the five a user
/// needs of any actor; the rest are associated functions (`ActorRef::send(&r, ..)`), which
/// hide nothing.
const REF_METHODS: &[(&str, &str)] = &[
    ("stop", "stops the actor as a person would"),
    ("kill", "stops the actor at once"),
    ("path", "is the actor's address"),
    ("is_alive", "says whether the actor still runs"),
    ("wait_stopped", "waits for the actor's end"),
    ("clone", "copies the ref (`Clone`)"),
    ("clone_from", "copies the ref (`Clone`)"),
    (
        "to_owned",
        "copies the ref (`ToOwned`, for every `Clone` type)",
    ),
    ("into", "converts the ref (`Into`, for every type)"),
    ("try_into", "converts the ref (`TryInto`, for every type)"),
    ("eq", "compares two refs (`PartialEq`)"),
    ("ne", "compares two refs (`PartialEq`)"),
];

/// Drops the methods that break a rule, recording why. A handler whose message would clash
/// with another's becomes a stub: its calls still type-check. A method named like a method of
/// the ref, or like one above, is dropped: calls resolve to the ref's method, or the first.
pub(crate) fn check(model: &mut ActorImpl, cx: &mut Ctxt) {
    let mut seen_methods = HashMap::new();
    let mut seen_variants = HashMap::new();
    let mut duplicates = Vec::new();
    let methods = std::mem::take(&mut model.methods);
    model.methods = methods
        .into_iter()
        .filter_map(|method| {
            let ident = method.ident();
            let name = ident.to_string();
            if let Some((_, does)) = REF_METHODS.iter().find(|(taken, _)| *taken == name) {
                // A rejected method needs no stub (calls find the ref's method), nor a second
                // error: once fixed, it may well be `#[skip]`.
                if matches!(method, Method::Rejected(_)) {
                    return None;
                }
                cx.error_spanned_by(
                    ident,
                    format!(
                        "a handler cannot be named `{name}`: on a ref, `ref.{name}()` {does}, and would \
                         never reach the handler; rename it (say `{name}_job`). The names taken are \
                         {}",
                        taken_names()
                    ),
                );
                return None;
            }
            if seen_methods.insert(name.clone(), ()).is_some() {
                cx.error_spanned_by(ident, format!("a handler named `{name}` is already defined above; rename one of them"));
                duplicates.push(ident.clone());
                return None;
            }
            let Method::Handler(handler) = method else {
                return Some(method);
            };
            let variant = handler.variant.to_string();
            if let Some(first) = seen_variants.insert(variant.clone(), name.clone()) {
                cx.error_spanned_by(
                    &handler.ident,
                    format!("`{first}` and `{name}` would both be the message `{variant}`; rename one of them"),
                );
                return Some(Method::Rejected(Stub::of(handler)));
            }
            Some(Method::Handler(handler))
        })
        .collect();
    // Leave the second definition out of the emitted block, so rustc does not report the
    // same mistake again.
    for ident in duplicates {
        let mut seen = 0;
        model.item.items.retain(|item| match item {
            syn::ImplItem::Fn(f) if f.sig.ident == ident => {
                seen += 1;
                seen != 2
            }
            _ => true,
        });
    }
}

/// The taken names, for the error: "`stop`, `kill`, ... and `ne`".
fn taken_names() -> String {
    let names: Vec<String> = REF_METHODS
        .iter()
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    let (last, rest) = names.split_last().expect("names are taken");
    format!("{} and {last}", rest.join(", "))
}
