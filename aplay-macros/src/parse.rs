//! Builds the [`model`](crate::model) from the user's `impl` block, recording each mistake in
//! the [`Ctxt`] with a sentence saying what to write instead.

use proc_macro2::{Group, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::Parse;
use syn::{Attribute, FnArg, ImplItem, ImplItemFn, Pat, ReceiverKind, ReturnType, Type};

use crate::attr;
use crate::ctxt::Ctxt;
use crate::model::{ActorImpl, Argument, Handler, Method, Reply, Stub, variant_name};

/// Reads an `impl` block. `Err` when the block itself cannot be an actor's (a trait impl,
/// a lifetime parameter, a self type that is not a type name), with what to emit in its place: the block
/// as written (markers removed) so the rest of the crate still compiles, or `None` when rustc
/// would reject the block too and only repeat the error. A handler with mistakes is in the
/// model as a stub, its errors recorded.
pub(crate) fn actor_impl(
    mut item: syn::ItemImpl,
    cx: &mut Ctxt,
) -> Result<ActorImpl, Option<Box<syn::ItemImpl>>> {
    // `#[skip]` and `#[handler]` are ours and unknown to rustc: take them off every method
    // first, so that even a block emitted as written does not add an error of its own.
    let markers: Vec<Markers> = item
        .items
        .iter_mut()
        .map(|impl_item| take_markers(impl_item, cx))
        .collect();

    if let Some((path, _)) = &item.trait_ {
        // Its generics or `unsafe` are the trait impl's business: one error is enough.
        cx.error_spanned_by(
            path,
            "`#[actor]` goes on the actor's own `impl Name { .. }` block, not on a trait impl; \
             lifecycle hooks go in a plain `impl aplay::Actor for Name { .. }`",
        );
        return Err(Some(Box::new(item)));
    }
    // An actor outlives any borrow: it runs on its own task until it stops.
    let mut borrows = false;
    for param in item.generics.lifetimes() {
        cx.error_spanned_by(&param.lifetime, LIFETIME_PARAMETER);
        borrows = true;
    }
    // `unsafe impl Name { .. }`: rustc's parser rejects it before this macro runs (E0197,
    // "inherent impls cannot be unsafe", on `unsafe`), so an error here would only repeat it.
    // Taken off so that the emitted block is not rejected a second time.
    item.unsafety = None;
    let self_ident = match self_type_name(&item.self_ty) {
        SelfType::Name(ident, arguments) => {
            // `impl Holder<'_>` or `impl<'a> Holder<'a>` (reported above): a borrowing actor.
            for lifetime in arguments.iter().flat_map(borrowed_lifetimes) {
                if !item.generics.lifetimes().any(|p| p.lifetime == *lifetime) {
                    cx.error_spanned_by(lifetime, LIFETIME_PARAMETER);
                    borrows = true;
                }
            }
            ident
        }
        SelfType::NotAName { nominal } => {
            cx.error_spanned_by(
                &item.self_ty,
                "`#[actor]` needs a plain type name here, like `impl Counter { .. }`",
            );
            return Err(nominal.then(|| Box::new(item)));
        }
    };
    if borrows {
        return Err(Some(Box::new(item)));
    }

    let self_ty = (*item.self_ty).clone();
    let mut methods = Vec::new();
    for (impl_item, markers) in item.items.iter().zip(markers) {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        // A `#[skip]` method, or an associated function (`fn new() -> Self`), stays as it is.
        if markers.skip || method.sig.receiver().is_none() {
            if let Some(attr) = &markers.handler {
                cx.error_spanned_by(
                    attr,
                    if markers.skip {
                        "`#[skip]` keeps this method out of the messages, so `#[handler(..)]` \
                         has nothing to apply to; remove one of them"
                    } else {
                        "`#[handler(..)]` goes on a message handler, a method taking `&self` \
                         or `&mut self`; this one has no receiver"
                    },
                );
            }
            continue;
        }
        let mut method = handler(method, &self_ty, cx);
        if let Method::Handler(handler) = &mut method {
            handler.high_priority = markers.high_priority;
        }
        methods.push(method);
    }
    let generics = generics_without_self(&item.generics, &self_ty);
    Ok(ActorImpl {
        item,
        self_ident,
        self_ty,
        generics,
        methods,
    })
}

/// The markers the macro took off a method.
#[derive(Default)]
struct Markers {
    /// `#[skip]`: not a message.
    skip: bool,
    /// `#[handler(..)]`, for the error when the method is not a handler.
    handler: Option<Attribute>,
    /// `#[handler(priority = high)]`.
    high_priority: bool,
}

/// Removes the `#[skip]` and `#[handler(..)]` markers of a method, checking each.
fn take_markers(impl_item: &mut ImplItem, cx: &mut Ctxt) -> Markers {
    let mut markers = Markers::default();
    let ImplItem::Fn(method) = impl_item else {
        return markers;
    };
    method.attrs.retain(|attr| {
        if attr::is_skip(attr) {
            attr::check_skip(attr, cx);
            markers.skip = true;
            false
        } else if attr::is_handler(attr) {
            if markers.handler.is_some() {
                cx.error_spanned_by(attr, "`#[handler(..)]` is given twice; write it once");
            }
            markers.high_priority = attr::parse_handler(attr, cx);
            markers.handler = Some(attr.clone());
            false
        } else {
            true
        }
    });
    markers
}

/// The error on a lifetime parameter of an actor (of its struct, or of its `impl` block).
pub(crate) const LIFETIME_PARAMETER: &str = "an actor cannot borrow: it runs on its own task for as long as it \
     lives, so it must be `'static`; own the data instead (`String` for `&'a str`, `Arc<T>` for \
     `&'a T`) and drop the lifetime";

/// What the self type of an `impl` block is, as far as naming the actor goes.
enum SelfType {
    /// `Counter`, `crate::actors::Counter`, `Cache<K, V>` (with its generic arguments, if any).
    Name(syn::Ident, Option<syn::AngleBracketedGenericArguments>),
    /// `&Counter`, `(A, B)`, `<T as Trait>::Assoc`. `nominal` when rustc might still accept an
    /// inherent impl on it (`dyn LocalTrait`), so the block is emitted as written.
    NotAName { nominal: bool },
}

fn self_type_name(ty: &Type) -> SelfType {
    match ty {
        // A type passed through a `macro_rules!` `$t:ty` arrives in an invisible group.
        Type::Group(group) => self_type_name(&group.elem),
        Type::Path(path) if path.qself.is_none() => match path.path.segments.last() {
            Some(last) => match &last.arguments {
                syn::PathArguments::None => SelfType::Name(last.ident.clone(), None),
                syn::PathArguments::AngleBracketed(arguments) => {
                    SelfType::Name(last.ident.clone(), Some(arguments.clone()))
                }
                syn::PathArguments::Parenthesized(_) => SelfType::NotAName { nominal: true },
            },
            None => SelfType::NotAName { nominal: true },
        },
        Type::Paren(_) | Type::TraitObject(_) | Type::Macro(_) | Type::Verbatim(_) => {
            SelfType::NotAName { nominal: true }
        }
        _ => SelfType::NotAName { nominal: false },
    }
}

/// The lifetimes among generic arguments (`'_`, `'a`), other than `'static`: each makes the
/// actor a borrowing type.
fn borrowed_lifetimes(arguments: &syn::AngleBracketedGenericArguments) -> Vec<&syn::Lifetime> {
    arguments
        .args
        .iter()
        .filter_map(|arg| match arg {
            syn::GenericArgument::Lifetime(lifetime) if lifetime.ident != "static" => {
                Some(lifetime)
            }
            _ => None,
        })
        .collect()
}

/// Reads one method with a receiver: a handler, or (after recording why it cannot be one) the
/// stub of one.
fn handler(method: &ImplItemFn, self_ty: &Type, cx: &mut Ctxt) -> Method {
    let sig = &method.sig;
    let mut ok = true;
    let mut fail = |cx: &mut Ctxt, tokens: &dyn ToTokens, message: &str| {
        cx.error_spanned_by(tokens.to_token_stream(), message);
        ok = false;
    };

    if let Some(FnArg::Receiver(receiver)) = sig.inputs.first() {
        match &receiver.kind {
            ReceiverKind::Reference(..) => {}
            ReceiverKind::Value => fail(
                cx,
                receiver,
                "`self` by value is not a message handler; take `&self` or `&mut self` \
                 (or mark the method `#[skip]`)",
            ),
            _ => fail(
                cx,
                receiver,
                "a typed `self` receiver is not a message handler; take `&self` or `&mut self` \
                 (or mark the method `#[skip]`)",
            ),
        }
    }
    if !sig.generics.params.is_empty() {
        fail(
            cx,
            &sig.generics,
            "a message handler cannot have generic parameters of its own: its message is a \
             variant of the actor's message enum, which carries only the `impl` block's \
             parameters; put the parameter on the block (`impl<T: Send + 'static> Name<T>`), \
             or mark the method `#[skip]`",
        );
    } else if let Some(where_clause) = &sig.generics.where_clause {
        fail(
            cx,
            where_clause,
            "a message handler cannot have a `where` clause of its own: its message is a \
             variant of the actor's message enum, which has the `impl` block's bounds only; \
             move the bound to the block's `where` clause, or mark the method `#[skip]`",
        );
    }
    if let syn::Safety::Unsafe(unsafety) = &sig.safety {
        fail(
            cx,
            unsafety,
            "a message handler cannot be `unsafe`; remove `unsafe` (or mark the method `#[skip]`)",
        );
    }
    if let Some(abi) = &sig.abi {
        fail(
            cx,
            abi,
            "a message handler cannot have an `extern` ABI; remove it",
        );
    }

    let mut args = Vec::new();
    let mut takes_context = false;
    let typed: Vec<&syn::PatType> = sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            FnArg::Typed(typed) => Some(typed),
            FnArg::Receiver(_) => None,
        })
        .collect();
    for (index, arg) in typed.iter().enumerate() {
        let is_last = index + 1 == typed.len();
        match context_param(&arg.ty) {
            Some(true) if is_last => {
                takes_context = true;
                continue;
            }
            Some(true) => {
                fail(
                    cx,
                    &arg.ty,
                    "the context parameter comes last: move `ctx: &mut Context<Self>` to the end",
                );
                continue;
            }
            Some(false) => {
                fail(cx, &arg.ty, "take the context as `&mut Context<Self>`");
                continue;
            }
            None => {}
        }
        let ident = match &*arg.pat {
            Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => pat.ident.clone(),
            Pat::Wild(_) => {
                fail(
                    cx,
                    &arg.pat,
                    "name this argument: it becomes a field of the message, and `_` cannot",
                );
                continue;
            }
            other => {
                fail(
                    cx,
                    other,
                    "a message argument needs a plain name (`point: Point`), not a pattern: \
                     it becomes a field of the message",
                );
                continue;
            }
        };
        if ident == "reply" {
            fail(
                cx,
                &ident,
                "`reply` is the name of the reply channel each message carries; rename this argument",
            );
            continue;
        }
        if let Some(message) = argument_type_error(&arg.ty) {
            fail(cx, &arg.ty, message);
            continue;
        }
        args.push(Argument {
            ident,
            ty: replace_self(&arg.ty, self_ty),
        });
    }

    let reply = match &sig.output {
        ReturnType::Default => Reply::Unit,
        ReturnType::Type(_, ty) => match &**ty {
            Type::Tuple(tuple) if tuple.elems.is_empty() => Reply::Unit,
            Type::ImplTrait(_) => {
                fail(
                    cx,
                    ty,
                    "a reply needs a nameable type, not `impl Trait`: name the type (or box it)",
                );
                Reply::Unit
            }
            Type::Never(_) => {
                fail(
                    cx,
                    ty,
                    "a message handler must return; `!` cannot be a reply",
                );
                Reply::Unit
            }
            ty if is_result(ty) => Reply::Result(replace_self(ty, self_ty)),
            ty => Reply::Value(replace_self(ty, self_ty)),
        },
    };

    let carried_attrs = method
        .attrs
        .iter()
        .filter(|a| attr::is_carried(a))
        .cloned()
        .collect();
    if !ok {
        return Method::Rejected(stub(method, self_ty, carried_attrs, reply));
    }
    Method::Handler(Handler {
        variant: variant_name(&sig.ident),
        ident: sig.ident.clone(),
        vis: method.vis.clone(),
        carried_attrs,
        args,
        takes_context,
        is_async: sig.asyncness.is_some(),
        reply,
        high_priority: false,
        span: sig.ident.span(),
    })
}

