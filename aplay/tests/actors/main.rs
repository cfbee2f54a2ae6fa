//! The actors in one process, one module per subject (one test binary: each binary links the
//! runtime again, and the README's test command builds them all).

#[path = "../common/mod.rs"]
mod common;

mod addresses;
mod context;
mod durations;
mod examples;
mod failures;
mod generic_actors;
mod inboxes;
mod kernel;
mod local_actors;
mod macro_shapes;
mod metrics;
mod metrics_example;
mod on_demand;
mod pools;
mod priority;
mod pubsub;
mod send_sync;
#[cfg(feature = "serde")]
mod serde_messages;
mod stopping;
mod streams;
mod supervision;
mod supervision_edges;
mod supervisor_example;
mod tell_ask;
#[cfg(feature = "testkit")]
mod testkit;
mod timers;
mod tree;
mod watch;
