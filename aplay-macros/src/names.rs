//! What every generated piece shares: the names of the generated items, and helpers for the
//! attributes and spans handlers carry.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::quote;
use syn::{Attribute, Ident, Visibility};

use crate::model::Handler;

/// Names and paths shared by every generated piece.
pub(crate) struct Names<'a> {
    pub(crate) private: TokenStream,
    pub(crate) actor: &'a Ident,
    pub(crate) msg: Ident,
    pub(crate) handle: Ident,
    pub(crate) vis: Visibility,
}

/// A method's carried attributes, with a generated doc line when it has no docs of its own.
pub(crate) fn docs_or_default(
    method: &Ident,
    attrs: &[Attribute],
    names: &Names<'_>,
) -> TokenStream {
    if attrs.iter().any(|a| a.path().is_ident("doc")) {
        return quote!(#(#attrs)*);
    }
    let doc = format!("The `{method}` message of [`{}`].", names.actor);
    quote!(#[doc = #doc] #(#attrs)*)
}

pub(crate) fn cfg_attrs(handler: &Handler) -> impl Iterator<Item = &syn::Attribute> {
    handler
        .carried_attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
}

/// The tokens with every span set to `span`, so an error rustc finds in them points there.
pub(crate) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut new = Group::new(group.delimiter(), respan(group.stream(), span));
                new.set_span(span);
                TokenTree::Group(new)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}
