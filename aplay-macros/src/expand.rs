//! Writes the code for an `#[actor]` item: the message enum, the handle, the dispatch.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{Ident, Item};

use crate::attr::Options;
use crate::ctxt::Ctxt;
use crate::fallback;
use crate::model::{ActorImpl, Handler, Method, Reply, Stub};
use crate::names::{Names, cfg_attrs, respan};
use crate::{dispatch, handle, message_enum, parse, valid, wire};

/// The entry point: `#[actor]` on an `impl` block, a struct or an enum.
pub(crate) fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let options = Options::parse(args, &mut cx);
    let item: Item = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(error) => {
            cx.syn_error(error);
            return fallback::item_with_errors(input, cx);
        }
    };
    match item {
        Item::Impl(item) => impl_block(item, &options, cx),
        Item::Struct(item) => {
            let (ident, generics) = (item.ident.clone(), item.generics.clone());
            lifecycle_only(item, &ident, &generics, &options, cx)
        }
        Item::Enum(item) => {
            let (ident, generics) = (item.ident.clone(), item.generics.clone());
            lifecycle_only(item, &ident, &generics, &options, cx)
        }
        other => {
            cx.error_spanned_by(
                item_head(&other),
                "`#[actor]` goes on an `impl` block (its methods become messages) \
                 or on a struct or enum (it gets the default lifecycle)",
            );
            fallback::item_with_errors(other, cx)
        }
    }
}

