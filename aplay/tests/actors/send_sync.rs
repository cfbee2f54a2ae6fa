//! Which public types cross threads: handles, errors, the system and request futures must.

use crate::common::Probe;
use aplay::prelude::*;
use aplay::request::{AskFuture, TellFuture};

fn send_sync<T: Send + Sync>() {}
fn send<T: Send>() {}
fn clone<T: Clone>() {}

#[test]
fn handles_and_errors_cross_threads() {
    send_sync::<ActorRef<Probe>>();
    clone::<ActorRef<Probe>>();
    send_sync::<AnyRef>();
    clone::<AnyRef>();
    send_sync::<System>();
    send_sync::<Error>();
    send_sync::<StopReason>();
    send_sync::<ActorPath>();
    send::<TellFuture<'static, Probe>>();
    send::<AskFuture<'static, Probe, u64>>();
    assert_eq!(
        std::mem::size_of::<ActorRef<Probe>>(),
        std::mem::size_of::<usize>(),
        "one pointer wide"
    );
}

#[test]
fn errors_convert_into_boxed_errors() {
    fn takes(_: Box<dyn std::error::Error + Send + Sync>) {}
    let err = Error::NotFound { path: "/x".into() };
    takes(err.into());
}
