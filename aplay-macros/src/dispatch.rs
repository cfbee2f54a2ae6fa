//! The dispatch: the `match` that hands each message to its handler and its reply back.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::Ident;

use crate::model::{Handler, Reply};
use crate::names::{Names, cfg_attrs};

pub(crate) fn dispatch(names: &Names<'_>, handlers: &[Handler]) -> TokenStream {
    let Names {
        private,
        actor_ty: actor,
        msg,
        ..
    } = names;
    let (impl_generics, where_clause) = (names.impl_generics(), names.actor_where_clause());
    let (msg_ty, handle_ty) = (names.msg_ty(), names.handle_ty());
    let phantom_arm = names.phantom_arm(quote!(#msg));
    let ctx = Ident::new("__aplay_ctx", Span::call_site());
    let arms = handlers.iter().map(|h| {
        let cfgs = cfg_attrs(h);
        let variant = &h.variant;
        let idents: Vec<_> = h.args.iter().map(|a| &a.ident).collect();
        let call = call(h, h.takes_context.then(|| quote!(#ctx)));
        let name = h.ident.to_string();
        let send = match &h.reply {
            Reply::Result(_) => quote!(#private::reply_or_report(self, #ctx, #name, reply, value)),
            _ => quote!(#private::reply(reply, value)),
        };
        quote! {
            #(#cfgs)*
            #msg::#variant { #(#idents,)* reply } => {
                let value = #call;
                #send;
            }
        }
    });
    let about = about_messages(names, handlers);
    quote! {
        #[automatically_derived]
        impl #impl_generics #private::Dispatch for #actor #where_clause {
            type Msg = #msg_ty;
            type Handle = #handle_ty;

            async fn dispatch(&mut self, msg: #msg_ty, #ctx: &mut #private::Context<Self>) {
                match msg {
                    #(#arms)*
                    #phantom_arm
                }
            }

            #about
        }
    }
}

/// `LocalDispatch` for the state of a `local` actor: the same `match`, without a context,
/// handing back the error of a tell whose handler returned `Err`.
pub(crate) fn local_dispatch(
    names: &Names<'_>,
    self_ty: &syn::Type,
    handlers: &[Handler],
) -> TokenStream {
    let Names { private, msg, .. } = names;
    let (impl_generics, where_clause) = (names.impl_generics(), names.where_clause());
    let (msg_ty, handle_ty) = (names.msg_ty(), names.handle_ty());
    let phantom_arm = names.phantom_arm(quote!(#msg));
    let arms = handlers.iter().map(|h| {
        let cfgs = cfg_attrs(h);
        let variant = &h.variant;
        if h.takes_context {
            // Already an error (`check_local`): no call, so that it is the only one.
            return quote!(#(#cfgs)* #msg::#variant { .. } => ::core::option::Option::None,);
        }
        let idents: Vec<_> = h.args.iter().map(|a| &a.ident).collect();
        let call = call(h, None);
        let name = h.ident.to_string();
        let send = match &h.reply {
            Reply::Result(_) => quote!(#private::reply_or_error(#name, reply, value)),
            _ => quote!({
                #private::reply(reply, value);
                ::core::option::Option::None
            }),
        };
        quote! {
            #(#cfgs)*
            #msg::#variant { #(#idents,)* reply } => {
                let value = #call;
                #send
            }
        }
    });
    let about = about_messages(names, handlers);
    quote! {
        #[automatically_derived]
        impl #impl_generics #private::LocalDispatch for #self_ty #where_clause {
            type Msg = #msg_ty;
            type Handle = #handle_ty;

            async fn dispatch(&mut self, msg: #msg_ty) -> ::core::option::Option<#private::HandlerError> {
                match msg {
                    #(#arms)*
                    #phantom_arm
                }
            }

            #about
        }
    }
}

/// The call of a handler with its arguments (and the context, when given), awaited when the
/// handler is async; spanned on the handler's name.
fn call(h: &Handler, ctx: Option<TokenStream>) -> TokenStream {
    let method = &h.ident;
    let idents = h.args.iter().map(|a| &a.ident);
    let call = quote_spanned!(h.span=> Self::#method(self, #(#idents,)* #ctx));
    if h.is_async {
        quote!(#call.await)
    } else {
        call
    }
}

/// `message_name`, `is_ask` and (when a handler is high priority) `priority`: the same in
/// both dispatch traits.
fn about_messages(names: &Names<'_>, handlers: &[Handler]) -> TokenStream {
    let Names { private, msg, .. } = names;
    let msg_ty = names.msg_ty();
    let phantom_arm = names.phantom_arm(quote!(#msg));
    let ask_arms = handlers.iter().map(|h| {
        let cfgs = cfg_attrs(h);
        let variant = &h.variant;
        quote!(#(#cfgs)* #msg::#variant { ref reply, .. } => reply.is_some(),)
    });
    let name_arms = handlers.iter().map(|h| {
        let cfgs = cfg_attrs(h);
        let variant = &h.variant;
        let name = h.ident.to_string();
        quote!(#(#cfgs)* #msg::#variant { .. } => #name,)
    });
    // Only when a handler asks for it: the default (every message normal) costs nothing.
    let priority = handlers.iter().any(|h| h.high_priority).then(|| {
        let arms = handlers.iter().map(|h| {
            let cfgs = cfg_attrs(h);
            let variant = &h.variant;
            let level = if h.high_priority {
                quote!(High)
            } else {
                quote!(Normal)
            };
            quote!(#(#cfgs)* #msg::#variant { .. } => #private::Priority::#level,)
        });
        quote! {
            #[inline]
            fn priority(msg: &#msg_ty) -> #private::Priority {
                match *msg {
                    #(#arms)*
                    #phantom_arm
                }
            }
        }
    });
    quote! {
            fn message_name(msg: &#msg_ty) -> &'static str {
                match *msg {
                    #(#name_arms)*
                    #phantom_arm
                }
            }

            fn is_ask(msg: &#msg_ty) -> bool {
                match *msg {
                    #(#ask_arms)*
                    #phantom_arm
                }
            }

            #priority
    }
}
