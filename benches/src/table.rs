//! The results tables: Markdown, with padded columns so they also read in a terminal.

use crate::Sizes;
use crate::figures::{Figure, Samples};
use crate::side::Side;
use crate::stats;

/// Which way a figure is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Better {
    /// Rates: the ratio is side / reference.
    Higher,
    /// Latencies and memory: the ratio is reference / side.
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
    pub(crate) fn format(self, value: f64) -> String {
        match self {
            Unit::Rate(suffix) => rate(value, suffix),
            Unit::Nanos => nanos(value),
            Unit::Bytes => bytes(value),
        }
    }
}

/// A figure of `side` as a ratio to the same figure of `reference`, written so that above 1.0
/// `side` is better: side / reference for rates, reference / side for latency and memory.
pub(crate) fn ratio(better: Better, side: Option<f64>, reference: Option<f64>) -> Option<f64> {
    match (side, reference) {
        (Some(s), Some(r)) if s > 0.0 && r > 0.0 => Some(match better {
            Better::Higher => s / r,
            Better::Lower => r / s,
        }),
        _ => None,
    }
}

/// The whole report: the header lines as a list, the table of medians (one row per figure, one
/// column per side), the ratios to raw and to aplay, the spreads, and each side's setup.
pub(crate) fn render(header: &[String], sizes: Sizes, sides: &[Side], samples: &Samples) -> String {
    let figures: Vec<Figure> = Figure::ALL
        .into_iter()
        .filter(|f| sides.iter().any(|&s| !samples.get(*f, s).is_empty()))
        .collect();
    let median = |f: Figure, s: Side| stats::median(samples.get(f, s));
    let side_titles = || sides.iter().map(|s| s.name().to_owned());

    let mut out = String::new();
    for line in header {
        out.push_str(&format!("- {line}\n"));
    }

    // Medians.
    let titles: Vec<String> = ["scenario", "figure"]
        .map(str::to_owned)
        .into_iter()
        .chain(side_titles())
        .collect();
    let rows: Vec<Vec<String>> = figures
        .iter()
        .map(|&f| {
            let values = sides
                .iter()
                .map(|&s| median(f, s).map_or_else(|| "-".to_owned(), |v| f.unit().format(v)));
            [f.work(sizes), f.metric().to_owned()]
                .into_iter()
                .chain(values)
                .collect()
        })
        .collect();
    out.push('\n');
    out.push_str(&markdown(&titles, 2, &rows));

    // Ratios to each reference that ran.
    for reference in [Side::Raw, Side::Aplay] {
        let others: Vec<Side> = sides.iter().copied().filter(|&s| s != reference).collect();
        if !sides.contains(&reference) || others.is_empty() {
            continue;
        }
        let titles: Vec<String> = std::iter::once(format!("vs {}", reference.name()))
            .chain(others.iter().map(|s| s.name().to_owned()))
            .collect();
        let rows: Vec<Vec<String>> = figures
            .iter()
            .map(|&f| {
                let cells = others.iter().map(|&s| {
                    ratio(f.better(), median(f, s), median(f, reference))
                        .map_or_else(|| "-".to_owned(), |r| format!("{r:.2}x"))
                });
                std::iter::once(f.short().to_owned()).chain(cells).collect()
            })
            .collect();
        out.push_str(&format!(
            "\nRatio to {}: above 1.00x is better than {} (rates: side / {}; latency and \
             memory: {} / side).\n\n",
            reference.name(),
            reference.name(),
            reference.name(),
            reference.name(),
        ));
        out.push_str(&markdown(&titles, 1, &rows));
    }

    // Spreads, when there are several runs.
    if figures
        .iter()
        .any(|&f| sides.iter().any(|&s| samples.get(f, s).len() > 1))
    {
        let titles: Vec<String> = std::iter::once("spread".to_owned())
            .chain(side_titles())
            .collect();
        let rows: Vec<Vec<String>> = figures
            .iter()
            .map(|&f| {
                let cells = sides.iter().map(|&s| {
                    stats::spread(samples.get(f, s))
                        .map_or_else(|| "-".to_owned(), |p| format!("{:.0}%", p * 100.0))
                });
                std::iter::once(f.short().to_owned()).chain(cells).collect()
            })
            .collect();
        out.push_str("\nSpread: (max - min) / median over the runs.\n\n");
        out.push_str(&markdown(&titles, 1, &rows));
    }

    // Setups.
    out.push_str("\nSetups:\n\n");
    for &side in sides {
        out.push_str(&format!("- **{}**: {}\n", side.version(), side.setup()));
    }
    out
}

/// A Markdown table with padded columns, so it also reads in a terminal; the first `left`
/// columns are left-aligned, the others (numbers) right-aligned.
pub(crate) fn markdown(titles: &[String], left: usize, rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = titles.iter().map(|t| t.chars().count().max(3)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, &w))| {
                if i < left {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let rule: Vec<String> = widths
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            let dashes = "-".repeat(w - 1);
            if i < left {
                format!(":{dashes}")
            } else {
                format!("{dashes}:")
            }
        })
        .collect();
    let mut out = line(titles);
    out.push_str(&format!("| {} |\n", rule.join(" | ")));
    for row in rows {
        out.push_str(&line(row));
    }
    out
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
        assert_eq!(ratio(Better::Higher, Some(2.0), Some(1.0)), Some(2.0));
        assert_eq!(ratio(Better::Lower, Some(2.0), Some(1.0)), Some(0.5));
        assert_eq!(ratio(Better::Lower, None, Some(1.0)), None);
        assert_eq!(ratio(Better::Lower, Some(-1.0), Some(1.0)), None);
    }

    #[test]
    fn tables() {
        let titles = ["a".to_owned(), "b".to_owned()];
        let rows = vec![vec!["xx".to_owned(), "1".to_owned()]];
        assert_eq!(
            markdown(&titles, 1, &rows),
            "| a   |   b |\n| :-- | --: |\n| xx  |   1 |\n"
        );
    }
}
