//! How a figure is judged and written: which way is better, the ratio of two sides, and
//! numbers as the tables show them (`1,234,567`, `4.56 M msg/s`, `1,234 ns`).

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
    /// A plain number with one decimal (blocks per actor).
    Decimal,
}

impl Unit {
    pub(crate) fn format(self, value: f64) -> String {
        match self {
            Unit::Rate(suffix) => rate(value, suffix),
            Unit::Nanos => nanos(value),
            Unit::Bytes => bytes(value),
            Unit::Decimal => format!("{value:.1}"),
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
}
