//! What the macro understood of the user's `impl` block.

use proc_macro2::Span;
use syn::{Attribute, Ident, Type, Visibility};

/// An `#[actor] impl Name { .. }` block.
pub(crate) struct ActorImpl {
    /// The user's block, markers removed: emitted unchanged otherwise.
    pub(crate) item: syn::ItemImpl,
    /// The actor's type name (`Counter`).
    pub(crate) self_ident: Ident,
    /// The message handlers, in source order.
    pub(crate) handlers: Vec<Handler>,
}

/// One handler method: one message.
pub(crate) struct Handler {
    /// The method's name (`add_slowly`), also the handle method's.
    pub(crate) ident: Ident,
    /// The enum variant (`AddSlowly`).
    pub(crate) variant: Ident,
    pub(crate) vis: Visibility,
    /// Its doc comments and `cfg`s, copied onto the variant and the handle method.
    pub(crate) carried_attrs: Vec<Attribute>,
    /// The arguments, which become the variant's fields.
    pub(crate) args: Vec<Argument>,
    /// Whether it takes `&mut Context<Self>` last.
    pub(crate) takes_context: bool,
    pub(crate) is_async: bool,
    pub(crate) reply: Reply,
    /// Where the method's name is, for errors in generated code.
    pub(crate) span: Span,
}

/// A message argument.
pub(crate) struct Argument {
    pub(crate) ident: Ident,
    /// The type, with `Self` replaced by the actor's type (it is used outside the impl).
    pub(crate) ty: Type,
}

/// What a handler gives back.
pub(crate) enum Reply {
    /// Nothing: awaiting the handle method is a tell.
    Unit,
    /// A value: awaiting it is an ask.
    Value(Type),
    /// A `Result`: an ask; when told, an `Err` goes to `on_error`.
    Result(Type),
}

impl Reply {
    /// The reply type as written in generated code.
    pub(crate) fn ty(&self) -> Type {
        match self {
            Reply::Unit => syn::parse_quote!(()),
            Reply::Value(ty) | Reply::Result(ty) => ty.clone(),
        }
    }
}

/// The UpperCamelCase variant name of a snake_case method name.
pub(crate) fn variant_name(method: &Ident) -> Ident {
    let name = method.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name);
    let mut variant = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            variant.extend(c.to_uppercase());
            upper = false;
        } else {
            variant.push(c);
        }
    }
    if variant.is_empty() {
        variant.push_str("Message");
    }
    Ident::new(&variant, method.span())
}
