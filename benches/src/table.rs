//! The results tables: Markdown, with padded columns so they also read in a terminal.

use crate::Sizes;
use crate::figures::{Figure, Samples};
use crate::side::Side;
use crate::stats;
use crate::units::ratio;
pub(crate) use crate::units::{count, rate};

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
                std::iter::once(f.short()).chain(cells).collect()
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
                std::iter::once(f.short()).chain(cells).collect()
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

#[cfg(test)]
mod tests {
    use super::*;

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
