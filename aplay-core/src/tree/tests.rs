//! The snapshot and its rendering, on trees built by hand and by a running system.

use std::time::Duration;

use super::render::{write_actor, write_duration, write_short_type};
use super::*;

struct Short(&'static str);

impl fmt::Display for Short {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_short_type(f, self.0)
    }
}

struct Line(ActorInfo);

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_actor(f, self.0.path.name(), &self.0)
    }
}

fn info(state: ActorState) -> ActorInfo {
    ActorInfo {
        path: ActorPath::parse("/app/worker").unwrap(),
        actor_type: "my_app::jobs::Worker",
        state,
        stopped_by_person: false,
        restarts: 0,
        messages_handled: 7,
        mailbox_len: Some(2),
        mailbox_capacity: Some(16),
        mailbox_high_water: None,
        handler_time: None,
        last_error: None,
        panics: 0,
        asks_timed_out: 0,
    }
}

#[test]
fn an_actor_line_says_its_state_and_counters() {
    let cases = [
        (info(ActorState::Starting), "starting, mailbox 2, 7 handled"),
        (info(ActorState::Running), "running, mailbox 2, 7 handled"),
        (info(ActorState::Stopping), "stopping, mailbox 2, 7 handled"),
        (
            info(ActorState::Restarting),
            "restarting, mailbox 2, 7 handled",
        ),
        (info(ActorState::Stopped), "stopped, mailbox 2, 7 handled"),
        (
            ActorInfo {
                stopped_by_person: true,
                ..info(ActorState::Stopping)
            },
            "stopping, stopped by a person, mailbox 2, 7 handled",
        ),
        (
            ActorInfo {
                stopped_by_person: true,
                mailbox_len: None,
                ..info(ActorState::Stopped)
            },
            "stopped by a person, 7 handled",
        ),
        (
            ActorInfo {
                restarts: 1,
                ..info(ActorState::Running)
            },
            "running, 1 restart, mailbox 2, 7 handled",
        ),
        (
            ActorInfo {
                restarts: 3,
                mailbox_len: None,
                ..info(ActorState::Restarting)
            },
            "restarting, 3 restarts, 7 handled",
        ),
        (
            ActorInfo {
                mailbox_high_water: Some(9),
                handler_time: Some(HandlerTime {
                    total: Duration::from_micros(1_234),
                    max: Duration::from_nanos(310_400),
                }),
                ..info(ActorState::Running)
            },
            "running, mailbox 2 (peak 9), 7 handled in 1.23ms (longest 310µs)",
        ),
        (
            ActorInfo {
                mailbox_len: None,
                mailbox_high_water: Some(40),
                handler_time: Some(HandlerTime::default()),
                ..info(ActorState::Running)
            },
            "running, mailbox peak 40, 7 handled in 0ns (longest 0ns)",
        ),
    ];
    for (info, tail) in cases {
        assert_eq!(Line(info).to_string(), format!("worker (Worker) {tail}"));
    }
}

struct Took(Duration);

impl fmt::Display for Took {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_duration(f, self.0)
    }
}

#[test]
fn durations_show_three_significant_digits() {
    let cases = [
        (Duration::ZERO, "0ns"),
        (Duration::from_nanos(999), "999ns"),
        (Duration::from_nanos(1_000), "1.00µs"),
        (Duration::from_nanos(12_345), "12.3µs"),
        (Duration::from_nanos(123_456), "123µs"),
        (Duration::from_micros(1_500), "1.50ms"),
        (Duration::from_millis(250), "250ms"),
        (Duration::from_secs(2), "2.00s"),
        (Duration::from_secs(4_000), "4000s"),
    ];
    for (duration, text) in cases {
        assert_eq!(Took(duration).to_string(), text, "{duration:?}");
    }
}

#[test]
fn type_names_keep_their_last_segments() {
    let cases = [
        ("my_app::Worker", "Worker"),
        ("Worker", "Worker"),
        ("my_app::Pool<my_app::jobs::Job>", "Pool<Job>"),
        (
            "alloc::collections::btree::map::BTreeMap<u8, (a::B, &c::D)>",
            "BTreeMap<u8, (B, &D)>",
        ),
        ("[my::T; 4]", "[T; 4]"),
        ("", ""),
    ];
    for (full, short) in cases {
        assert_eq!(Short(full).to_string(), short, "{full}");
    }
}
