//! Rules that involve several handlers, or the handle the ref dereferences to.

use std::collections::HashMap;

use crate::ctxt::Ctxt;
use crate::model::{ActorImpl, Method, Stub};

/// Methods of `ActorRef` (and of the std traits it implements) that a handler of the same name
/// would be hidden behind: `r.stop()` would call `ActorRef::stop`, not the handler.
const REF_METHODS: &[&str] = &[
    "stop",
    "kill",
    "join",
    "path",
    "name",
    "is_alive",
    "clone",
    "clone_from",
    "to_owned",
    "into",
    "try_into",
    "deref",
    "borrow",
    "borrow_mut",
    "type_id",
    "eq",
    "ne",
    "hash",
    "fmt",
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
            if REF_METHODS.contains(&name.as_str()) {
                // A rejected method needs no stub (calls find the ref's method), nor a second
                // error: once fixed, it may well be `#[skip]`.
                if matches!(method, Method::Rejected(_)) {
                    return None;
                }
                cx.error_spanned_by(
                    ident,
                    format!(
                        "a handler named `{name}` would be hidden by `ActorRef::{name}`, which `ref.{name}()` calls; \
                         rename the handler (say `{name}_job`)"
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
