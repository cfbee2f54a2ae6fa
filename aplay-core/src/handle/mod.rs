//! Handles to actors: the typed [`ActorRef`], the untyped [`AnyRef`], and the raw ref the
//! generated handle methods send through.

mod actor_ref;
mod any_ref;
// Crate-visible for `__private`, which re-exports the seal of `Handle` from it.
pub(crate) mod raw;

pub use actor_ref::ActorRef;
pub use any_ref::AnyRef;
pub use raw::{BareHandle, Handle, RawRef};
#[cfg_attr(not(any(feature = "redis", feature = "testkit")), allow(dead_code))]
mod stand_in;

#[cfg(feature = "testkit")]
pub(crate) use stand_in::child_stand_in;
#[cfg_attr(
    not(any(feature = "redis", feature = "testkit")),
    allow(unused_imports)
)]
pub(crate) use stand_in::{StandIn, stand_in};
