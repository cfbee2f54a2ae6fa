//! What `#[actor(serde)]` adds: the message enum derives serde's traits (through the facade's
//! re-export), the actor implements `Wire`, and every argument and reply is checked to be
//! serializable where it is written.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::Ident;

use crate::expand::{Names, cfg_attrs, enum_declaration, respan};
use crate::model::{Handler, Reply};

/// The message enum with its serde derives, `impl Wire` and the checks, behind the facade's
/// `with_serde!`: without the `serde` feature it emits the plain enum and one error, spanned on
/// the option's `serde` token.
pub(crate) fn items(
    names: &Names<'_>,
    handlers: &[Handler],
    krate: &syn::Path,
    serde: &Ident,
) -> TokenStream {
    let private = &names.private;
    let serde_crate = format!("{}::__private::serde", krate.to_token_stream());
    let serializable = enum_declaration(names, handlers, Some(&serde_crate));
    let plain = enum_declaration(names, handlers, None);
    let wire = wire_impl(names, handlers);
    let checks = checks(names, handlers);
    let with_serde = respan(quote!(#private::with_serde!), serde.span());
    quote! {
        #with_serde {
            { #serializable #wire #checks }
            { #plain }
        }
    }
}

fn wire_impl(names: &Names<'_>, handlers: &[Handler]) -> TokenStream {
    let Names {
        private,
        actor,
        msg,
        ..
    } = names;
    let outcome_arms = handlers.iter().map(|h| {
        let cfgs = cfg_attrs(h);
        let variant = &h.variant;
        let expect = match &h.reply {
            Reply::Result(_) => quote!(#private::expect_result_outcome),
            _ => quote!(#private::expect_outcome),
        };
        quote!(#(#cfgs)* #msg::#variant { reply, .. } => #expect(reply),)
    });
    let take_arms = handlers.iter().map(|h| {
        let cfgs = cfg_attrs(h);
        let variant = &h.variant;
        quote!(#(#cfgs)* #msg::#variant { reply, .. } => #private::take_reply(reply),)
    });
    quote! {
        #[automatically_derived]
        impl #private::Wire for #actor {
            fn expect_outcome(msg: &mut #msg) -> #private::OutcomeReceiver {
                match msg {
                    #(#outcome_arms)*
                }
            }

            fn take_reply(
                msg: &mut #msg,
            ) -> ::core::option::Option<#private::ReplyCompleter> {
                match msg {
                    #(#take_arms)*
                }
            }
        }
    }
}

/// Every argument and reply asserted serializable, spanned onto the type as written, so a
/// mistake is reported there with a sentence saying what to do.
fn checks(names: &Names<'_>, handlers: &[Handler]) -> TokenStream {
    let private = &names.private;
    let asserts = handlers.iter().map(|h| {
        let cfgs = cfg_attrs(h);
        let args = h.args.iter().map(move |arg| {
            let ty = &arg.ty;
            quote_spanned!(syn::spanned::Spanned::span(ty)=> #private::assert_serde_argument::<#ty>();)
        });
        let reply = match &h.reply {
            Reply::Unit => TokenStream::new(),
            reply => {
                let ty = reply.ty();
                quote_spanned!(syn::spanned::Spanned::span(&ty)=> #private::assert_serde_reply::<#ty>();)
            }
        };
        quote!(#(#cfgs)* { #(#args)* #reply })
    });
    quote! {
        const _: () = {
            #(#asserts)*
        };
    }
}
