//! What the macro understood of the user's `impl` block.

use proc_macro2::Span;
use syn::{Attribute, Generics, Ident, Token, Type, Visibility};

/// An `#[actor] impl Name { .. }` block.
pub(crate) struct ActorImpl {
    /// The user's block, markers removed: emitted unchanged otherwise.
    pub(crate) item: syn::ItemImpl,
    /// The actor's type name (`Counter`, `Cache`).
    pub(crate) self_ident: Ident,
    /// The actor's type as written after `impl` (`Counter`, `Cache<K, V>`).
    pub(crate) self_ty: Type,
    /// The block's generics (`impl<K: Send + 'static> ..` and its `where` clause), `Self`
    /// replaced: every generated item carries them.
    pub(crate) generics: Generics,
    /// The methods with a receiver that are not `#[skip]`: the handlers and the rejected
    /// ones, in source order.
    pub(crate) methods: Vec<Method>,
}

/// A method with a receiver: a message handler, or one the macro rejected.
pub(crate) enum Method {
    Handler(Handler),
    /// A method with a mistake, already reported: it has no message, but the handle still
    /// gets a method of its name (a stub), so that the calls to it type-check and the mistake
    /// is one error rather than one more at every call site.
    Rejected(Stub),
}

impl Method {
    /// The handlers, and the stubs of the rejected methods, each in source order.
    pub(crate) fn split(methods: Vec<Method>) -> (Vec<Handler>, Vec<Stub>) {
        let mut handlers = Vec::new();
        let mut stubs = Vec::new();
        for method in methods {
            match method {
                Method::Handler(handler) => handlers.push(handler),
                Method::Rejected(stub) => stubs.push(stub),
            }
        }
        (handlers, stubs)
    }

    /// The method's name.
    pub(crate) fn ident(&self) -> &Ident {
        match self {
            Method::Handler(handler) => &handler.ident,
            Method::Rejected(stub) => &stub.ident,
        }
    }
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
    /// `#[handler(priority = high)]`: its messages overtake the normal ones.
    pub(crate) high_priority: bool,
    /// Where the method's name is, for errors in generated code.
    pub(crate) span: Span,
}

/// What a rejected method leaves for its handle method: a signature that the calls written
/// for the handler accept.
pub(crate) struct Stub {
    pub(crate) ident: Ident,
    pub(crate) vis: Visibility,
    /// Its doc comments and `cfg`s, as on a handler.
    pub(crate) carried_attrs: Vec<Attribute>,
    /// The method's own generics (`Self` replaced), which its argument types may name.
    pub(crate) generics: Generics,
    /// `unsafe`, if written, so that calls in an `unsafe` block stay as they are.
    pub(crate) unsafety: Option<Token![unsafe]>,
    /// The types of the message arguments, whatever their patterns (`Self` replaced).
    pub(crate) arg_types: Vec<Type>,
    /// The reply, or `Unit` when its type was rejected.
    pub(crate) reply: Reply,
    /// Where the method's name is.
    pub(crate) span: Span,
}

impl Stub {
    /// The stub of a handler that was read whole but breaks a rule among handlers.
    pub(crate) fn of(handler: Handler) -> Stub {
        Stub {
            ident: handler.ident,
            vis: handler.vis,
            carried_attrs: handler.carried_attrs,
            generics: Generics::default(),
            unsafety: None,
            arg_types: handler.args.into_iter().map(|arg| arg.ty).collect(),
            reply: handler.reply,
            span: handler.span,
        }
    }
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
