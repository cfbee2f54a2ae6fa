//! What `#[actor(serde)]` adds: the message enum derives serde's traits (through the facade's
//! re-export), the actor implements `Wire`, and every argument and reply is checked to be
//! serializable where it is written.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Type};

use crate::message_enum;
use crate::model::{Handler, Reply};
use crate::names::{Names, cfg_attrs, respan};
use crate::serde_attrs::codec_names;

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
    let serializable = message_enum::declaration(names, handlers, Some(krate));
    let plain = message_enum::declaration(names, handlers, None);
    let codecs = field_codecs(names, handlers);
    let wire = wire_impl(names, handlers);
    let checks = checks(names, handlers);
    let with_serde = respan(quote!(#private::with_serde!), serde.span());
    let feature_off = quote_spanned! {serde.span()=>
        ::core::compile_error! {
            "`#[actor(serde)]` needs the `serde` feature of aplay: write \
             `aplay = { version = \"..\", features = [\"serde\"] }` in Cargo.toml"
        }
    };
    quote! {
        #with_serde {
            { #serializable #codecs #wire #checks }
            { #plain #feature_off }
        }
    }
}

// Nothing below adds an error of its own when a type is not serializable: fields and replies
// are encoded through probes (`wire::probes` in aplay-core) that fall back, silently, to code
// that never runs, because `checks` rejects the crate with one error spanned on that type.

/// For every argument, the two functions its field is encoded and decoded with, written where
/// its type is concrete so that the probe can choose.
fn field_codecs(names: &Names<'_>, handlers: &[Handler]) -> TokenStream {
    let Names { private, .. } = names;
    let (impl_generics, msg_ty, where_clause) =
        (names.impl_generics(), names.msg_ty(), names.where_clause());
    let serde = &quote!(#private::serde);
    let functions = handlers.iter().flat_map(|h| {
        h.args.iter().map(move |arg| {
            let cfgs: Vec<_> = cfg_attrs(h).collect();
            let ty = &arg.ty;
            let (encode, decode) = codec_names(h, &arg.ident);
            quote! {
                #(#cfgs)*
                fn #encode<__S: #serde::Serializer>(
                    value: &#ty,
                    serializer: __S,
                ) -> ::core::result::Result<__S::Ok, __S::Error> {
                    #[allow(unused_imports)]
                    use #private::{EncodeField as _, EncodeFieldFallback as _};
                    (&&#private::Encode(value)).encode(serializer)
                }

                #(#cfgs)*
                fn #decode<'de, __D: #serde::Deserializer<'de>>(
                    deserializer: __D,
                ) -> ::core::result::Result<#ty, __D::Error> {
                    #[allow(unused_imports)]
                    use #private::{DecodeField as _, DecodeFieldFallback as _};
                    (&&#private::Decode::<#ty>::new()).decode(deserializer)
                }
            }
        })
    });
    quote! {
        #[automatically_derived]
        #[allow(private_interfaces, dead_code)]
        impl #impl_generics #msg_ty #where_clause {
            #(#functions)*
        }
    }
}

fn wire_impl(names: &Names<'_>, handlers: &[Handler]) -> TokenStream {
    let Names {
        private,
        actor_ty: actor,
        msg,
        ..
    } = names;
    let (impl_generics, msg_ty, where_clause) = (
        names.impl_generics(),
        names.msg_ty(),
        names.actor_where_clause(),
    );
    let phantom_arm = names.phantom_arm(quote!(#msg));
    let outcome_arms = handlers.iter().map(|h| {
        let cfgs = cfg_attrs(h);
        let variant = &h.variant;
        let expect = match &h.reply {
            Reply::Result(_) => quote!(expect_result_outcome),
            _ => quote!(expect_outcome),
        };
        quote!(#(#cfgs)* #msg::#variant { ref mut reply, .. } => (&mut &mut #private::Reply(reply)).#expect(),)
    });
    let take_arms = handlers.iter().map(|h| {
        let cfgs = cfg_attrs(h);
        let variant = &h.variant;
        quote!(#(#cfgs)* #msg::#variant { ref mut reply, .. } => (&mut &mut #private::Reply(reply)).take_reply(),)
    });
    quote! {
        #[automatically_derived]
        impl #impl_generics #private::Wire for #actor #where_clause {
            fn expect_outcome(msg: &mut #msg_ty) -> #private::OutcomeReceiver {
                #[allow(unused_imports)]
                use #private::{WireReply as _, WireReplyFallback as _, WireResultReply as _};
                // `*msg`: an actor without handlers has an empty enum, and only a match on
                // the place itself (not on a reference) is exhaustive with no arms.
                match *msg {
                    #(#outcome_arms)*
                    #phantom_arm
                }
            }

            fn take_reply(
                msg: &mut #msg_ty,
            ) -> ::core::option::Option<#private::ReplyCompleter> {
                #[allow(unused_imports)]
                use #private::{WireReply as _, WireReplyFallback as _};
                match *msg {
                    #(#take_arms)*
                    #phantom_arm
                }
            }
        }
    }
}

/// Every argument and reply checked serializable, spanned onto the type as written, so that a
/// mistake is one error there, with a sentence saying what to do (see `wire::checks` in
/// aplay-core for how). A `Result<T, E>` reply checks `T` and `E`, so that the error points at
/// the one that is not.
fn checks(names: &Names<'_>, handlers: &[Handler]) -> TokenStream {
    let private = &names.private;
    // The call on the type's span, the method's name included: rustc reports an unmet bound of
    // a method where its name is, so the error points where the user wrote the type.
    let check = |ty: &Type, which: &str| {
        let span = ty.span();
        let which = Ident::new(which, span);
        quote_spanned! {span=>
            (&&#private::probe::<#ty>()).serialize_probe().#which();
        }
    };
    let asserts = handlers.iter().map(|h| {
        let cfgs = cfg_attrs(h);
        let args = h.args.iter().map(|arg| check(&arg.ty, "argument"));
        let reply = match &h.reply {
            Reply::Unit => TokenStream::new(),
            Reply::Value(ty) => check(ty, "reply"),
            Reply::Result(ty) => match result_parts(ty) {
                Some((ok, err)) => {
                    let mut both = check(ok, "reply");
                    both.extend(check(err, "error"));
                    both
                }
                None => check(ty, "reply"),
            },
        };
        let checks = args.chain(std::iter::once(reply));
        quote!(#(#cfgs)* { #(#checks)* })
    });
    let (impl_generics, where_clause) = (names.impl_generics(), names.where_clause());
    quote! {
        const _: () = {
            #[allow(dead_code)]
            fn serializable #impl_generics () #where_clause {
                #[allow(unused_imports)]
                use #private::{SerializeProbe as _, SerializeProbeFallback as _};
                #(#asserts)*
            }
        };
    }
}

/// `T` and `E` of a reply written `Result<T, E>`; `None` for another spelling (an alias such
/// as `io::Result<T>`), checked as a whole.
fn result_parts(ty: &Type) -> Option<(&Type, &Type)> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|arg| match arg {
        syn::GenericArgument::Type(ty) => Some(ty),
        _ => None,
    });
    match (types.next(), types.next(), types.next()) {
        (Some(ok), Some(err), None) if args.args.len() == 2 => Some((ok, err)),
        _ => None,
    }
}
