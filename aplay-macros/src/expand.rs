//! Writes the code for an `#[actor]` item: the message enum, the handle, the dispatch.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{Ident, Item, Visibility};

use crate::attr::Options;
use crate::ctxt::Ctxt;
use crate::fallback;
use crate::model::{ActorImpl, Handler, Reply};
use crate::{parse, valid, wire};

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
    let generated = generate(&model, options);
    let item = &model.item;
    let errors = cx.into_compile_errors();
    quote! {
        #item
        #generated
        #errors
    }
}

/// Names and paths shared by every generated piece.
pub(crate) struct Names<'a> {
    pub(crate) private: TokenStream,
    pub(crate) actor: &'a Ident,
    pub(crate) msg: Ident,
    pub(crate) handle: Ident,
    pub(crate) vis: Visibility,
}

fn generate(model: &ActorImpl, options: &Options) -> TokenStream {
    let krate = &options.krate;
    let names = Names {
        private: quote!(#krate::__private),
        actor: &model.self_ident,
        msg: format_ident!("{}Msg", model.self_ident),
        handle: format_ident!("{}Handle", model.self_ident),
        vis: options.vis.clone(),
    };
    let handlers = &model.handlers;
    let message_enum = message_enum(&names, handlers, options);
    let handle = handle(&names, handlers);
    let dispatch = dispatch(&names, handlers);
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

/// The enum, its `Debug` and its constructors; with `serde`, also its serde impls and `Wire`.
fn message_enum(names: &Names<'_>, handlers: &[Handler], options: &Options) -> TokenStream {
    let Names { actor, msg, .. } = names;
    let declaration = match &options.serde {
        None => enum_declaration(names, handlers, None),
        Some(serde) => wire::items(names, handlers, &options.krate, serde),
    };
    let debug_arms = handlers.iter().map(|h| {
        let cfgs = cfg_attrs(h);
        let variant = &h.variant;
        let text = format!("{msg}::{variant}");
        quote!(#(#cfgs)* Self::#variant { .. } => f.write_str(#text),)
    });
    // One constructor per handler, named after it, building the message as a tell (no reply
    // awaited): what streams, timers and recipients send, e.g. `attach_stream(s, EchoMsg::frame)`.
    let constructors = handlers.iter().map(|h| {
        let cfgs = cfg_attrs(h);
        let (method, variant, method_vis) = (&h.ident, &h.variant, &h.vis);
        let idents: Vec<_> = h.args.iter().map(|a| &a.ident).collect();
        let tys: Vec<_> = h.args.iter().map(|a| &a.ty).collect();
        let doc = format!(
            "The [`{actor}::{method}`] message, sent without waiting for a reply \
             (for streams, timers and recipients)."
        );
        quote_spanned! {h.span=>
            #(#cfgs)*
            #[doc = #doc]
            #[must_use]
            #method_vis fn #method(#(#idents: #tys),*) -> Self {
                Self::#variant { #(#idents,)* reply: ::core::option::Option::None }
            }
        }
    });
    quote! {
        #declaration

        // SAFETY: this states no more than the auto trait would derive. Every field type is
        // checked to be `Send` by the `const _` block `checks` writes next to this enum, under
        // the same `cfg`s: each argument by `assert_argument`, each reply field
        // `Option<ReplyTo<R>>` by `assert_reply::<R>`; if one is not `Send`, the crate does not
        // compile. Stating it keeps rustc from reporting that one mistake again at every place
        // that needs the enum to be `Send` (`Dispatch::Msg`, the handle, the mailbox, the
        // dispatch future), when the assertion already reports it on the user's type.
        #[automatically_derived]
        unsafe impl ::core::marker::Send for #msg {}

        #[automatically_derived]
        impl ::core::fmt::Debug for #msg {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match *self {
                    #(#debug_arms)*
                }
            }
        }

        #[automatically_derived]
        #[allow(private_interfaces, unreachable_pub, dead_code)]
        impl #msg {
            #(#constructors)*
        }
    }
}

/// The message enum itself; with `serde` (the facade's path), deriving serde's traits.
pub(crate) fn enum_declaration(
    names: &Names<'_>,
    handlers: &[Handler],
    serde: Option<&syn::Path>,
) -> TokenStream {
    let Names {
        private,
        actor,
        msg,
        vis,
        ..
    } = names;
    let enum_doc = format!(
        "The messages of [`{actor}`], one per handler method, generated by `#[actor]`. \
         Send them through the methods of `ActorRef<{actor}>`."
    );
    let derives = serde.map(|krate| wire::enum_attrs(private, krate));
    let skip = serde.map(|_| wire::reply_attrs());
    let variants = handlers.iter().map(|h| {
        let attrs = docs_or_default(h, names);
        let variant = &h.variant;
        let method = &h.ident;
        let fields = h.args.iter().map(|arg| {
            let (ident, ty) = (&arg.ident, &arg.ty);
            let doc = format!("The `{ident}` argument of [`{actor}::{method}`].");
            let serde = serde.map(|_| wire::argument_attrs(msg, h, ident));
            quote!(#[doc = #doc] #serde #ident: #ty,)
        });
        let reply_ty = h.reply.ty();
        quote! {
            #attrs
            #variant {
                #(#fields)*
                /// Where the reply goes; `None` when nobody waits for it (a tell).
                #skip
                reply: ::core::option::Option<#private::ReplyTo<#reply_ty>>,
            },
        }
    });
    quote! {
        #[doc = #enum_doc]
        #[automatically_derived]
        #[allow(private_interfaces, unreachable_pub)]
        #derives
        #vis enum #msg {
            #(#variants)*
        }
    }
}

