//! Tables and times, as the commands print them.

use std::io::{self, Write};
use std::time::SystemTime;

/// Writes `rows` under `headers`, each column as wide as its widest cell.
pub(crate) fn table(
    out: &mut impl Write,
    headers: &[&str],
    rows: &[Vec<String>],
) -> io::Result<()> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: &mut dyn Iterator<Item = &str>| -> io::Result<()> {
        let mut text = String::new();
        for (i, (cell, width)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(cell);
            text.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, &mut headers.iter().copied())?;
    for row in rows {
        line(out, &mut row.iter().map(String::as_str))?;
    }
    Ok(())
}

/// A time as how long ago, or how long from now: `3.2 s ago`, `in 10 min`.
pub(crate) fn when(time: SystemTime) -> String {
    let now = SystemTime::now();
    match now.duration_since(time) {
        Ok(ago) => format!("{} ago", span(ago.as_secs_f64())),
        Err(ahead) => format!("in {}", span(ahead.duration().as_secs_f64())),
    }
}

fn span(secs: f64) -> String {
    if secs < 60.0 {
        format!("{secs:.1} s")
    } else if secs < 3600.0 {
        format!("{:.0} min", secs / 60.0)
    } else if secs < 48.0 * 3600.0 {
        format!("{:.1} h", secs / 3600.0)
    } else {
        format!("{:.1} days", secs / 86400.0)
    }
}

/// An optional time, or `-`.
pub(crate) fn maybe_when(time: Option<SystemTime>) -> String {
    time.map_or_else(|| "-".to_owned(), when)
}

/// Text cut to `most` characters (an error, say), on one line.
pub(crate) fn cut(text: &str, most: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= most {
        one_line
    } else {
        let mut cut: String = one_line.chars().take(most.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_table_lines_up_its_columns() {
        let mut out = Vec::new();
        let rows = vec![
            vec!["/jobs".into(), "12".into()],
            vec!["/a".into(), "3".into()],
        ];
        table(&mut out, &["PATH", "UNREAD"], &rows).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "PATH   UNREAD\n/jobs  12\n/a     3\n"
        );
    }

    #[test]
    fn times_read_as_spans() {
        let now = SystemTime::now();
        assert!(when(now - Duration::from_secs(90)).ends_with("min ago"));
        assert!(when(now + Duration::from_secs(7200)).starts_with("in 2.0 h"));
        assert_eq!(maybe_when(None), "-");
        assert_eq!(cut("a\nb", 10), "a b");
        assert_eq!(cut("abcdef", 4), "abc…");
    }
}
