//! The command line: the server, the namespace, and one command.

use std::ffi::OsString;
use std::time::Duration;

use aplay::redis::RateLimit;

/// What `aplay help` prints.
pub(crate) const USAGE: &str = "\
usage: aplay [--url URL] [--namespace NS] COMMAND

  --url URL         the Redis server (default: $APLAY_REDIS_URL, else redis://127.0.0.1:6379)
  --namespace NS    the station's namespace (default: $APLAY_NAMESPACE, else aplay)

commands:
  queues                      every queue: unread, in hand, delayed, dead, paused, rate
  queue PATH                  one queue: the same, its consumers and its periodic jobs
  job PATH ID                 a job's record: state, attempts, consumer, error, progress
  cancel PATH ID              cancel a job (delayed or queued: it never runs)
  dead PATH [--count N]       the oldest dead letters (20 by default)
  retry PATH (ID... | --all)  put dead letters back into the queue
  purge PATH (ID... | --all)  delete dead letters
  pause PATH                  its workers start nothing new
  resume PATH                 after a pause
  rate PATH (MAX/PERIOD | off)  at most MAX starts per PERIOD (500ms, 10s, 1m, 1h), all workers
  key-rate PATH (MAX/PERIOD | off)  the same for each rate key of the jobs on its own
  help                        this
";

/// A parsed command line.
#[derive(Debug)]
pub(crate) struct Args {
    pub(crate) url: String,
    pub(crate) namespace: String,
    pub(crate) command: Command,
}

/// What to do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    Queues,
    Queue(String),
    Job(String, String),
    Cancel(String, String),
    Dead { path: String, count: usize },
    Retry { path: String, ids: Selection },
    Purge { path: String, ids: Selection },
    Pause(String),
    Resume(String),
    Rate(String, Option<RateLimit>),
    KeyRate(String, Option<RateLimit>),
}

/// Some dead letters, or all of them.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Selection {
    All,
    Ids(Vec<String>),
}

impl Args {
    /// The command line, `None` for `help`.
    pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Option<Args>, String> {
        use lexopt::prelude::*;
        let mut parser = lexopt::Parser::from_args(args);
        let mut url = std::env::var("APLAY_REDIS_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "redis://127.0.0.1:6379".to_owned());
        let mut namespace = std::env::var("APLAY_NAMESPACE")
            .ok()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "aplay".to_owned());
        let mut words: Vec<String> = Vec::new();
        let mut count = 20;
        let mut all = false;
        while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
            match arg {
                Long("url") => url = text(parser.value())?,
                Long("namespace") => namespace = text(parser.value())?,
                Long("count") => {
                    let value = text(parser.value())?;
                    count = value
                        .parse()
                        .map_err(|_| format!("--count takes a number, not {value:?}"))?;
                }
                Long("all") => all = true,
                Short('h') | Long("help") => return Ok(None),
                Value(word) => words.push(text(Ok(word))?),
                other => return Err(other.unexpected().to_string()),
            }
        }
        let mut words = words.into_iter();
        let Some(name) = words.next() else {
            return Err("no command".to_owned());
        };
        let mut next = |what: &str| words.next().ok_or_else(|| format!("`{name}` needs {what}"));
        let command = match name.as_str() {
            "help" => return Ok(None),
            "queues" => Command::Queues,
            "queue" => Command::Queue(path(next("a PATH")?)?),
            "job" => Command::Job(path(next("a PATH")?)?, next("a job ID")?),
            "cancel" => Command::Cancel(path(next("a PATH")?)?, next("a job ID")?),
            "dead" => Command::Dead {
                path: path(next("a PATH")?)?,
                count,
            },
            "retry" | "purge" => {
                let path = path(next("a PATH")?)?;
                let ids: Vec<String> = words.by_ref().collect();
                let ids = match (all, ids.is_empty()) {
                    (true, true) => Selection::All,
                    (false, false) => Selection::Ids(ids),
                    (true, false) => return Err(format!("`{name}` takes ids or --all, not both")),
                    (false, true) => {
                        return Err(format!("`{name}` needs dead-letter ids or --all"));
                    }
                };
                if name == "retry" {
                    Command::Retry { path, ids }
                } else {
                    Command::Purge { path, ids }
                }
            }
            "pause" => Command::Pause(path(next("a PATH")?)?),
            "resume" => Command::Resume(path(next("a PATH")?)?),
            "rate" | "key-rate" => {
                let path = path(next("a PATH")?)?;
                let limit = rate(&next("MAX/PERIOD or off")?)?;
                if name == "rate" {
                    Command::Rate(path, limit)
                } else {
                    Command::KeyRate(path, limit)
                }
            }
            other => return Err(format!("no command `{other}`")),
        };
        if let Some(extra) = words.next() {
            return Err(format!("`{name}` does not take {extra:?}"));
        }
        Ok(Some(Args {
            url,
            namespace,
            command,
        }))
    }
}