fn handle(names: &Names<'_>, handlers: &[Handler]) -> TokenStream {
    let Names {
        private,
        actor,
        msg,
        handle,
        vis,
    } = names;
    // Spanned on the actor's name: when it lacks `impl Actor`, the bound `Handle<A: Dispatch>`
    // fails here too, and that error then points at the type rather than at `#[actor]`.
    let handle_impl = respan(
        quote!(impl #private::Handle<#actor> for #handle),
        actor.span(),
    );
    let handle_doc = format!(
        "The handle of [`{actor}`], generated by `#[actor]`: one method per message. \
         `ActorRef<{actor}>` dereferences to it, so call these on the ref."
    );
    let methods = handlers.iter().map(|h| {
        let attrs = docs_or_default(h, names);
        let (method, variant, method_vis) = (&h.ident, &h.variant, &h.vis);
        let idents: Vec<_> = h.args.iter().map(|a| &a.ident).collect();
        let tys: Vec<_> = h.args.iter().map(|a| &a.ty).collect();
        let (request, how) = match &h.reply {
            Reply::Unit => (
                quote!(#private::TellRequest<'_, #actor, (#(#tys,)*)>),
                "Awaiting it is a tell: it returns once the message is in the mailbox. \
                 `.ask()` waits until it is handled, `.try_tell()` never waits.",
            ),
            reply => {
                let ty = reply.ty();
                (
                    quote!(#private::AskRequest<'_, #actor, (#(#tys,)*), #ty>),
                    "Awaiting it is an ask: it returns the handler's reply. \
                     `.timeout(d)` bounds the wait, `.tell()` drops the reply.",
                )
            }
        };
        let constructor = match &h.reply {
            Reply::Unit => quote!(#private::TellRequest::new),
            _ => quote!(#private::AskRequest::new),
        };
        quote_spanned! {h.span=>
            #attrs
            #[doc = ""]
            #[doc = #how]
            #method_vis fn #method(&self, #(#idents: #tys),*) -> #request {
                #constructor(&self.raw, (#(#idents,)*), |(#(#idents,)*), reply| #msg::#variant { #(#idents,)* reply })
            }
        }
    });
    quote! {
        #[doc = #handle_doc]
        #[automatically_derived]
        #[allow(private_interfaces, unreachable_pub)]
        #[derive(::core::clone::Clone)]
        #vis struct #handle {
            raw: #private::RawRef<#actor>,
        }

        #[automatically_derived]
        #handle_impl {
            fn from_raw(raw: #private::RawRef<#actor>) -> Self {
                Self { raw }
            }
            fn raw(&self) -> &#private::RawRef<#actor> {
                &self.raw
            }
        }

        #[automatically_derived]
        impl ::core::fmt::Debug for #handle {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Debug::fmt(&self.raw, f)
            }
        }

        // The actor's own type may be less visible than its handlers (`pub fn` on a private
        // struct); the macro cannot see the struct, and the handle is no more reachable
        // than the actor it serves.
        #[automatically_derived]
        #[allow(private_interfaces, unreachable_pub, dead_code)]
        impl #handle {
            #(#methods)*
        }
    }
}

fn dispatch(names: &Names<'_>, handlers: &[Handler]) -> TokenStream {
    let Names {
        private,
        actor,
        msg,
        handle,
        ..
    } = names;
    let ctx = Ident::new("__aplay_ctx", Span::call_site());
    let arms = handlers.iter().map(|h| {
        let cfgs = cfg_attrs(h);
        let (method, variant) = (&h.ident, &h.variant);
        let idents: Vec<_> = h.args.iter().map(|a| &a.ident).collect();
        let ctx_arg = h.takes_context.then(|| quote!(#ctx));
        let call = quote_spanned!(h.span=> Self::#method(self, #(#idents,)* #ctx_arg));
        let call = if h.is_async {
            quote!(#call.await)
        } else {
            call
        };
        let name = method.to_string();
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
    quote! {
        #[automatically_derived]
        impl #private::Dispatch for #actor {
            type Msg = #msg;
            type Handle = #handle;

            async fn dispatch(&mut self, msg: #msg, #ctx: &mut #private::Context<Self>) {
                match msg {
                    #(#arms)*
                }
            }

            fn message_name(msg: &#msg) -> &'static str {
                match *msg {
                    #(#name_arms)*
                }
            }

            fn is_ask(msg: &#msg) -> bool {
                match *msg {
                    #(#ask_arms)*
                }
            }
        }
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

/// The handler's carried attributes, with a generated doc line when it has no docs of its own.
fn docs_or_default(handler: &Handler, names: &Names<'_>) -> TokenStream {
    let attrs = &handler.carried_attrs;
    if attrs.iter().any(|a| a.path().is_ident("doc")) {
        return quote!(#(#attrs)*);
    }
    let doc = format!("The `{}` message of [`{}`].", handler.ident, names.actor);
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
