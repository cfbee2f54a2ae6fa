//! The actor's task: starting, the message loop, stopping.

pub(crate) mod current;
mod finish;
mod message_loop;
mod spawn;
mod stop_children;
mod task;

pub(crate) use spawn::{await_start, spawn_child, spawn_root};