/// The stub of a rejected method: the handle method the calls written for it expect. Its
/// arguments are the types as written, whatever was wrong with their patterns or with the
/// receiver; a context parameter, wherever it is, is left out, as for a handler.
fn stub(method: &ImplItemFn, self_ty: &Type, carried_attrs: Vec<Attribute>, reply: Reply) -> Stub {
    let sig = &method.sig;
    let arg_types = sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            FnArg::Typed(typed) if context_param(&typed.ty).is_none() => {
                Some(replace_self(&*typed.ty, self_ty))
            }
            _ => None,
        })
        .collect();
    let generics = generics_without_self(&sig.generics, self_ty);
    Stub {
        ident: sig.ident.clone(),
        vis: method.vis.clone(),
        carried_attrs,
        generics,
        unsafety: match sig.safety {
            syn::Safety::Unsafe(unsafety) => Some(unsafety),
            _ => None,
        },
        arg_types,
        reply,
        span: sig.ident.span(),
    }
}

/// `Some(true)` for `&mut Context<..>`, `Some(false)` for a `Context` taken another way,
/// `None` for any other type.
fn context_param(ty: &Type) -> Option<bool> {
    let (inner, mutable) = match ty {
        Type::Reference(r) => (&*r.elem, r.mutability.is_some()),
        other => (other, false),
    };
    let Type::Path(path) = inner else { return None };
    let last = path.path.segments.last()?;
    (last.ident == "Context").then_some(mutable && matches!(ty, Type::Reference(_)))
}

