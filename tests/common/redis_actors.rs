//! The actors of the Redis tests: their messages cross processes.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use aplay::__private::{AskRequest, Handle, RawRef, ReplyTo, TellRequest, reply, reply_or_report};
use aplay::Dispatch;
use aplay::prelude::*;
use aplay_core::wire::{
    OutcomeReceiver, ReplyCompleter, Wire, expect_outcome, expect_result_outcome, take_reply,
};
use serde::{Deserialize, Serialize};
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
pub struct Jobs {
    pub report: Report,
    pub handled: u64,
    /// Holds the job with this number forever (so a test can kill the process mid-way).
    pub hold_at: Option<u64>,
    /// Every job whose number is a multiple of this (but 0) takes `slow` to handle.
    pub slow_every: Option<u64>,
    pub slow: Duration,
}

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

    async fn run(&mut self, n: u64) {
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

    fn count(&self) -> u64 {
        self.handled
    }

    async fn echo(&self, n: u64, delay_ms: u64) -> u64 {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        n
    }

    fn poison(&self, n: u64) -> Result<(), String> {
        Err(format!("poisoned {n}"))
    }

    fn panic(&self, n: u64) {
        panic!("boom {n}");
    }
}

impl Actor for Jobs {}

#[derive(Serialize, Deserialize)]
pub enum JobsMsg {
    Run {
        n: u64,
        #[serde(skip)]
        reply: Option<ReplyTo<()>>,
    },
    Count {
        #[serde(skip)]
        reply: Option<ReplyTo<u64>>,
    },
    Echo {
        n: u64,
        delay_ms: u64,
        #[serde(skip)]
        reply: Option<ReplyTo<u64>>,
    },
    Poison {
        n: u64,
        #[serde(skip)]
        reply: Option<ReplyTo<Result<(), String>>>,
    },
    Panic {
        n: u64,
        #[serde(skip)]
        reply: Option<ReplyTo<()>>,
    },
}

impl Dispatch for Jobs {
    type Msg = JobsMsg;
    type Handle = JobsHandle;

    async fn dispatch(&mut self, msg: JobsMsg, ctx: &mut Context<Self>) {
        match msg {
            JobsMsg::Run { n, reply: r } => {
                let value = self.run(n).await;
                reply(r, value);
            }
            JobsMsg::Count { reply: r } => reply(r, self.count()),
            JobsMsg::Echo {
                n,
                delay_ms,
                reply: r,
            } => {
                let value = self.echo(n, delay_ms).await;
                reply(r, value);
            }
            JobsMsg::Poison { n, reply: r } => {
                let value = self.poison(n);
                reply_or_report(self, ctx, "poison", r, value);
            }
            JobsMsg::Panic { n, reply: r } => {
                self.panic(n);
                reply(r, ());
            }
        }
    }

    fn message_name(msg: &JobsMsg) -> &'static str {
        match msg {
            JobsMsg::Run { .. } => "run",
            JobsMsg::Count { .. } => "count",
            JobsMsg::Echo { .. } => "echo",
            JobsMsg::Poison { .. } => "poison",
            JobsMsg::Panic { .. } => "panic",
        }
    }

    fn is_ask(msg: &JobsMsg) -> bool {
        match msg {
            JobsMsg::Run { reply, .. } | JobsMsg::Panic { reply, .. } => reply.is_some(),
            JobsMsg::Count { reply } | JobsMsg::Echo { reply, .. } => reply.is_some(),
            JobsMsg::Poison { reply, .. } => reply.is_some(),
        }
    }
}

impl Wire for Jobs {
    fn expect_outcome(msg: &mut JobsMsg) -> OutcomeReceiver {
        match msg {
            JobsMsg::Run { reply, .. } | JobsMsg::Panic { reply, .. } => expect_outcome(reply),
            JobsMsg::Count { reply } | JobsMsg::Echo { reply, .. } => expect_outcome(reply),
            JobsMsg::Poison { reply, .. } => expect_result_outcome(reply),
        }
    }

    fn take_reply(msg: &mut JobsMsg) -> Option<ReplyCompleter> {
        match msg {
            JobsMsg::Run { reply, .. } | JobsMsg::Panic { reply, .. } => take_reply(reply),
            JobsMsg::Count { reply } | JobsMsg::Echo { reply, .. } => take_reply(reply),
            JobsMsg::Poison { reply, .. } => take_reply(reply),
        }
    }
}

#[derive(Clone)]
pub struct JobsHandle {
    raw: RawRef<Jobs>,
}

impl Handle<Jobs> for JobsHandle {
    fn from_raw(raw: RawRef<Jobs>) -> Self {
        JobsHandle { raw }
    }
    fn raw(&self) -> &RawRef<Jobs> {
        &self.raw
    }
}

impl JobsHandle {
    pub fn run(&self, n: u64) -> TellRequest<'_, Jobs, u64, ()> {
        TellRequest::new(&self.raw, n, |n, reply| JobsMsg::Run { n, reply })
    }
    pub fn count(&self) -> AskRequest<'_, Jobs, (), u64> {
        AskRequest::new(&self.raw, (), |(), reply| JobsMsg::Count { reply })
    }
    pub fn echo(&self, n: u64, delay_ms: u64) -> AskRequest<'_, Jobs, (u64, u64), u64> {
        AskRequest::new(&self.raw, (n, delay_ms), |(n, delay_ms), reply| {
            JobsMsg::Echo { n, delay_ms, reply }
        })
    }
    pub fn poison(&self, n: u64) -> AskRequest<'_, Jobs, u64, Result<(), String>> {
        AskRequest::new(&self.raw, n, |n, reply| JobsMsg::Poison { n, reply })
    }
    pub fn panic(&self, n: u64) -> TellRequest<'_, Jobs, u64, ()> {
        TellRequest::new(&self.raw, n, |n, reply| JobsMsg::Panic { n, reply })
    }
}

/// An actor of another type, for lookups that must fail.
pub struct Other;

impl Actor for Other {}

#[derive(Serialize, Deserialize)]
pub enum OtherMsg {}

impl Dispatch for Other {
    type Msg = OtherMsg;
    type Handle = aplay::BareHandle<Self>;
    async fn dispatch(&mut self, msg: OtherMsg, _ctx: &mut Context<Self>) {
        match msg {}
    }
    fn message_name(msg: &OtherMsg) -> &'static str {
        match *msg {}
    }
}

impl Wire for Other {
    fn expect_outcome(msg: &mut OtherMsg) -> OutcomeReceiver {
        match *msg {}
    }
    fn take_reply(msg: &mut OtherMsg) -> Option<ReplyCompleter> {
        match *msg {}
    }
}
