//! The attributes `#[actor(serde)]` puts on the message enum's declaration: serde's derives
//! (through the facade's re-export), and how each field is encoded.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::Ident;
use syn::ext::IdentExt;

use crate::model::Handler;

/// The attributes of the serializable enum: the derives, through the facade's serde.
/// A generic enum takes the `impl` block's bounds only (`bound = ""`): serde would infer
/// others, such as `V: Default` for the reply fields it skips, and the block's bounds already
/// say what is serializable (every argument and reply is checked to be).
pub(crate) fn enum_attrs(private: &TokenStream, krate: &syn::Path, generic: bool) -> TokenStream {
    let serde_crate = format!("{}::__private::serde", krate.to_token_stream());
    let bound = generic.then(|| quote!(#[serde(bound = "")]));
    quote! {
        #[derive(#private::serde::Serialize, #private::serde::Deserialize)]
        #[serde(crate = #serde_crate)]
        #bound
    }
}

/// The attributes of an argument's field: it is encoded through the functions `field_codecs`
/// writes, on the enum `msg` (`CacheMsg::<K, V>` when generic: serde's code would not infer
/// every parameter).
pub(crate) fn argument_attrs(msg: &str, handler: &Handler, field: &Ident) -> TokenStream {
    let (encode, decode) = codec_names(handler, field);
    let encode = format!("{msg}::{encode}");
    let decode = format!("{msg}::{decode}");
    quote!(#[serde(serialize_with = #encode, deserialize_with = #decode)])
}

/// The names of the functions that encode and decode one field.
pub(crate) fn codec_names(handler: &Handler, field: &Ident) -> (Ident, Ident) {
    let method = handler.ident.unraw();
    let field = field.unraw();
    (
        format_ident!("__aplay_encode_{method}_{field}"),
        format_ident!("__aplay_decode_{method}_{field}"),
    )
}

/// The attribute of a reply field: replies do not travel (decoded, it is `None`).
pub(crate) fn reply_attrs() -> TokenStream {
    quote!(#[serde(skip)])
}

/// The attribute of the hidden variant of a generic enum: it never travels (it cannot be built).
pub(crate) fn phantom_attrs() -> TokenStream {
    quote!(#[serde(skip)])
}
