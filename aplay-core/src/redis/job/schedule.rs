//! `Schedule`: when a periodic job fires, an interval or a cron expression (UTC), and the
//! slots it fires at.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// When a periodic job fires: every `period` ([`Schedule::every`], at the multiples of the
/// period since the Unix epoch, so every process agrees), or at the times of a cron
/// expression ([`Schedule::cron`], in UTC).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use aplay_core::redis::Schedule;
///
/// let hourly = Schedule::every(Duration::from_secs(3600));
/// assert_eq!(hourly.to_string(), "every 3600000ms");
/// let nightly = Schedule::cron("0 3 * * *")?;          // crontab's five fields: 03:00 UTC
/// let often = Schedule::cron("*/10 * * * * *")?;        // with seconds: every 10 s
/// let weekly = Schedule::cron("@weekly")?;
///
/// let error = Schedule::cron("0 3 * * mon-fry").unwrap_err();
/// assert_eq!((error.position(), error.field()), (8, Some("day of week")));
/// println!("{error}"); // names the expression, the field and where it is
/// # let _ = (nightly, often, weekly);
/// # Ok::<(), aplay_core::redis::ScheduleError>(())
/// ```
#[derive(Clone)]
pub struct Schedule {
    spec: Spec,
}

#[derive(Clone)]
enum Spec {
    /// In milliseconds, at least 1.
    Every(u64),
    Cron(Box<cron::Schedule>),
}

/// The names of a cron expression's fields, seconds first.
const FIELDS: [&str; 7] = [
    "second",
    "minute",
    "hour",
    "day of month",
    "month",
    "day of week",
    "year",
];

impl Schedule {
    /// Every `period` (at least a millisecond), at the multiples of `period` since the Unix
    /// epoch (UTC): `every(1 h)` fires on the hour.
    ///
    /// See the example on [`Schedule`].
    pub fn every(period: Duration) -> Schedule {
        let ms = u64::try_from(period.as_millis()).unwrap_or(u64::MAX).max(1);
        Schedule {
            spec: Spec::Every(ms),
        }
    }

    /// At the times of a cron expression, in UTC: five fields as in crontab (`minute hour
    /// day-of-month month day-of-week`), six with seconds first, seven with a year last, or
    /// a shorthand (`@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`).
    ///
    /// # Errors
    ///
    /// A [`ScheduleError`] naming the expression, the field that does not parse and its
    /// position (a byte offset), for an expression that does not parse.
    ///
    /// See the example on [`Schedule`].
    pub fn cron(expression: &str) -> Result<Schedule, ScheduleError> {
        let error = |position, field: Option<usize>, reason: String| ScheduleError {
            expression: expression.to_owned(),
            position,
            field: field.map(|f| FIELDS[f]),
            reason,
        };
        let trimmed = expression.trim_start();
        let start = expression.len() - trimmed.len();
        if trimmed.starts_with('@') {
            return cron::Schedule::from_str(trimmed.trim_end())
                .map(|s| Schedule {
                    spec: Spec::Cron(Box::new(s)),
                })
                .map_err(|e| error(start, None, e.to_string()));
        }
        // Each field with its offset in `expression`.
        let mut fields: Vec<(usize, &str)> = Vec::new();
        let mut offset = 0;
        for part in expression.split_ascii_whitespace() {
            let at = offset + expression[offset..].find(part).unwrap_or(0);
            fields.push((at, part));
            offset = at + part.len();
        }
        // Crontab's five fields: the seconds are 0.
        let first_field = if fields.len() == 5 { 1 } else { 0 };
        if !(5..=7).contains(&fields.len()) {
            let position = fields.get(7).map_or(expression.len(), |(at, _)| *at);
            return Err(error(
                position,
                None,
                format!(
                    "expected 5 fields (crontab), 6 (with seconds) or 7 (and a year), found {}",
                    fields.len()
                ),
            ));
        }
        let with = |replace: Option<usize>| -> String {
            let mut words: Vec<&str> = Vec::new();
            if first_field == 1 {
                words.push(if replace.is_some() { "*" } else { "0" });
            }
            for (i, (_, text)) in fields.iter().enumerate() {
                let field = i + first_field;
                words.push(match replace {
                    Some(keep) if keep != field => "*",
                    _ => text,
                });
            }
            words.join(" ")
        };
        match cron::Schedule::from_str(&with(None)) {
            Ok(schedule) => Ok(Schedule {
                spec: Spec::Cron(Box::new(schedule)),
            }),
            Err(whole) => {
                // Which field: each alone, the others `*`.
                for (i, (at, _)) in fields.iter().enumerate() {
                    let field = i + first_field;
                    if let Err(e) = cron::Schedule::from_str(&with(Some(field))) {
                        return Err(error(*at, Some(field), e.to_string()));
                    }
                }
                Err(error(start, None, whole.to_string()))
            }
        }
    }

    /// The text kept in Redis: `every {ms}ms` or `cron {expression}`.
    pub(crate) fn to_text(&self) -> String {
        match &self.spec {
            Spec::Every(ms) => format!("every {ms}ms"),
            Spec::Cron(schedule) => format!("cron {}", schedule.source()),
        }
    }

