//! The figures the table reports, and the samples of every run collected for each.

use std::collections::BTreeMap;

use crate::Sizes;
use crate::side::Side;
use crate::spawn_figures::SpawnFigures;
use crate::units::{self, Better, Unit};

/// One figure: a row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Figure {
    TellRate,
    FanInRate,
    AskNanos,
    SpawnRate,
    BytesPerActor,
    StopRate,
    RingHopNanos,
}

impl Figure {
    /// Every figure, in the order of the table's rows.
    pub(crate) const ALL: [Figure; 7] = [
        Figure::TellRate,
        Figure::FanInRate,
        Figure::AskNanos,
        Figure::SpawnRate,
        Figure::BytesPerActor,
        Figure::StopRate,
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
            Figure::SpawnRate | Figure::BytesPerActor => format!("spawn: {actors} idle actors"),
            Figure::StopRate => format!("stop: {actors} idle actors"),
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
            Figure::SpawnRate => "spawn rate",
            Figure::BytesPerActor => "RSS per actor",
            Figure::StopRate => "stop rate",
            Figure::RingHopNanos => "mean hop",
        }
    }

    /// A short name, for the tables of ratios and spreads.
    pub(crate) fn short(self) -> &'static str {
        match self {
            Figure::TellRate => "tell throughput",
            Figure::FanInRate => "fan-in throughput",
            Figure::AskNanos => "ask round trip",
            Figure::SpawnRate => "spawn rate",
            Figure::BytesPerActor => "RSS per actor",
            Figure::StopRate => "stop rate",
            Figure::RingHopNanos => "ring hop",
        }
    }

    pub(crate) fn better(self) -> Better {
        match self {
            Figure::AskNanos | Figure::BytesPerActor | Figure::RingHopNanos => Better::Lower,
            _ => Better::Higher,
        }
    }

    pub(crate) fn unit(self) -> Unit {
        match self {
            Figure::TellRate | Figure::FanInRate => Unit::Rate("msg/s"),
            Figure::AskNanos | Figure::RingHopNanos => Unit::Nanos,
            Figure::BytesPerActor => Unit::Bytes,
            Figure::SpawnRate | Figure::StopRate => Unit::Rate("actors/s"),
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
    /// The three figures, for [`Samples::add`].
    pub(crate) fn figures(self) -> Vec<(Figure, f64)> {
        vec![
            (Figure::SpawnRate, self.spawn_rate),
            (Figure::BytesPerActor, self.bytes_per_actor),
            (Figure::StopRate, self.stop_rate),
        ]
    }
}
