//! The attribute's own options (`#[actor(crate = path, vis = pub(crate), serde)]`) and the
//! markers on methods (`#[skip]`, `#[handler(priority = high)]`).

use syn::parse::Parser;

use crate::ctxt::Ctxt;

/// Options of `#[actor(..)]`.
pub(crate) struct Options {
    /// The path of the facade crate, `::aplay` unless `crate = path` says otherwise.
    pub(crate) krate: syn::Path,
    /// The visibility of the generated enum and handle: `pub` unless `vis = ..` says otherwise.
    pub(crate) vis: syn::Visibility,
    /// `serde`: the message enum is serializable and the actor implements `Wire`. The
    /// option's own token, for the error when the facade's `serde` feature is off.
    pub(crate) serde: Option<syn::Ident>,
    /// `local`: the actor's state need not be `Send`; it runs on aplay's local thread, behind
    /// a `Local<Name>` shell. The option's own token, for errors.
    pub(crate) local: Option<syn::Ident>,
}

impl Options {
    pub(crate) fn parse(args: proc_macro2::TokenStream, cx: &mut Ctxt) -> Options {
        let mut krate: syn::Path = syn::parse_quote!(::aplay);
        let mut vis: syn::Visibility = syn::parse_quote!(pub);
        let mut serde: Option<syn::Ident> = None;
        let mut local: Option<syn::Ident> = None;
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("crate") {
                krate = meta.value()?.parse()?;
                Ok(())
            } else if meta.path.is_ident("vis") {
                vis = meta.value()?.parse()?;
                Ok(())
            } else if meta.path.is_ident("serde") {
                if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                    return Err(meta.error("`serde` takes no value; write `#[actor(serde)]`"));
                }
                if serde.is_some() {
                    return Err(meta.error("`serde` is given twice; write it once"));
                }
                serde = meta.path.get_ident().cloned();
                Ok(())
            } else if meta.path.is_ident("local") {
                // Taken as given even when misspelt, so that the one error is about the
                // spelling, not a cascade about a state that is not `Send`.
                let given_before = local.replace(meta.path.require_ident()?.clone()).is_some();
                if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                    return Err(meta.error("`local` takes no value; write `#[actor(local)]`"));
                }
                if given_before {
                    return Err(meta.error("`local` is given twice; write it once"));
                }
                Ok(())
            } else {
                Err(meta.error(
                    "unknown option of `#[actor]`; the options are `crate = path::to::aplay`, \
                     `vis = pub(crate)` (the visibility of the generated enum and handle), \
                     `serde` (serializable messages) and `local` (state that is not `Send`)",
                ))
            }
        });
        if let Err(error) = parser.parse2(args) {
            cx.syn_error(error);
        }
        Options {
            krate,
            vis,
            serde,
            local,
        }
    }
}

/// Whether a method carries the `#[skip]` marker, which keeps it out of the messages.
pub(crate) fn is_skip(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("skip")
}

/// Whether a method carries `#[handler(..)]`, the options of its message.
pub(crate) fn is_handler(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("handler")
}

/// Reads `#[handler(priority = high)]`: whether the handler's messages are high priority.
pub(crate) fn parse_handler(attr: &syn::Attribute, cx: &mut Ctxt) -> bool {
    const OPTIONS: &str = "`priority = high` (or `priority = normal`, the default)";
    let syn::Meta::List(list) = &attr.meta else {
        cx.error_spanned_by(
            attr,
            format!("`#[handler]` needs an option; it takes {OPTIONS}"),
        );
        return false;
    };
    let mut high = false;
    let parser = syn::meta::parser(|meta| {
        if !meta.path.is_ident("priority") {
            return Err(meta.error(format!(
                "unknown option of `#[handler]`; it takes {OPTIONS}"
            )));
        }
        let level: syn::Ident = meta.value()?.parse()?;
        if level == "high" {
            high = true;
        } else if level == "normal" {
            high = false;
        } else {
            return Err(syn::Error::new(
                level.span(),
                "unknown priority: write `high` or `normal`",
            ));
        }
        Ok(())
    });
    if let Err(error) = parser.parse2(list.tokens.clone()) {
        cx.syn_error(error);
    }
    high
}

/// Attributes copied from a handler onto what is generated for it: its docs and its `cfg`s.
pub(crate) fn is_carried(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("doc") || attr.path().is_ident("cfg")
}

/// Checks a `#[skip]` marker is bare.
pub(crate) fn check_skip(attr: &syn::Attribute, cx: &mut Ctxt) {
    if !matches!(attr.meta, syn::Meta::Path(_)) {
        cx.error_spanned_by(attr, "`#[skip]` takes no arguments; write `#[skip]`");
    }
}