    /// The schedule kept in Redis as `text`; `None` for one that does not parse (written by
    /// another version).
    pub(crate) fn from_text(text: &str) -> Option<Schedule> {
        if let Some(ms) = text
            .strip_prefix("every ")
            .and_then(|t| t.strip_suffix("ms"))
        {
            return Some(Schedule {
                spec: Spec::Every(ms.parse().ok().filter(|ms| *ms > 0)?),
            });
        }
        let expression = text.strip_prefix("cron ")?;
        cron::Schedule::from_str(expression).ok().map(|s| Schedule {
            spec: Spec::Cron(Box::new(s)),
        })
    }

    /// The latest time it fires at (ms since the epoch) that is after `after` and not after
    /// `now`: the one slot to fire, however many passed since `after`. For a cron schedule,
    /// slots more than a week before `now` are not looked at.
    pub(crate) fn latest(&self, after: u64, now: u64) -> Option<u64> {
        let slot = match &self.spec {
            Spec::Every(period) => now - now % period,
            Spec::Cron(schedule) => {
                const WEEK: u64 = 7 * 24 * 3600 * 1000;
                let from = after.max(now.saturating_sub(WEEK));
                schedule
                    .after(&utc(from))
                    .map(|t| u64::try_from(t.timestamp_millis()).unwrap_or(0))
                    .take_while(|t| *t <= now)
                    .last()?
            }
        };
        (slot > after).then_some(slot)
    }

    /// The first time it fires at after `now` (ms since the epoch).
    pub(crate) fn next(&self, now: u64) -> Option<u64> {
        match &self.spec {
            Spec::Every(period) => Some((now / period + 1).saturating_mul(*period)),
            Spec::Cron(schedule) => schedule
                .after(&utc(now))
                .next()
                .map(|t| u64::try_from(t.timestamp_millis()).unwrap_or(0)),
        }
    }
}

fn utc(ms: u64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(i64::try_from(ms).unwrap_or(i64::MAX)).unwrap_or_default()
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Schedule").field(&self.to_text()).finish()
    }
}

/// A cron expression that does not parse, from [`Schedule::cron`]: the expression, where, and
/// why.
///
/// See the example on [`Schedule`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleError {
    expression: String,
    position: usize,
    field: Option<&'static str>,
    reason: String,
}

impl ScheduleError {
    /// The expression given.
    ///
    /// See the example on [`Schedule`].
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// Where in the expression the error is (a byte offset): the start of the field that
    /// does not parse.
    ///
    /// See the example on [`Schedule`].
    pub fn position(&self) -> usize {
        self.position
    }

    /// Which field does not parse (`"minute"`, `"day of week"`, ...), when one alone does not.
    ///
    /// See the example on [`Schedule`].
    pub fn field(&self) -> Option<&'static str> {
        self.field
    }
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the cron expression {:?} does not parse",
            self.expression
        )?;
        match self.field {
            Some(field) => write!(f, ": its {field} field, at {}", self.position)?,
            None => write!(f, " (at {})", self.position)?,
        }
        write!(f, ": {}", self.reason)?;
        write!(
            f,
            "\n  {}\n  {}^",
            self.expression,
            " ".repeat(
                self.expression[..self.position.min(self.expression.len())]
                    .chars()
                    .count()
            )
        )
    }
}

impl std::error::Error for ScheduleError {}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: u64 = 60_000;

    #[test]
    fn an_interval_fires_at_multiples_of_its_period() {
        let every = Schedule::every(Duration::from_secs(60));
        assert_eq!(every.latest(0, 5 * MINUTE + 10), Some(5 * MINUTE));
        assert_eq!(every.latest(5 * MINUTE, 5 * MINUTE + 10), None);
        assert_eq!(every.next(5 * MINUTE + 10), Some(6 * MINUTE));
        // Down for an hour: one fire, the latest.
        assert_eq!(every.latest(MINUTE, 61 * MINUTE + 1), Some(61 * MINUTE));
    }

    #[test]
    fn a_cron_schedule_fires_at_its_times_and_once_for_all_those_missed() {
        let hourly = Schedule::cron("0 * * * *").unwrap();
        let hour = 60 * MINUTE;
        assert_eq!(hourly.latest(0, 3 * hour + 5), Some(3 * hour));
        assert_eq!(hourly.latest(3 * hour, 3 * hour + 5), None);
        assert_eq!(hourly.next(3 * hour), Some(4 * hour));
        let text = hourly.to_text();
        let again = Schedule::from_text(&text).unwrap();
        assert_eq!(again.next(0), Some(hour));
        assert_eq!(
            Schedule::from_text("every 60000ms").unwrap().next(1),
            Some(MINUTE)
        );
        assert!(Schedule::from_text("hourly-ish").is_none());
    }

    #[test]
    fn a_bad_expression_names_its_field_and_position() {
        let error = Schedule::cron("0 3 * * mon-fry").unwrap_err();
        assert_eq!(error.position(), 8);
        assert_eq!(error.field(), Some("day of week"));
        assert_eq!(error.expression(), "0 3 * * mon-fry");
        let text = error.to_string();
        assert!(text.contains("day of week field, at 8"), "{text}");
        assert!(text.ends_with("\n  0 3 * * mon-fry\n          ^"), "{text}");

        let error = Schedule::cron("*/5 61 * * * *").unwrap_err();
        assert_eq!((error.position(), error.field()), (4, Some("minute")));
        let error = Schedule::cron("* * *").unwrap_err();
        assert_eq!((error.position(), error.field()), (5, None));
        assert!(error.to_string().contains("found 3"));
        assert!(Schedule::cron("@fortnightly").is_err());
    }
}
