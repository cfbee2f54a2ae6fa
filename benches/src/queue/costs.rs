//! What a phase of a measurement costs the Redis server: its commands and their time
//! (`INFO commandstats`, reset before the phase with `CONFIG RESETSTAT`), and the CPU time of
//! the server's process (`INFO cpu`, user + system: commands, parsing, network). In a pass of
//! its own (`MONITOR` slows the server down), which commands the clients sent and which ran
//! inside scripts: `commandstats` counts both, and a script's time includes that of the
//! commands it runs.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::redis::Cli;

/// The commands that run scripts.
const SCRIPTS: [&str; 4] = ["eval", "evalsha", "fcall", "eval_ro"];

/// Commands of the bench itself (the probes), not counted.
fn is_probe(name: &str) -> bool {
    ["config", "info", "echo", "monitor", "flushall"]
        .iter()
        .any(|probe| name == *probe || name.starts_with(&format!("{probe}|")))
}

/// One command's figures in `INFO commandstats`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Calls {
    pub(crate) calls: u64,
    pub(crate) usec: u64,
}

/// What the server did during a phase.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stats {
    /// Per command (lower case, `client|setname` for a subcommand), the bench's probes left
    /// out.
    pub(crate) commands: BTreeMap<String, Calls>,
    /// CPU seconds of the server's process (user + system).
    pub(crate) cpu: f64,
}

/// Which commands the clients sent (`top`) and which ran inside scripts (`inner`), by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Split {
    pub(crate) top: BTreeMap<String, u64>,
    pub(crate) inner: BTreeMap<String, u64>,
}

impl Split {
    /// The part of `name`'s calls that clients sent (1.0 for a name never seen inside a
    /// script, or never seen at all).
    fn top_share(&self, name: &str) -> f64 {
        let base = name.split('|').next().unwrap_or(name);
        let top = self.top.get(base).copied().unwrap_or(0) as f64;
        let inner = self.inner.get(base).copied().unwrap_or(0) as f64;
        if inner == 0.0 {
            1.0
        } else {
            top / (top + inner)
        }
    }
}

/// What was measured around one phase.
#[derive(Clone, Debug, Default)]
pub(crate) struct Usage {
    pub(crate) stats: Stats,
    /// CPU seconds of the client's process (user + system, all its threads): this one for
    /// aplay, node for BullMQ.
    pub(crate) client_cpu: f64,
    /// Only in the cost pass, under `MONITOR`.
    pub(crate) split: Option<Split>,
}

/// Reads the server's statistics around phases; in the cost pass, watches its commands too.
#[derive(Clone)]
pub(crate) struct Probe {
    cli: Cli,
    monitor: Option<Arc<Mutex<Monitor>>>,
}

/// Where a phase started.
#[derive(Debug)]
pub(crate) struct Started {
    cpu: f64,
    client: u32,
    client_cpu: f64,
}

impl Probe {
    pub(crate) fn new(cli: Cli) -> Probe {
        Probe { cli, monitor: None }
    }

    /// A probe that also watches every command (`MONITOR`): for the cost pass only.
    pub(crate) fn monitored(cli: Cli) -> Probe {
        let monitor = Monitor::start(&cli);
        Probe {
            cli,
            monitor: Some(Arc::new(Mutex::new(monitor))),
        }
    }

    /// Before a phase (blocking): statistics reset, CPU times of the server and of the
    /// process `client` read, commands seen so far forgotten.
    pub(crate) fn begin(&self, client: u32) -> Started {
        if let Some(monitor) = &self.monitor {
            monitor.lock().expect("the monitor").mark();
        }
        self.cli.run(&["CONFIG", "RESETSTAT"]);
        Started {
            cpu: parse_info(&self.cli.run(&["INFO", "cpu"])).cpu,
            client,
            client_cpu: process_cpu(client),
        }
    }

    /// After a phase (blocking): what it cost.
    pub(crate) fn end(&self, started: Started) -> Usage {
        let client_cpu = process_cpu(started.client) - started.client_cpu;
        let mut stats = parse_info(&self.cli.run(&["INFO", "cpu", "commandstats"]));
        stats.cpu -= started.cpu;
        let split = self
            .monitor
            .as_ref()
            .map(|monitor| monitor.lock().expect("the monitor").mark());
        Usage {
            stats,
            client_cpu,
            split,
        }
    }

    /// Ends the monitor, if any.
    pub(crate) fn finish(self) {
        if let Some(monitor) = self.monitor
            && let Ok(monitor) = Arc::try_unwrap(monitor)
        {
            monitor.into_inner().expect("the monitor").stop();
        }
    }
}

