//! Handles to actors: the typed [`ActorRef`], the untyped [`AnyRef`], and the raw ref the
//! generated handle methods send through.

mod actor_ref;
mod any_ref;

pub use crate::actor::raw::{BareHandle, Handle, RawRef};
pub use actor_ref::ActorRef;
pub use any_ref::AnyRef;
#[cfg_attr(not(any(feature = "redis", feature = "testkit")), allow(dead_code))]
mod stand_in;

#[cfg(feature = "testkit")]
pub(crate) use stand_in::child_stand_in;
#[cfg_attr(
    not(any(feature = "redis", feature = "testkit")),
    allow(unused_imports)
)]
pub(crate) use stand_in::{StandIn, stand_in};
