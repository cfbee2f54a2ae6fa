//! Firing this path's periodic jobs: every `delayed_poll`, each one whose schedule has a time
//! between its last fire and now (by the Redis server's clock) is fired for the latest such
//! time. The fire compares and sets the last time in one script: once per time, whichever
//! process gets there first.

use std::collections::HashMap;
use std::sync::Arc;

use super::Shared;
use crate::actor::Dispatch;
use crate::redis::backoff::Backoff;
use crate::redis::error::RedisError;
use crate::redis::job::{Schedule, fire, names, read, server_now};
use crate::redis::lane::JobPriority;

pub(crate) async fn run<A: Dispatch>(shared: Arc<Shared<A>>) {
    let poll = shared.config().delayed_poll;
    let mut backoff = Backoff::new(
        shared.config().reconnect_initial,
        shared.config().reconnect_max,
    );
    let mut stopping = shared.stopping.subscribe();
    // The schedules read, by their text.
    let mut parsed: HashMap<String, Option<Schedule>> = HashMap::new();
    loop {
        let wait = match tick(&shared, &mut parsed).await {
            Ok(()) => {
                backoff.reset();
                poll
            }
            Err(error) => {
                let delay = backoff.next_delay();
                tracing::warn!(path = %shared.path, %error, ?delay, "redis: firing periodic jobs failed; retrying");
                delay
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stopping.wait_for(|s| *s) => return,
        }
    }
}

async fn tick<A: Dispatch>(
    shared: &Shared<A>,
    parsed: &mut HashMap<String, Option<Schedule>>,
) -> Result<(), RedisError> {
    let keys = &shared.station.keys;
    let path = shared.path.as_str();
    let mut conn = shared.station.connections.shared();
    let names = names(&mut conn, &keys.periodic_index(path)).await?;
    if names.is_empty() {
        return Ok(());
    }
    let now = server_now(&mut conn).await?;
    for name in names {
        let periodic = keys.periodic(path, &name);
        let Some((text, last)) = read(&mut conn, &periodic).await? else {
            continue;
        };
        let schedule = parsed.entry(text).or_insert_with_key(|text| {
            let schedule = Schedule::from_text(text);
            if schedule.is_none() {
                tracing::warn!(path, periodic = %name, schedule = %text, "redis: a periodic job's schedule does not parse here (written by another version?); it is not fired");
            }
            schedule
        });
        let Some(slot) = schedule
            .as_ref()
            .and_then(|s| s.latest(last.unwrap_or(0), now))
        else {
            continue;
        };
        let id = format!("{name}@{slot}");
        if fire(
            &mut conn,
            &periodic,
            shared.stream(JobPriority::Normal),
            &keys.job(path, &id),
            slot,
            &id,
        )
        .await?
        {
            tracing::debug!(path, periodic = %name, job = %id, "redis: a periodic job fired");
        }
    }
    Ok(())
}
