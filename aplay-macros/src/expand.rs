//! Writes the code for an `#[actor]` item: the message enum, the handle, the dispatch.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{Ident, Item};

use crate::attr::Options;
use crate::ctxt::Ctxt;
use crate::fallback;
use crate::model::{Handler, Method, Reply, Stub};
use crate::names::{Names, cfg_attrs};
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
    if !generics.params.is_empty() {
        cx.error_spanned_by(
            generics,
            "`#[actor]` cannot carry generics; write `impl<..> aplay::Actor for Name<..> {}` by hand",
        );
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
    let krate = &options.krate;
    let errors = cx.into_compile_errors();
    quote! {
        #item
        #[automatically_derived]
        impl #krate::__private::Actor for #ident {
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
    let generated = generate(&model.self_ident, &handlers, &stubs, options);
    let item = &model.item;
    let errors = cx.into_compile_errors();
    quote! {
        #item
        #generated
        #errors
    }
}

fn generate(actor: &Ident, handlers: &[Handler], stubs: &[Stub], options: &Options) -> TokenStream {
    let krate = &options.krate;
    let names = Names {
        private: quote!(#krate::__private),
        actor,
        msg: format_ident!("{actor}Msg"),
        handle: format_ident!("{actor}Handle"),
        vis: options.vis.clone(),
    };
    let declaration = match &options.serde {
        None => message_enum::declaration(&names, handlers, None),
        Some(serde) => wire::items(&names, handlers, &options.krate, serde),
    };
    let message_enum = message_enum::items(&names, handlers, declaration);
    let handle = handle::handle(&names, handlers, stubs);
    let dispatch = dispatch::dispatch(&names, handlers);
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
        let args = h.args.iter().map(move |arg| {
            let ty = &arg.ty;
            quote_spanned!(syn::spanned::Spanned::span(ty)=> #private::assert_argument::<#ty>();)
        });
        // Also for `()`: the `unsafe impl Send` of the enum relies on every reply field being
        // checked.
        let reply = match &h.reply {
            Reply::Unit => quote_spanned!(h.span=> #private::assert_reply::<()>();),
            reply => {
                let ty = reply.ty();
                quote_spanned!(syn::spanned::Spanned::span(&ty)=> #private::assert_reply::<#ty>();)
            }
        };
        let checks = args.chain(std::iter::once(reply));
        quote!(#(#cfgs)* { #(#checks)* })
    });
    quote! {
        const _: () = {
            #(#asserts)*
        };
    }
}
