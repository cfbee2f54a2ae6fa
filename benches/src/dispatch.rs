//! Each measurement on a chosen side: the one place that maps a [`Side`] to its code, for the
//! main table and the scaling table alike.

use std::future::Future;

use crate::peers::{actix, kameo, ractor, xtra};
use crate::scenarios::{ask, fan_in, ring, spawn, tell};
use crate::side::Side;
use crate::spawn_figures::SpawnFigures;
use crate::stop_order::Stop;

type Runtime = tokio::runtime::Runtime;

/// Runs `future` as a task on the runtime's workers (not on the main thread) and waits for it.
pub(crate) fn on<F>(runtime: &Runtime, future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime
        .block_on(runtime.spawn(future))
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// `n` tells to one actor, then an ask: messages per second.
pub(crate) fn tell(rt: &Runtime, side: Side, n: u64) -> f64 {
    match side {
        Side::Aplay | Side::AplayHook => on(rt, tell::aplay(n)),
        Side::Raw => on(rt, tell::raw(n)),
        Side::Kameo => on(rt, kameo::tell(n)),
        Side::Ractor => on(rt, ractor::tell(n)),
        Side::Actix => actix::tell(n),
        Side::Xtra => on(rt, xtra::tell(n)),
    }
}

/// `senders` concurrent senders of `each` tells to one actor, then an ask: messages per second.
pub(crate) fn fan_in(rt: &Runtime, side: Side, senders: usize, each: u64) -> f64 {
    match side {
        Side::Aplay | Side::AplayHook => on(rt, fan_in::aplay(senders, each)),
        Side::Raw => on(rt, fan_in::raw(senders, each)),
        Side::Kameo => on(rt, kameo::fan_in(senders, each)),
        Side::Ractor => on(rt, ractor::fan_in(senders, each)),
        Side::Actix => actix::fan_in(senders, each),
        Side::Xtra => on(rt, xtra::fan_in(senders, each)),
    }
}

/// `n` sequential asks: the mean round trip in nanoseconds.
pub(crate) fn ask(rt: &Runtime, side: Side, n: u64) -> f64 {
    match side {
        Side::Aplay | Side::AplayHook => on(rt, ask::aplay(n)),
        Side::Raw => on(rt, ask::raw(n)),
        Side::Kameo => on(rt, kameo::ask(n)),
        Side::Ractor => on(rt, ractor::ask(n)),
        Side::Actix => actix::ask(n),
        Side::Xtra => on(rt, xtra::ask(n)),
    }
}

/// `n` idle actors spawned (until all have started), then stopped as `stop` says.
pub(crate) fn spawn_stop(rt: &Runtime, side: Side, n: usize, stop: Stop) -> SpawnFigures {
    match side {
        Side::Aplay => on(rt, spawn::aplay(n, stop)),
        Side::AplayHook => on(rt, spawn::aplay_hook(n, stop)),
        Side::Raw => on(rt, spawn::raw(n, stop)),
        Side::Kameo => on(rt, kameo::spawn_stop(n, stop)),
        Side::Ractor => on(rt, ractor::spawn_stop(n, stop)),
        Side::Actix => actix::spawn_stop(n, stop),
        Side::Xtra => on(rt, xtra::spawn_stop(n, stop)),
    }
}

/// A ring of `actors` passing one token `hops` times: the mean hop in nanoseconds.
pub(crate) fn ring(rt: &Runtime, side: Side, actors: usize, hops: u64) -> f64 {
    match side {
        Side::Aplay | Side::AplayHook => on(rt, ring::aplay(actors, hops)),
        Side::Raw => on(rt, ring::raw(actors, hops)),
        Side::Kameo => on(rt, kameo::ring(actors, hops)),
        Side::Ractor => on(rt, ractor::ring(actors, hops)),
        Side::Actix => actix::ring(actors, hops),
        Side::Xtra => on(rt, xtra::ring(actors, hops)),
    }
}
