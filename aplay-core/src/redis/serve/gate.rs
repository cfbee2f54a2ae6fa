//! The gate between reading entries and handing them to the actor: nothing starts while the
//! queue is paused; the jobs of a rate key over its limit go back to the delayed set until
//! their key's next period; and no more start per period than the path's rate limit allows
//! (the rest wait in hand).

use std::collections::BTreeMap;
use std::time::Duration;

use super::Shared;
use super::held::Held;
use crate::redis::backoff::Backoff;
use crate::redis::entry::{JOB, MESSAGE, RATE_KEY};
use crate::redis::job::{Postponed, postpone};
use crate::redis::queue::{RateLimit, take, take_each};
use crate::wire::Wire;

impl<A: Wire> Shared<A> {
    /// Waits while the queue is paused; `false` when stopping meanwhile.
    pub(crate) async fn wait_while_paused(&self) -> bool {
        if !self.settings.borrow().paused {
            return true;
        }
        tracing::info!(path = %self.path, "redis: the queue is paused; waiting");
        let mut settings = self.settings.subscribe();
        let mut stopping = self.stopping.subscribe();
        tokio::select! {
            resumed = settings.wait_for(|s| !s.paused) => resumed.is_ok(),
            _ = stopping.wait_for(|s| *s) => false,
        }
    }

    /// Hands `entries` to the actor once the queue is not paused, and as its rate limits
    /// allow.
    pub(crate) async fn start(&self, mut entries: Vec<Held>, backoff: &mut Backoff) {
        if !self.wait_while_paused().await {
            return;
        }
        let key_rate = self.settings.borrow().key_rate;
        if let Some(rate) = key_rate {
            entries = self.within_key_limits(entries, rate, backoff).await;
        }
        while !entries.is_empty() {
            if !self.wait_while_paused().await {
                return;
            }
            let rate = self.settings.borrow().rate;
            let Some(rate) = rate else {
                self.dispatch_all(entries).await;
                return;
            };
            let mut conn = self.station.connections.shared();
            let counter = self.station.keys.rate(self.path.as_str());
            let wait = match take(&mut conn, &counter, rate, entries.len()).await {
                Ok((granted, wait)) => {
                    backoff.reset();
                    let later = entries.split_off(granted.min(entries.len()));
                    self.dispatch_all(entries).await;
                    entries = later;
                    wait
                }
                Err(error) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(path = %self.path, %error, ?delay, "redis: the rate limit cannot be read; waiting");
                    delay
                }
            };
            if entries.is_empty() {
                return;
            }
            let mut stopping = self.stopping.subscribe();
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                // Given up: they stay pending, for a later start or another worker.
                _ = stopping.wait_for(|s| *s) => return,
            }
        }
    }

    /// The entries whose rate key (if any) is within its limit; the jobs over it are put back
    /// into the delayed set, due at their key's next period.
    async fn within_key_limits(
        &self,
        entries: Vec<Held>,
        rate: RateLimit,
        backoff: &mut Backoff,
    ) -> Vec<Held> {
        let mut wants: BTreeMap<String, usize> = BTreeMap::new();
        for held in &entries {
            if let (Some(key), Some(_)) = (held.entry.text(RATE_KEY), held.entry.field(JOB)) {
                *wants.entry(key.to_owned()).or_default() += 1;
            }
        }
        if wants.is_empty() {
            return entries;
        }
        let path = self.path.as_str();
        let counters: Vec<(String, usize)> = wants
            .iter()
            .map(|(key, want)| (self.station.keys.key_rate(path, key), *want))
            .collect();
        let mut conn = self.station.connections.shared();
        let (granted, wait) = loop {
            match take_each(&mut conn, &counters, rate).await {
                Ok(taken) => break taken,
                Err(error) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(path, %error, ?delay, "redis: the rate limits per key cannot be read; waiting");
                    if self.is_stopping() {
                        return entries;
                    }
                    tokio::time::sleep(delay).await;
                }
            }
        };
        backoff.reset();
        let mut left: BTreeMap<&str, usize> =
            wants.keys().map(String::as_str).zip(granted).collect();
        let delayed = self.station.keys.delayed(path);
        let mut kept = Vec::with_capacity(entries.len());
        for held in entries {
            let Some(key) = held.entry.text(RATE_KEY) else {
                kept.push(held);
                continue;
            };
            match left.get_mut(key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    kept.push(held);
                }
                Some(_) => self.postpone(held, &delayed, wait).await,
                None => kept.push(held),
            }
        }
        kept
    }

    /// Puts the job `held` back into the delayed set, due in `after`; one that cannot be
    /// (a Redis fault) stays pending here, delivered again later.
    async fn postpone(&self, held: Held, delayed: &str, after: Duration) {
        let (Some(id), Some(message)) = (held.entry.text(JOB), held.entry.field(MESSAGE)) else {
            return;
        };
        let job = Postponed {
            stream: self.stream(held.lane),
            entry: held.id(),
            id,
            record: self.station.keys.job(self.path.as_str(), id),
            message,
        };
        let mut conn = self.station.connections.shared();
        match postpone(&mut conn, delayed, self.group(), &job, after).await {
            Ok(_) => {
                tracing::debug!(path = %self.path, job = id, ?after, "redis: a job over its rate key's limit waits for the next period");
            }
            Err(error) => {
                tracing::warn!(path = %self.path, job = id, %error, "redis: cannot put a job over its rate key's limit back; it stays pending");
            }
        }
    }
}