/// The CPU seconds (user + system) the process `pid` used so far, from `/proc/PID/stat`
/// (Linux; in clock ticks of 1/100 s); 0 where it cannot be read.
fn process_cpu(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    parse_stat_cpu(&stat).unwrap_or(0.0)
}

/// utime + stime (fields 14 and 15) of a `/proc/PID/stat` line, in seconds.
fn parse_stat_cpu(stat: &str) -> Option<f64> {
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// `INFO cpu commandstats` read.
fn parse_info(text: &str) -> Stats {
    let mut stats = Stats::default();
    for line in text.lines().map(str::trim) {
        if let Some(seconds) = line
            .strip_prefix("used_cpu_user:")
            .or_else(|| line.strip_prefix("used_cpu_sys:"))
        {
            stats.cpu += seconds.parse::<f64>().unwrap_or(0.0);
        } else if let Some(rest) = line.strip_prefix("cmdstat_")
            && let Some((name, figures)) = rest.split_once(':')
        {
            let mut calls = Calls::default();
            for pair in figures.split(',') {
                match pair.split_once('=') {
                    Some(("calls", v)) => calls.calls = v.parse().unwrap_or(0),
                    Some(("usec", v)) => calls.usec = v.parse().unwrap_or(0),
                    _ => {}
                }
            }
            let name = name.to_lowercase();
            if !is_probe(&name) {
                stats.commands.insert(name, calls);
            }
        }
    }
    stats
}

/// `redis-cli monitor`, read on a thread of its own, counting commands by name and by whether
/// a script ran them, between marks (an `ECHO` the bench sends).
struct Monitor {
    cli: Cli,
    child: Child,
    reader: Option<JoinHandle<()>>,
    splits: mpsc::Receiver<(String, Split)>,
    marks: u64,
}

impl Monitor {
    fn start(cli: &Cli) -> Monitor {
        let mut child = cli
            .command()
            .arg("MONITOR")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-cli monitor runs");
        let stdout = child.stdout.take().expect("its output");
        let (tx, splits) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut split = Split::default();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Some((name, inner)) = parse_monitor_line(&line) else {
                    continue;
                };
                if name == "echo" {
                    if let Some(mark) = line.split('"').nth(3)
                        && mark.starts_with("aplay-bench-mark-")
                    {
                        let _ = tx.send((mark.to_owned(), std::mem::take(&mut split)));
                    }
                    continue;
                }
                let counts = if inner {
                    &mut split.inner
                } else {
                    &mut split.top
                };
                *counts.entry(name).or_default() += 1;
            }
        });
        let mut monitor = Monitor {
            cli: cli.clone(),
            child,
            reader: Some(reader),
            splits,
            marks: 0,
        };
        // The monitor is on once it sees a mark.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while monitor.mark_within(Duration::from_millis(200)).is_none() {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-cli monitor does not start"
            );
        }
        monitor
    }

    /// The commands seen since the last mark.
    fn mark(&mut self) -> Split {
        self.mark_within(Duration::from_secs(60))
            .expect("the monitor sees the bench's mark")
    }

    /// The commands seen since the last mark, if the monitor sees this one within `wait`.
    fn mark_within(&mut self, wait: Duration) -> Option<Split> {
        self.marks += 1;
        let mark = format!("aplay-bench-mark-{}", self.marks);
        self.cli.run(&["ECHO", &mark]);
        loop {
            let (seen, split) = self.splits.recv_timeout(wait).ok()?;
            if seen == mark {
                return Some(split);
            }
        }
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// A line of `MONITOR`'s output: `1700000000.123456 [0 127.0.0.1:5555] "XADD" "key" ...`,
/// or `[0 lua] "xadd" ...` for a command a script ran. The command's name (lower case) and
/// whether a script ran it.
fn parse_monitor_line(line: &str) -> Option<(String, bool)> {
    let open = line.find('[')?;
    let close = open + line[open..].find(']')?;
    let inner = line[open..close].contains("lua");
    let rest = line[close + 1..].trim_start().strip_prefix('"')?;
    let name = &rest[..rest.find('"')?];
    Some((name.to_lowercase(), inner))
}

/// What one phase costs per job.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PerJob {
    /// Commands the clients sent (scripts included, as one each).
    pub(crate) sent: f64,
    /// Of which scripts.
    pub(crate) scripts: f64,
    /// Commands the scripts ran.
    pub(crate) in_scripts: f64,
    /// The most frequent commands sent, and those run inside scripts, per job.
    pub(crate) top: Vec<(String, f64)>,
    pub(crate) inner: Vec<(String, f64)>,
}

