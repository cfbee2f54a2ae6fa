//! What is emitted when the input is wrong, so that the rest of the crate still type-checks and
//! one mistake shows as one error: for an item that cannot be an actor's, the item as written
//! (less what rustc would reject again: the `#[skip]` markers, an `unsafe` on an inherent impl)
//! plus the errors; for a rejected handler in a good block, a handle method of its name
//! (a stub), so that its calls do not each add an error of their own.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};

use crate::ctxt::Ctxt;
use crate::model::{Reply, Stub};
use crate::names::{Names, docs_or_default};

/// The user's item (nothing for `None`: an item rustc would only reject again), followed by
/// every recorded error.
pub(crate) fn item_with_errors(item: impl ToTokens, cx: Ctxt) -> TokenStream {
    let mut tokens = item.into_token_stream();
    tokens.extend(cx.into_compile_errors());
    tokens
}

/// The handle method of a rejected handler: same name, and arguments of the types written, so
/// that the calls to it type-check and its mistake is one error, not one more at each call.
/// Its body never runs: the crate does not compile, the mistake's `compile_error!` sees to it.
pub(crate) fn handle_method(names: &Names<'_>, stub: &Stub) -> TokenStream {
    let Names {
        private,
        actor_ty: actor,
        ..
    } = names;
    let attrs = docs_or_default(&stub.ident, &stub.carried_attrs, names);
    let Stub {
        ident,
        vis,
        generics,
        unsafety,
        arg_types,
        reply,
        span,
        ..
    } = stub;
    let (params, where_clause) = (&generics.params, &generics.where_clause);
    let request = match reply {
        Reply::Unit => quote!(#private::TellRequest<'_, #actor, ()>),
        reply => {
            let ty = reply.ty();
            quote!(#private::AskRequest<'_, #actor, (), #ty>)
        }
    };
    quote_spanned! {*span=>
        #attrs
        #vis #unsafety fn #ident <#params> (&self, #(_: #arg_types),*) -> #request #where_clause {
            ::core::unimplemented!("rejected by `#[actor]`: see its compile error")
        }
    }
}