/// Why a type cannot travel in a message, if it cannot.
fn argument_type_error(ty: &Type) -> Option<&'static str> {
    match ty {
        Type::Reference(r) if r.lifetime.as_ref().is_none_or(|l| l.ident != "static") => Some(
            "a message argument must own its data (it travels to another task): \
             take `String` for `&str`, `Vec<T>` for `&[T]`, or an `Arc<T>`",
        ),
        Type::ImplTrait(_) => Some(
            "a message argument needs a nameable type, not `impl Trait`: name the type (or box it)",
        ),
        _ => None,
    }
}

fn is_result(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => {
            path.qself.is_none()
                && path
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "Result")
        }
        _ => false,
    }
}

/// Generics with every `Self` replaced (syn prints the parameters and the `where` clause
/// apart).
fn generics_without_self(generics: &syn::Generics, self_ty: &Type) -> syn::Generics {
    let mut generics = generics.clone();
    generics.params = generics
        .params
        .iter()
        .map(|param| replace_self(param, self_ty))
        .collect();
    generics.where_clause = generics
        .where_clause
        .as_ref()
        .map(|clause| replace_self(clause, self_ty));
    generics
}

/// The type (or generic parameter, or `where` clause) with every `Self` replaced by the actor's
/// type, for use outside the impl.
fn replace_self<T: Parse + ToTokens + Clone>(node: &T, self_ty: &Type) -> T {
    fn walk(tokens: TokenStream, self_ty: &TokenStream) -> TokenStream {
        tokens
            .into_iter()
            .flat_map(|tree| match tree {
                TokenTree::Ident(ident) if ident == "Self" => self_ty.clone(),
                TokenTree::Group(group) => {
                    let mut new = Group::new(group.delimiter(), walk(group.stream(), self_ty));
                    new.set_span(group.span());
                    TokenTree::Group(new).into_token_stream()
                }
                other => other.into_token_stream(),
            })
            .collect()
    }
    let replaced = walk(node.to_token_stream(), &self_ty.to_token_stream());
    syn::parse2(replaced).unwrap_or_else(|_| node.clone())
}