/// The tokens that name an item (`fn worker`, `trait Job`), so an error about the item as a
/// whole points at its head rather than at every line of it.
fn item_head(item: &Item) -> TokenStream {
    match item {
        Item::Fn(item) => {
            let (fn_token, ident) = (&item.sig.fn_token, &item.sig.ident);
            quote!(#fn_token #ident)
        }
        Item::Trait(item) => {
            let (trait_token, ident) = (&item.trait_token, &item.ident);
            quote!(#trait_token #ident)
        }
        Item::TraitAlias(item) => {
            let (trait_token, ident) = (&item.trait_token, &item.ident);
            quote!(#trait_token #ident)
        }
        Item::Mod(item) => {
            let (mod_token, ident) = (&item.mod_token, &item.ident);
            quote!(#mod_token #ident)
        }
        Item::Const(item) => {
            let (const_token, ident) = (&item.const_token, &item.ident);
            quote!(#const_token #ident)
        }
        Item::Static(item) => {
            let (static_token, ident) = (&item.static_token, &item.ident);
            quote!(#static_token #ident)
        }
        Item::Type(item) => {
            let (type_token, ident) = (&item.type_token, &item.ident);
            quote!(#type_token #ident)
        }
        Item::Union(item) => {
            let (union_token, ident) = (&item.union_token, &item.ident);
            quote!(#union_token #ident)
        }
        Item::ForeignMod(item) => item.abi.to_token_stream(),
        Item::Macro(item) => item.mac.path.to_token_stream(),
        other => other.to_token_stream(),
    }
}

/// `#[actor]` on a struct or enum: the default `impl Actor`.
fn lifecycle_only(
    item: impl quote::ToTokens,
    ident: &Ident,
    generics: &syn::Generics,
    options: &Options,
    mut cx: Ctxt,
) -> TokenStream {
    for param in generics.lifetimes() {
        cx.error_spanned_by(&param.lifetime, parse::LIFETIME_PARAMETER);
    }
    if cx.has_errors() {
        return fallback::item_with_errors(item, cx);
    }
    // A misplaced `serde` leaves the item fine: it still gets its `impl Actor`, so that the
    // option is the one error.
    if let Some(serde) = &options.serde {
        cx.error_spanned_by(
            serde,
            "`serde` goes on the `impl` block, whose methods become the messages: \
             write `#[actor(serde)] impl Name { .. }`",
        );
    }
    if options.local.is_some() {
        // A local actor's shell (`Local<Name>`) is the `Actor`; the state needs nothing.
        let errors = cx.into_compile_errors();
        return quote!(#item #errors);
    }
    let krate = &options.krate;
    let errors = cx.into_compile_errors();
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    // A generic actor is one for every choice of its parameters that makes it an actor
    // (`Send + 'static`): the bounds belong to the `impl` blocks that use it, where a missing
    // one is reported on the argument that needs it.
    let where_clause = if generics.params.is_empty() {
        quote!(#where_clause)
    } else {
        let predicates = where_clause.map(|w| &w.predicates).into_iter().flatten();
        quote! {
            where
                #(#predicates,)*
                #ident #ty_generics: ::core::marker::Send + 'static,
        }
    };
    quote! {
        #item
        #[automatically_derived]
        impl #impl_generics #krate::__private::Actor for #ident #ty_generics #where_clause {
            const __DEFAULT_HOOKS: bool = true;
        }
        #errors
    }
}

fn impl_block(item: syn::ItemImpl, options: &Options, mut cx: Ctxt) -> TokenStream {
    let mut model = match parse::actor_impl(item, &mut cx) {
        Ok(model) => model,
        // `None` when rustc would reject the block too: emitting it would only repeat the error.
        Err(item) => return fallback::item_with_errors(item, cx),
    };
    valid::check(&mut model, &mut cx);
    let methods = std::mem::take(&mut model.methods);
    let (handlers, stubs) = Method::split(methods);
    if let Some(local) = &options.local {
        check_local(local, options, &handlers, &mut cx);
    }
    let generated = generate(&model, &handlers, &stubs, options);
    let item = &model.item;
    let errors = cx.into_compile_errors();
    quote! {
        #item
        #generated
        #errors
    }
}

/// What a local actor cannot have: a handler taking the context (it belongs to the shell, on
/// another thread), or serializable messages (not yet).
fn check_local(local: &Ident, options: &Options, handlers: &[Handler], cx: &mut Ctxt) {
    for handler in handlers.iter().filter(|h| h.takes_context) {
        cx.error_spanned_by(
            &handler.ident,
            "a handler of a `local` actor cannot take `&mut Context<Self>`: the context belongs \
             to the actor's shell, on another thread than its state; spawn children, timers \
             and streams from an ordinary parent actor, or drop `local`",
        );
    }
    if options.serde.is_some() {
        cx.error_spanned_by(
            local,
            "`local` and `serde` do not go together: a Redis mailbox serves ordinary actors \
             only; serve an ordinary actor that forwards to the local one",
        );
    }
}

fn generate(
    model: &ActorImpl,
    handlers: &[Handler],
    stubs: &[Stub],
    options: &Options,
) -> TokenStream {
    let krate = &options.krate;
    let actor = &model.self_ident;
    let self_ty = &model.self_ty;
    let names = Names {
        private: quote!(#krate::__private),
        actor,
        actor_ty: match &options.local {
            None => quote!(#self_ty),
            Some(_) => quote!(#krate::__private::Local<#self_ty>),
        },
        msg: format_ident!("{actor}Msg"),
        handle: format_ident!("{actor}Handle"),
        vis: options.vis.clone(),
        generics: model.generics.clone(),
    };
    // `serde` with `local` is an error already (`check_local`): plain messages, no `Wire`.
    let declaration = match (&options.serde, &options.local) {
        (Some(serde), None) => wire::items(&names, handlers, &options.krate, serde),
        _ => message_enum::declaration(&names, handlers, None),
    };
    let message_enum = message_enum::items(&names, handlers, declaration);
    let handle = handle::handle(&names, handlers, stubs);
    let dispatch = match &options.local {
        None => dispatch::dispatch(&names, handlers),
        Some(_) => dispatch::local_dispatch(&names, self_ty, handlers),
    };
    let checks = checks(&names, handlers);
    // `impl Dispatch` first: when the actor lacks `impl Actor`, the first error rustc reports
    // is the one on its supertrait, which points at the struct and says what to write.
    quote! {
        #dispatch
        #message_enum
        #handle
        #checks
    }
}

/// Compile-time checks spanned onto the user's types, so a mistake is reported where it is
/// written, with a message that says what to do.
fn checks(names: &Names<'_>, handlers: &[Handler]) -> TokenStream {
    let private = &names.private;
    let asserts = handlers.iter().map(|h| {
        let cfgs = cfg_attrs(h);
        let args = h
            .args
            .iter()
            .map(move |arg| assert_on(private, "assert_argument", &arg.ty));
        // Also for `()`: the `unsafe impl Send` of the enum relies on every reply field being
        // checked.
        let reply = match &h.reply {
            Reply::Unit => quote_spanned!(h.span=> #private::assert_reply::<()>();),
            reply => assert_on(private, "assert_reply", &reply.ty()),
        };
        let checks = args.chain(std::iter::once(reply));
        quote!(#(#cfgs)* { #(#checks)* })
    });
    if names.generics.params.is_empty() && names.generics.where_clause.is_none() {
        return quote! {
            const _: () = {
                #(#asserts)*
            };
        };
    }
    // The types may name the block's parameters: the checks go in a function with its generics,
    // checked once for all of them (a bound missing on `K` is reported on the argument `k: K`).
    let (impl_generics, where_clause) = (names.impl_generics(), names.where_clause());
    quote! {
        const _: () = {
            #[allow(dead_code)]
            fn __aplay_checks #impl_generics () #where_clause {
                #(#asserts)*
            }
        };
    }
}

/// `assert_argument::<T>()` (or another assertion), wholly spanned onto the type as written:
/// an unmet trait bound is reported on the type argument, an unmet `'static` on the whole
/// call, and both then point at the user's type.
fn assert_on(private: &TokenStream, assertion: &str, ty: &syn::Type) -> TokenStream {
    let span = syn::spanned::Spanned::span(ty);
    let assertion = Ident::new(assertion, span);
    let path = respan(quote!(#private::#assertion), span);
    quote_spanned!(span=> #path::<#ty>();)
}