impl PerJob {
    /// From the split of a phase of `jobs` jobs.
    pub(crate) fn of(split: &Split, jobs: u64) -> PerJob {
        let n = jobs.max(1) as f64;
        let per_job = |counts: &BTreeMap<String, u64>| {
            let mut list: Vec<(String, f64)> = counts
                .iter()
                .filter(|(name, _)| !is_probe(name))
                .map(|(name, &count)| (name.clone(), count as f64 / n))
                .collect();
            list.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            list
        };
        let top = per_job(&split.top);
        let inner = per_job(&split.inner);
        PerJob {
            sent: top.iter().map(|(_, c)| c).sum(),
            scripts: top
                .iter()
                .filter(|(name, _)| SCRIPTS.contains(&name.as_str()))
                .map(|(_, c)| c)
                .sum(),
            in_scripts: inner.iter().map(|(_, c)| c).sum(),
            top,
            inner,
        }
    }
}

/// The time one phase took, per job, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Times {
    /// CPU of the server's process.
    pub(crate) server_cpu: f64,
    /// CPU of the client's process.
    pub(crate) client_cpu: f64,
    /// Time in commands: the scripts with what they ran, plus the commands sent directly
    /// (the commands a script ran are in the script's time, not counted again).
    pub(crate) in_commands: f64,
    /// Of which the scripts' own: their time less that of the commands they ran.
    pub(crate) script_overhead: f64,
}

impl Times {
    /// From what a phase of `jobs` jobs cost, with the `split` of the cost pass telling the
    /// commands run by scripts from those sent (all sent without one).
    pub(crate) fn of(usage: &Usage, split: Option<&Split>, jobs: u64) -> Times {
        let n = jobs.max(1) as f64;
        let mut in_commands = 0.0;
        let mut in_scripts = 0.0;
        let mut run_by_scripts = 0.0;
        for (name, calls) in &usage.stats.commands {
            let usec = calls.usec as f64;
            let top = split.map_or(1.0, |s| s.top_share(name));
            in_commands += usec * top;
            run_by_scripts += usec * (1.0 - top);
            if SCRIPTS.contains(&name.as_str()) {
                in_scripts += usec;
            }
        }
        Times {
            server_cpu: usage.stats.cpu * 1e6 / n,
            client_cpu: usage.client_cpu * 1e6 / n,
            in_commands: in_commands / n,
            script_overhead: (in_scripts - run_by_scripts) / n,
        }
    }
}

/// The time in each command per job, in microseconds, most first (those under 0.05 us left
/// out), over the phases `usages` of `jobs` jobs each, `split` telling which ran in scripts:
/// `EVALSHA 19.4, HSET 2.6 (in scripts), XADD 2.1 (in scripts)`. A script's time includes
/// that of the commands it ran.
pub(crate) fn by_command(usages: &[&Usage], split: &Split, jobs: u64, most: usize) -> String {
    let mut usec: BTreeMap<&str, u64> = BTreeMap::new();
    for usage in usages {
        for (name, calls) in &usage.stats.commands {
            *usec.entry(name).or_default() += calls.usec;
        }
    }
    let n = (jobs.max(1) * usages.len().max(1) as u64) as f64;
    let mut list: Vec<(&str, f64)> = usec
        .into_iter()
        .map(|(name, usec)| (name, usec as f64 / n))
        .filter(|(_, per_job)| *per_job >= 0.05)
        .collect();
    list.sort_by(|a, b| b.1.total_cmp(&a.1));
    let shown: Vec<String> = list
        .iter()
        .take(most)
        .map(|&(name, per_job)| {
            let top = split.top_share(name);
            let where_ = if top == 0.0 {
                " (in scripts)".to_owned()
            } else if top < 1.0 {
                format!(" ({:.0}% in scripts)", (1.0 - top) * 100.0)
            } else {
                String::new()
            };
            format!("{} {per_job:.1}{where_}", name.to_uppercase())
        })
        .collect();
    if shown.is_empty() {
        "-".to_owned()
    } else {
        shown.join(", ")
    }
}

