//! The actor's task: starting, the message loop, stopping.

mod finish;
#[cfg(feature = "tracing")]
mod in_span;
mod message_loop;
mod on_demand;
mod spawn;
mod task;

pub(crate) use spawn::{await_start, spawn_child, spawn_root, spawn_supervised_child};
