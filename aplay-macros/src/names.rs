//! What every generated piece shares: the names of the generated items, and helpers for the
//! attributes and spans handlers carry.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::quote;
use syn::{Attribute, Generics, Ident, Visibility};

use crate::model::Handler;

/// Names and paths shared by every generated piece.
pub(crate) struct Names<'a> {
    pub(crate) private: TokenStream,
    /// The actor's type name (`Cache`), for docs and for naming the generated items.
    pub(crate) actor: &'a Ident,
    /// The actor's type as the `impl` block writes it (`Cache<K, V>`, `Cache<String, u32>`).
    pub(crate) actor_ty: TokenStream,
    /// The message enum's name (`CacheMsg`), for expressions and patterns (its generic
    /// arguments are inferred there).
    pub(crate) msg: Ident,
    /// The handle's name (`CacheHandle`).
    pub(crate) handle: Ident,
    pub(crate) vis: Visibility,
    /// The `impl` block's generics (`Self` replaced), which every generated item carries.
    pub(crate) generics: Generics,
}

impl Names<'_> {
    /// The message enum as a type: `CacheMsg<K, V>`.
    pub(crate) fn msg_ty(&self) -> TokenStream {
        let (msg, (_, ty_generics, _)) = (&self.msg, self.generics.split_for_impl());
        quote!(#msg #ty_generics)
    }

    /// The handle as a type: `CacheHandle<K, V>`.
    pub(crate) fn handle_ty(&self) -> TokenStream {
        let (handle, (_, ty_generics, _)) = (&self.handle, self.generics.split_for_impl());
        quote!(#handle #ty_generics)
    }

    /// What follows `impl` in every generated impl: `<K: Hash + Eq + Send + 'static, ..>`.
    pub(crate) fn impl_generics(&self) -> TokenStream {
        let (impl_generics, _, _) = self.generics.split_for_impl();
        quote!(#impl_generics)
    }

    /// The `impl` block's `where` clause, if any.
    pub(crate) fn where_clause(&self) -> TokenStream {
        let (_, _, where_clause) = self.generics.split_for_impl();
        quote!(#where_clause)
    }

    /// The `where` clause of the items that need the actor to be one (its `Dispatch`, its
    /// handle): with generics, the block's own plus `Cache<K, V>: Actor`. Assuming it, they
    /// hold for any parameters: a bound missing in the block (`K: Send`) is then reported once,
    /// by the checks on the argument or reply that needs it, rather than again by each of them
    /// deep in generated code.
    pub(crate) fn actor_where_clause(&self) -> TokenStream {
        if self.generics.params.is_empty() && self.generics.where_clause.is_none() {
            return TokenStream::new();
        }
        let (private, actor_ty) = (&self.private, &self.actor_ty);
        let predicates = self
            .generics
            .where_clause
            .iter()
            .flat_map(|w| &w.predicates);
        quote! {
            where
                #(#predicates,)*
                #actor_ty: #private::Actor,
        }
    }

    /// Whether the `impl` block has type parameters: the message enum then has a hidden,
    /// uninhabited variant that uses them (see [`Names::phantom_variant`]).
    pub(crate) fn has_type_params(&self) -> bool {
        self.generics.type_params().next().is_some()
    }

    /// The hidden variant's declaration: it names every type parameter (a type cannot have
    /// unused ones) and can never be built (it holds an `Infallible`), so that matching on the
    /// enum needs no arm that could run.
    pub(crate) fn phantom_variant(&self, attrs: TokenStream) -> TokenStream {
        if !self.has_type_params() {
            return TokenStream::new();
        }
        let params = self.generics.type_params().map(|p| &p.ident);
        quote! {
            #[doc(hidden)]
            #attrs
            __AplayPhantom(
                ::core::convert::Infallible,
                ::core::marker::PhantomData<fn() -> (#(#params,)*)>,
            ),
        }
    }

    /// The match arm of the hidden variant, on a place of type `msg_path` (`Self`,
    /// `CacheMsg`): it cannot be reached.
    pub(crate) fn phantom_arm(&self, msg_path: TokenStream) -> TokenStream {
        if !self.has_type_params() {
            return TokenStream::new();
        }
        quote! {
            #[allow(unreachable_patterns)]
            #msg_path::__AplayPhantom(ref never, _) => match *never {},
        }
    }
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
