//! Builds the [`model`](crate::model) from the user's `impl` block, recording each mistake in
//! the [`Ctxt`] with a sentence saying what to write instead.

use proc_macro2::{Group, TokenStream, TokenTree};
use quote::ToTokens;
use syn::{FnArg, ImplItem, ImplItemFn, Pat, ReceiverKind, ReturnType, Type};

use crate::attr;
use crate::ctxt::Ctxt;
use crate::model::{ActorImpl, Argument, Handler, Reply, variant_name};

/// Reads an `impl` block. `None` when the block itself cannot be an actor's (a trait impl,
/// generics); handlers with mistakes are left out of the model, and their errors recorded.
pub(crate) fn actor_impl(
    mut item: syn::ItemImpl,
    cx: &mut Ctxt,
) -> Result<ActorImpl, Box<syn::ItemImpl>> {
    let mut fatal = false;
    if let Some((path, _)) = &item.trait_ {
        cx.error_spanned_by(
            path,
            "`#[actor]` goes on the actor's own `impl Name { .. }` block, not on a trait impl; \
             lifecycle hooks go in a plain `impl aplay::Actor for Name { .. }`",
        );
        fatal = true;
    }
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        cx.error_spanned_by(
            &item.generics,
            "`#[actor]` cannot carry generics: the message enum needs concrete types; \
             write the block for a concrete type",
        );
        fatal = true;
    }
    if let Some(unsafety) = &item.unsafety {
        cx.error_spanned_by(
            unsafety,
            "an `#[actor]` block cannot be `unsafe`; remove `unsafe`",
        );
        fatal = true;
    }
    let self_ident = match self_ident(&item.self_ty) {
        Some(ident) => ident,
        None => {
            cx.error_spanned_by(
                &item.self_ty,
                "`#[actor]` needs a plain type name here, like `impl Counter { .. }`",
            );
            return Err(Box::new(item));
        }
    };
    if fatal {
        return Err(Box::new(item));
    }

    let self_ty = (*item.self_ty).clone();
    let mut handlers = Vec::new();
    for impl_item in &mut item.items {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        let skip = method.attrs.iter().position(attr::is_skip);
        if let Some(index) = skip {
            attr::check_skip(&method.attrs[index], cx);
            method.attrs.remove(index);
            continue;
        }
        if method.sig.receiver().is_none() {
            continue; // an associated function (`fn new() -> Self`) stays as it is
        }
        if let Some(handler) = handler(method, &self_ty, cx) {
            handlers.push(handler);
        }
    }
    Ok(ActorImpl {
        item,
        self_ident,
        handlers,
    })
}

fn self_ident(ty: &Type) -> Option<syn::Ident> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    last.arguments.is_none().then(|| last.ident.clone())
}

/// Reads one method with a receiver. `None` (after recording why) if it cannot be a handler.
fn handler(method: &ImplItemFn, self_ty: &Type, cx: &mut Ctxt) -> Option<Handler> {
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
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        fail(
            cx,
            &sig.generics,
            "a message handler cannot be generic: its message needs concrete types; \
             use concrete types (or mark the method `#[skip]`)",
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

    ok.then(|| Handler {
        variant: variant_name(&sig.ident),
        ident: sig.ident.clone(),
        vis: method.vis.clone(),
        carried_attrs: method
            .attrs
            .iter()
            .filter(|a| attr::is_carried(a))
            .cloned()
            .collect(),
        args,
        takes_context,
        is_async: sig.asyncness.is_some(),
        reply,
        span: sig.ident.span(),
    })
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

/// The type with every `Self` replaced by the actor's type, for use outside the impl.
fn replace_self(ty: &Type, self_ty: &Type) -> Type {
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
    let replaced = walk(ty.to_token_stream(), &self_ty.to_token_stream());
    syn::parse2(replaced).unwrap_or_else(|_| ty.clone())
}
