//! aplay on real Redis servers, one module per subject (one test binary, so that the tests of
//! every module share the test threads). Each test starts its own private `redis-server` (or
//! uses `APLAY_REDIS_URL`, in a namespace of its own); without one on the `PATH`, it fails
//! saying how to install it.

#[path = "../common/cutting_proxy.rs"]
mod cutting_proxy;
#[path = "../common/redis_actors.rs"]
mod redis_actors;
#[path = "../common/redis_cluster.rs"]
mod redis_cluster;
#[path = "../common/redis_server.rs"]
mod redis_server;

mod cluster;
mod faults;
mod jobs;
mod packs;
mod processes;
mod pubsub;
#[cfg(feature = "redis-tls")]
mod secure;
mod station;
mod task_queue;
