//! The actor's task: starting, the message loop, stopping.

pub(crate) mod current;
mod finish;
#[cfg(feature = "tracing")]
mod in_span;
mod message_loop;
mod spawn;
mod stop_children;
mod task;

pub(crate) use finish::finalize;
pub(crate) use spawn::{Factory, await_start, spawn_child, spawn_root, spawn_supervised_child};
pub(crate) use stop_children::{stop_child, wait_or_kill};
