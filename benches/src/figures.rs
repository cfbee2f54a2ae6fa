//! The figures the table reports, and the samples of every run collected for each.

use std::collections::BTreeMap;

use crate::Sizes;
use crate::side::Side;
use crate::spawn_figures::SpawnFigures;
use crate::stop_order::Order;
use crate::units::{self, Better, Unit};

/// One figure: a row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Figure {
    TellRate,
    FanInRate,
    AskNanos,
    /// Spawn rate, the clock stopped once every actor has started.
    SpawnRate,
    /// Spawn rate, the clock stopped once the spawn calls have returned (aplay: with the
    /// default hooks).
    SpawnReturnedRate,
    RssPerActor,
    HeapPerActor,
    BlocksPerActor,
    /// Stop rate, all at once (after the spawn).
    StopAllRate,
    /// Stop rate, one by one in this order.
    StopRate(Order),
    /// Stop rate of the whole tree of [`Sizes::big_actors`].
    ShutdownRate,
    RingHopNanos,
}

impl Figure {
    /// Every figure, in the order of the table's rows.
    pub(crate) const ALL: [Figure; 14] = [
        Figure::TellRate,
        Figure::FanInRate,
        Figure::AskNanos,
        Figure::SpawnRate,
        Figure::SpawnReturnedRate,
        Figure::RssPerActor,
        Figure::HeapPerActor,
        Figure::BlocksPerActor,
        Figure::StopAllRate,
        Figure::StopRate(Order::OldestFirst),
        Figure::StopRate(Order::YoungestFirst),
        Figure::StopRate(Order::Shuffled),
        Figure::ShutdownRate,
        Figure::RingHopNanos,
    ];

    /// The work behind it, for the first column of the table.
    pub(crate) fn work(self, sizes: Sizes) -> String {
        let n = |v: u64| units::count(v as f64);
        let actors = n(sizes.actors as u64);
        match self {
            Figure::TellRate => format!("tell: {} tells + 1 ask", n(sizes.tells)),
            Figure::FanInRate => format!(
                "fan-in: {} senders x {} tells + 1 ask",
                crate::FAN_IN_SENDERS,
                n(sizes.fan_in_per_sender())
            ),
            Figure::AskNanos => format!("ask: {} sequential asks", n(sizes.asks)),
            Figure::SpawnRate
            | Figure::SpawnReturnedRate
            | Figure::RssPerActor
            | Figure::HeapPerActor
            | Figure::BlocksPerActor => format!("spawn: {actors} idle actors"),
            Figure::StopAllRate => format!("stop: {actors} idle actors, all at once"),
            Figure::StopRate(order) => {
                format!("stop: {actors} idle actors, one by one, {}", order.name())
            }
            Figure::ShutdownRate => format!(
                "shutdown: {} idle actors, all at once",
                n(sizes.big_actors as u64)
            ),
            Figure::RingHopNanos => format!(
                "ring: {} actors, {} hops",
                n(sizes.ring_actors as u64),
                n(sizes.ring_hops)
            ),
        }
    }

    /// What it is, in a few words.
    pub(crate) fn metric(self) -> &'static str {
        match self {
            Figure::TellRate | Figure::FanInRate => "throughput",
            Figure::AskNanos => "mean round trip",
            Figure::SpawnRate => "spawn rate, all started",
            Figure::SpawnReturnedRate => "spawn rate, calls returned",
            Figure::RssPerActor => "RSS per actor",
            Figure::HeapPerActor => "live heap per actor",
            Figure::BlocksPerActor => "heap blocks per actor",
            Figure::StopAllRate | Figure::StopRate(_) | Figure::ShutdownRate => "stop rate",
            Figure::RingHopNanos => "mean hop",
        }
    }

    /// A short name, for the tables of ratios and spreads.
    pub(crate) fn short(self) -> String {
        match self {
            Figure::TellRate => "tell throughput".to_owned(),
            Figure::FanInRate => "fan-in throughput".to_owned(),
            Figure::AskNanos => "ask round trip".to_owned(),
            Figure::SpawnRate => "spawn rate, all started".to_owned(),
            Figure::SpawnReturnedRate => "spawn rate, calls returned".to_owned(),
            Figure::RssPerActor => "RSS per actor".to_owned(),
            Figure::HeapPerActor => "heap per actor".to_owned(),
            Figure::BlocksPerActor => "heap blocks per actor".to_owned(),
            Figure::StopAllRate => "stop rate, all at once".to_owned(),
            Figure::StopRate(order) => format!("stop rate, {}", order.name()),
            Figure::ShutdownRate => "shutdown rate, big tree".to_owned(),
            Figure::RingHopNanos => "ring hop".to_owned(),
        }
    }

    pub(crate) fn better(self) -> Better {
        match self {
            Figure::AskNanos
            | Figure::RssPerActor
            | Figure::HeapPerActor
            | Figure::BlocksPerActor
            | Figure::RingHopNanos => Better::Lower,
            _ => Better::Higher,
        }
    }

    pub(crate) fn unit(self) -> Unit {
        match self {
            Figure::TellRate | Figure::FanInRate => Unit::Rate("msg/s"),
            Figure::AskNanos | Figure::RingHopNanos => Unit::Nanos,
            Figure::RssPerActor | Figure::HeapPerActor => Unit::Bytes,
            Figure::BlocksPerActor => Unit::Decimal,
            Figure::SpawnRate
            | Figure::SpawnReturnedRate
            | Figure::StopAllRate
            | Figure::StopRate(_)
            | Figure::ShutdownRate => Unit::Rate("actors/s"),
        }
    }
}

/// Every sample of every figure on every side, one per run.
#[derive(Debug, Default)]
pub(crate) struct Samples(BTreeMap<(Figure, Side), Vec<f64>>);

impl Samples {
    pub(crate) fn add(&mut self, side: Side, figures: &[(Figure, f64)]) {
        for &(figure, value) in figures {
            self.0.entry((figure, side)).or_default().push(value);
        }
    }

    /// The samples of `figure` on `side` (none if it did not run).
    pub(crate) fn get(&self, figure: Figure, side: Side) -> &[f64] {
        self.0.get(&(figure, side)).map_or(&[], Vec::as_slice)
    }
}

/// `figures` written out for the progress lines: `6.32 M msg/s`, ...
pub(crate) fn describe(figures: &[(Figure, f64)]) -> String {
    figures
        .iter()
        .map(|&(figure, value)| figure.unit().format(value))
        .collect::<Vec<_>>()
        .join(", ")
}

impl SpawnFigures {
    /// The figures of a spawn run followed by a stop of all at once: spawn rates, memory, and
    /// the stop rate, for [`Samples::add`].
    pub(crate) fn figures(self) -> Vec<(Figure, f64)> {
        let mut figures = vec![
            (Figure::SpawnRate, self.spawn_rate),
            (Figure::RssPerActor, self.rss_per_actor),
            (Figure::HeapPerActor, self.heap_per_actor),
            (Figure::BlocksPerActor, self.blocks_per_actor),
            (Figure::StopAllRate, self.stop_rate),
        ];
        if let Some(rate) = self.returned_rate {
            figures.push((Figure::SpawnReturnedRate, rate));
        }
        figures
    }
}