fn text(value: Result<OsString, lexopt::Error>) -> Result<String, String> {
    value
        .map_err(|e| e.to_string())?
        .into_string()
        .map_err(|raw| format!("not UTF-8: {raw:?}"))
}

fn path(word: String) -> Result<String, String> {
    if word.starts_with('/') && word.len() > 1 {
        Ok(word)
    } else {
        Err(format!("a queue is a path like /jobs, not {word:?}"))
    }
}

/// `MAX/PERIOD` (`100/1m`, `5/500ms`), or `off`.
fn rate(word: &str) -> Result<Option<RateLimit>, String> {
    if word == "off" {
        return Ok(None);
    }
    let bad = || format!("a rate is MAX/PERIOD (100/1m, 5/500ms, 10/1s) or off, not {word:?}");
    let (max, period) = word.split_once('/').ok_or_else(bad)?;
    let max: u32 = max.parse().map_err(|_| bad())?;
    let split = period.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = period.split_at(split);
    let number: u64 = number.parse().map_err(|_| bad())?;
    let period = match unit {
        "ms" => Duration::from_millis(number),
        "s" => Duration::from_secs(number),
        "m" => Duration::from_secs(number * 60),
        "h" => Duration::from_secs(number * 3600),
        _ => return Err(bad()),
    };
    if max == 0 || period.is_zero() {
        return Err(bad());
    }
    Ok(Some(RateLimit::new(max, period)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Option<Args>, String> {
        Args::parse(line.split_whitespace().map(OsString::from))
    }

    #[test]
    fn commands_and_options_parse() {
        let args = parse("--url redis://h:1 --namespace shop job /jobs abc")
            .unwrap()
            .unwrap();
        assert_eq!(
            (args.url.as_str(), args.namespace.as_str()),
            ("redis://h:1", "shop")
        );
        assert_eq!(args.command, Command::Job("/jobs".into(), "abc".into()));
        let args = parse("retry /jobs --all").unwrap().unwrap();
        assert_eq!(
            args.command,
            Command::Retry {
                path: "/jobs".into(),
                ids: Selection::All
            }
        );
        let args = parse("rate /jobs 5/500ms").unwrap().unwrap();
        assert_eq!(
            args.command,
            Command::Rate(
                "/jobs".into(),
                Some(RateLimit::new(5, Duration::from_millis(500)))
            )
        );
        assert!(parse("help").unwrap().is_none());
        let args = parse("key-rate /jobs off").unwrap().unwrap();
        assert_eq!(args.command, Command::KeyRate("/jobs".into(), None));
    }

    #[test]
    fn a_bad_command_line_says_what_is_wrong() {
        assert_eq!(parse("").unwrap_err(), "no command");
        assert_eq!(parse("launch").unwrap_err(), "no command `launch`");
        assert_eq!(parse("job /jobs").unwrap_err(), "`job` needs a job ID");
        assert!(
            parse("queue jobs")
                .unwrap_err()
                .contains("a path like /jobs")
        );
        assert!(parse("rate /jobs fast").unwrap_err().contains("MAX/PERIOD"));
        assert!(parse("purge /jobs").unwrap_err().contains("--all"));
        assert!(
            parse("pause /jobs /more")
                .unwrap_err()
                .contains("does not take")
        );
        assert!(
            parse("--count x dead /jobs")
                .unwrap_err()
                .contains("a number")
        );
    }
}
