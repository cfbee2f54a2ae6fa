//! The actors of the Redis tests: their messages cross processes.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use aplay::prelude::*;
use tokio::sync::mpsc;

/// Where a worker reports what it handled.
#[derive(Clone)]
pub enum Report {
    /// `handled {n} {label}` lines on stdout (a child process's signal to its parent).
    Stdout(String),
    /// The numbers, on a channel (a test in one process).
    Channel(mpsc::UnboundedSender<u64>),
}

/// A worker of numbered jobs.
#[actor]
pub struct Jobs {
    pub report: Report,
    pub handled: u64,
    /// Holds the job with this number forever (so a test can kill the process mid-way).
    pub hold_at: Option<u64>,
    /// Every job whose number is a multiple of this (but 0) takes `slow` to handle.
    pub slow_every: Option<u64>,
    pub slow: Duration,
}

#[actor(serde)]
impl Jobs {
    pub fn new(report: Report) -> Self {
        Jobs {
            report,
            handled: 0,
            hold_at: None,
            slow_every: None,
            slow: Duration::ZERO,
        }
    }

    pub async fn run(&mut self, n: u64) {
        if self.hold_at == Some(n) {
            if let Report::Stdout(label) = &self.report {
                println!("holding {n} {label}");
            }
            std::future::pending::<()>().await;
        }
        if self
            .slow_every
            .is_some_and(|every| n != 0 && n.is_multiple_of(every))
        {
            tokio::time::sleep(self.slow).await;
        }
        self.handled += 1;
        match &self.report {
            Report::Stdout(label) => println!("handled {n} {label}"),
            Report::Channel(tx) => {
                let _ = tx.send(n);
            }
        }
    }

    pub fn count(&self) -> u64 {
        self.handled
    }

    pub async fn echo(&self, n: u64, delay_ms: u64) -> u64 {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        n
    }

    pub fn poison(&self, n: u64) -> Result<(), String> {
        Err(format!("poisoned {n}"))
    }

    /// Returns even numbers; fails for odd ones.
    pub fn even_only(&self, n: u64) -> Result<u64, String> {
        if n.is_multiple_of(2) {
            Ok(n)
        } else {
            Err(format!("odd {n}"))
        }
    }

    pub fn panic(&self, n: u64) {
        panic!("boom {n}");
    }

    /// Reports the time (ms) of the periodic fire it runs for, read from its job's id
    /// (`{name}@{time}`); 0 when not run as a periodic job.
    pub fn tick(&mut self, ctx: &mut Context<Self>) {
        let slot = aplay::redis::Job::of(ctx)
            .and_then(|job| job.id().rsplit_once('@')?.1.parse().ok())
            .unwrap_or(0);
        match &self.report {
            Report::Stdout(label) => println!("handled {slot} {label}"),
            Report::Channel(tx) => {
                let _ = tx.send(slot);
            }
        }
    }

    /// Takes `steps` steps of 20 ms, recording its progress after each, and gives up when
    /// its job is cancelled; returns its attempt. Fails when not run as a job.
    pub async fn patient(&mut self, steps: u32, ctx: &mut Context<Self>) -> Result<u32, String> {
        let Some(job) = aplay::redis::Job::of(ctx) else {
            return Err("not a job".into());
        };
        for step in 1..=steps {
            tokio::select! {
                () = job.cancelled() => return Err(format!("cancelled before step {step}")),
                () = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
            job.progress(format!("{step}/{steps}"))
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(job.attempt())
    }
}

/// An actor of another type, for lookups that must fail.
#[actor]
pub struct Other;

#[actor(serde)]
impl Other {
    pub fn ping(&self) -> u8 {
        1
    }
}

/// Serves `Jobs` at `/jobs` in `system`, reporting what it handles on the returned channel.
pub async fn serve_jobs(
    station: &aplay::redis::RedisStation,
    system: &System,
) -> (aplay::redis::Serving<Jobs>, mpsc::UnboundedReceiver<u64>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let serving = station
        .serve(system, "/jobs", move || {
            Jobs::new(Report::Channel(tx.clone()))
        })
        .await
        .unwrap();
    (serving, rx)
}