/// `name 1.00, other 0.01` for the `most` most frequent, those under 0.005 per job left out.
pub(crate) fn list(counts: &[(String, f64)], most: usize) -> String {
    let shown: Vec<String> = counts
        .iter()
        .filter(|(_, c)| *c >= 0.005)
        .take(most)
        .map(|(name, c)| format!("{} {c:.2}", name.to_uppercase()))
        .collect();
    let hidden = counts.iter().filter(|(_, c)| *c >= 0.005).count() - shown.len();
    match (shown.is_empty(), hidden) {
        (true, _) => "-".to_owned(),
        (false, 0) => shown.join(", "),
        (false, more) => format!("{}, {more} more", shown.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info() {
        let text = "# CPU\r\nused_cpu_sys:1.500000\r\nused_cpu_user:2.250000\r\n\
                    used_cpu_sys_children:9.0\r\n\r\n# Commandstats\r\n\
                    cmdstat_xadd:calls=10,usec=40,usec_per_call=4.00,rejected_calls=0,failed_calls=0\r\n\
                    cmdstat_config|resetstat:calls=1,usec=86,usec_per_call=86.00\r\n\
                    cmdstat_client|setname:calls=2,usec=3,usec_per_call=1.50\r\n\
                    cmdstat_info:calls=2,usec=65,usec_per_call=32.50\r\n";
        let stats = parse_info(text);
        assert_eq!(stats.cpu, 3.75);
        assert_eq!(
            stats.commands.get("xadd"),
            Some(&Calls {
                calls: 10,
                usec: 40
            })
        );
        assert!(stats.commands.contains_key("client|setname"));
        assert_eq!(stats.commands.len(), 2);
    }

    #[test]
    fn process_stat() {
        let stat = "4242 (node bench) S 1 2 3 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 11 0";
        assert_eq!(parse_stat_cpu(stat), Some(3.25));
        assert_eq!(parse_stat_cpu("garbage"), None);
        assert!(process_cpu(std::process::id()) >= 0.0);
    }

    #[test]
    fn monitor_lines() {
        assert_eq!(
            parse_monitor_line(r#"1700000000.123456 [0 127.0.0.1:5555] "EVALSHA" "abc" "4""#),
            Some(("evalsha".to_owned(), false))
        );
        assert_eq!(
            parse_monitor_line(r#"1700000000.123456 [0 lua] "xadd" "s" "*" "m" "\x01""#),
            Some(("xadd".to_owned(), true))
        );
        assert_eq!(
            parse_monitor_line(r#"1700000000.1 [0 unix:/tmp/r.sock] "ECHO" "aplay-bench-mark-2""#),
            Some(("echo".to_owned(), false))
        );
        assert_eq!(parse_monitor_line("OK"), None);
    }

    #[test]
    fn per_job_and_time() {
        let split = Split {
            top: [("evalsha".to_owned(), 100), ("hset".to_owned(), 100)].into(),
            inner: [("hset".to_owned(), 100), ("xadd".to_owned(), 100)].into(),
        };
        let per = PerJob::of(&split, 100);
        assert_eq!((per.sent, per.scripts, per.in_scripts), (2.0, 1.0, 2.0));
        assert_eq!(list(&per.top, 1), "EVALSHA 1.00, 1 more");
        assert_eq!(list(&per.inner, 5), "HSET 1.00, XADD 1.00");
        let usage = Usage {
            stats: Stats {
                commands: [
                    (
                        "evalsha".to_owned(),
                        Calls {
                            calls: 100,
                            usec: 500,
                        },
                    ),
                    (
                        "hset".to_owned(),
                        Calls {
                            calls: 200,
                            usec: 200,
                        },
                    ),
                    (
                        "xadd".to_owned(),
                        Calls {
                            calls: 100,
                            usec: 300,
                        },
                    ),
                ]
                .into(),
                cpu: 0.002,
            },
            client_cpu: 0.001,
            split: None,
        };
        // The script's 500 us, half of the HSETs' (the other half ran in the script); the
        // XADDs all ran in the script: 100 + 300 of the script's 500 us.
        let times = Times::of(&usage, Some(&split), 100);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(times.server_cpu, 20.0) && close(times.client_cpu, 10.0));
        assert!(close(times.in_commands, 6.0) && close(times.script_overhead, 1.0));
        assert_eq!(list(&[], 3), "-");
        assert_eq!(
            by_command(&[&usage, &usage], &split, 100, 2),
            "EVALSHA 5.0, XADD 3.0 (in scripts)"
        );
        assert_eq!(
            by_command(&[&usage], &split, 100, 5),
            "EVALSHA 5.0, XADD 3.0 (in scripts), HSET 2.0 (50% in scripts)"
        );
    }
}
