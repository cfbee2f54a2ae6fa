//! The results table: Markdown, with padded columns so it also reads in a terminal.

use crate::stats;

/// Which way a figure is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Better {
    /// Rates: the ratio is aplay / raw.
    Higher,
    /// Latencies and memory: the ratio is raw / aplay.
    Lower,
}

/// How a figure is written.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Unit {
    /// Per second, with a suffix such as `msg/s`.
    Rate(&'static str),
    /// Nanoseconds.
    Nanos,
    /// Bytes.
    Bytes,
}

impl Unit {
    fn format(self, value: f64) -> String {
        match self {
            Unit::Rate(suffix) => rate(value, suffix),
            Unit::Nanos => nanos(value),
            Unit::Bytes => bytes(value),
        }
    }
}

/// One line of the table: a figure measured on both sides.
#[derive(Debug)]
pub(crate) struct Row {
    scenario: String,
    metric: &'static str,
    aplay: Option<f64>,
    raw: Option<f64>,
    ratio: Option<f64>,
    unit: Unit,
    spread_aplay: Option<f64>,
    spread_raw: Option<f64>,
}

impl Row {
    pub(crate) fn new(
        scenario: String,
        metric: &'static str,
        better: Better,
        unit: Unit,
        aplay: &[f64],
        raw: &[f64],
    ) -> Row {
        let (a, r) = (stats::median(aplay), stats::median(raw));
        let ratio = match (a, r) {
            (Some(a), Some(r)) if a > 0.0 && r > 0.0 => Some(match better {
                Better::Higher => a / r,
                Better::Lower => r / a,
            }),
            _ => None,
        };
        Row {
            scenario,
            metric,
            aplay: a,
            raw: r,
            ratio,
            unit,
            spread_aplay: stats::spread(aplay),
            spread_raw: stats::spread(raw),
        }
    }

    fn cells(&self) -> [String; COLUMNS] {
        let value = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| self.unit.format(v));
        let pct =
            |s: Option<f64>| s.map_or_else(|| "-".to_owned(), |s| format!("{:.0}%", s * 100.0));
        [
            self.scenario.clone(),
            self.metric.to_owned(),
            value(self.aplay),
            value(self.raw),
            self.ratio
                .map_or_else(|| "-".to_owned(), |r| format!("{r:.2}x")),
            format!("{} / {}", pct(self.spread_aplay), pct(self.spread_raw)),
        ]
    }
}

const COLUMNS: usize = 6;

const TITLES: [&str; COLUMNS] = [
    "scenario",
    "figure",
    "aplay",
    "raw tokio",
    "aplay vs raw",
    "spread (aplay / raw)",
];

/// Numbers are right-aligned.
const RIGHT: [bool; COLUMNS] = [false, false, true, true, true, true];

/// The whole report: header lines as a list, the table, and how to read it.
pub(crate) fn render(header: &[String], rows: &[Row]) -> String {
    let cells: Vec<[String; COLUMNS]> = rows.iter().map(Row::cells).collect();
    let mut widths = TITLES.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }

    let mut out = String::new();
    for line in header {
        out.push_str(&format!("- {line}\n"));
    }
    out.push('\n');
    out.push_str(&line(&TITLES.map(str::to_owned), &widths));
    let rule: Vec<String> = widths
        .iter()
        .zip(RIGHT)
        .map(|(&w, right)| {
            let dashes = "-".repeat(w - 1);
            if right {
                format!("{dashes}:")
            } else {
                format!(":{dashes}")
            }
        })
        .collect();
    out.push_str(&format!("| {} |\n", rule.join(" | ")));
    for row in &cells {
        out.push_str(&line(row, &widths));
    }
    out.push_str(
        "\n\"aplay vs raw\": above 1.00x aplay is better (rates: aplay / raw; latency and \
         memory: raw / aplay).\n\"spread\": (max - min) / median over the runs.\n",
    );
    out
}

fn line(cells: &[String; COLUMNS], widths: &[usize; COLUMNS]) -> String {
    let padded: Vec<String> = cells
        .iter()
        .zip(widths)
        .zip(RIGHT)
        .map(|((cell, &w), right)| {
            if right {
                format!("{cell:>w$}")
            } else {
                format!("{cell:<w$}")
            }
        })
        .collect();
    format!("| {} |\n", padded.join(" | "))
}

/// `1234567.0` as `1,234,567`.
pub(crate) fn count(value: f64) -> String {
    let digits = format!("{:.0}", value);
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits.as_str()),
    };
    let mut out = sign.to_owned();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate with three significant digits: `4.56 M msg/s`, `812 k actors/s`.
pub(crate) fn rate(value: f64, suffix: &str) -> String {
    let (scaled, prefix) = if value >= 1e6 {
        (value / 1e6, "M ")
    } else if value >= 1e3 {
        (value / 1e3, "k ")
    } else {
        (value, "")
    };
    let decimals = if scaled >= 100.0 {
        0
    } else if scaled >= 10.0 {
        1
    } else {
        2
    };
    format!("{scaled:.decimals$} {prefix}{suffix}")
}

/// Nanoseconds: `1,234 ns`.
pub(crate) fn nanos(value: f64) -> String {
    format!("{} ns", count(value))
}

/// Bytes: `1,234 B`.
pub(crate) fn bytes(value: f64) -> String {
    format!("{} B", count(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(count(0.0), "0");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(1000.0), "1,000");
        assert_eq!(count(1_234_567.4), "1,234,567");
        assert_eq!(count(-1234.0), "-1,234");
    }

    #[test]
    fn rates() {
        assert_eq!(rate(4_561_000.0, "msg/s"), "4.56 M msg/s");
        assert_eq!(rate(812_300.0, "actors/s"), "812 k actors/s");
        assert_eq!(rate(12.0, "actors/s"), "12.0 actors/s");
    }

    #[test]
    fn ratios() {
        let rate = Row::new("s".into(), "f", Better::Higher, Unit::Bytes, &[2.0], &[1.0]);
        assert_eq!(rate.ratio, Some(2.0));
        let latency = Row::new("s".into(), "f", Better::Lower, Unit::Nanos, &[2.0], &[1.0]);
        assert_eq!(latency.ratio, Some(0.5));
    }
}
