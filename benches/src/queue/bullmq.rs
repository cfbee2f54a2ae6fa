//! BullMQ's side: `benches/bullmq/bench.js` run with node against the bench's redis-server,
//! one process per measurement. Its dependencies are installed with `npm ci` (from
//! `package-lock.json`) when `node_modules` is missing.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{ChildStdout, Command, Stdio};

use super::Measured;
use super::costs::Probe;

/// How BullMQ's jobs are added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Enqueue {
    /// `queue.addBulk`, 1,000 jobs per call.
    Bulk,
    /// `queue.add`, one job per call, 256 calls at a time.
    Add,
}

impl Enqueue {
    fn arg(self) -> &'static str {
        match self {
            Enqueue::Bulk => "bulk",
            Enqueue::Add => "add",
        }
    }
}

/// The node script, ready to run.
#[derive(Debug)]
pub(crate) struct Node {
    dir: PathBuf,
}

/// The versions BullMQ's script reported.
#[derive(Clone, Debug, Default)]
pub(crate) struct Versions {
    pub(crate) bullmq: String,
    pub(crate) node: String,
}

impl Node {
    /// Checks that node and npm run, and installs the script's dependencies if they are
    /// missing; a message saying what is missing otherwise.
    pub(crate) fn prepare() -> Result<Node, String> {
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/bullmq"));
        version("node").map_err(|e| {
            format!(
                "--only queue runs BullMQ with node (v18 or later), which does not run here \
                 ({e}); install node and npm (https://nodejs.org), or leave `queue` out"
            )
        })?;
        if !dir.join("node_modules").join("bullmq").is_dir() {
            version("npm").map_err(|e| {
                format!(
                    "--only queue installs BullMQ with npm, which does not run here ({e}); \
                     install npm, or run `npm ci` in {} yourself",
                    dir.display()
                )
            })?;
            eprintln!(
                "installing BullMQ: npm ci in {} (once; node_modules is ignored by git)",
                dir.display()
            );
            let status = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&dir)
                // npm's output goes with the progress, not into the tables.
                .stdout(std::io::stderr())
                .status()
                .map_err(|e| format!("npm ci did not run: {e}"))?;
            if !status.success() {
                return Err(format!(
                    "npm ci failed in {} ({status}): is the npm registry reachable?",
                    dir.display()
                ));
            }
        }
        Ok(Node { dir })
    }

    /// One measurement: `jobs` jobs added, then processed by one Worker of `concurrency`,
    /// on the server at `port`; `probe` reads the server around each phase.
    pub(crate) fn measure(
        &self,
        port: u16,
        jobs: u64,
        concurrency: usize,
        enqueue: Enqueue,
        probe: &Probe,
    ) -> (Measured, Versions) {
        let mut child = Command::new("node")
            .arg(self.dir.join("bench.js"))
            .args(["--port", &port.to_string(), "--jobs", &jobs.to_string()])
            .args(["--concurrency", &concurrency.to_string()])
            .args(["--queue", "bench", "--enqueue", enqueue.arg()])
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs");
        let mut stdin = child.stdin.take().expect("its input");
        let mut stdout = BufReader::new(child.stdout.take().expect("its output"));
        let mut go = || {
            stdin
                .write_all(b"go\n")
                .and_then(|()| stdin.flush())
                .expect("BullMQ's script reads its input");
        };

        let pid = child.id();
        expect_phase(&mut stdout, "ready");
        let started = probe.begin(pid);
        go();
        let enqueued = expect_phase(&mut stdout, "enqueued");
        let enqueue_usage = probe.end(started);
        let started = probe.begin(pid);
        go();
        let processed = expect_phase(&mut stdout, "processed");
        let process_usage = probe.end(started);
        let status = child.wait().expect("node ends");
        assert!(status.success(), "BullMQ's script failed: {status}");

        let number = |line: &str, key: &str| {
            json_number(line, key)
                .unwrap_or_else(|| panic!("no `{key}` in BullMQ's output: {line}"))
        };
        let measured = Measured {
            enqueue_rate: number(&enqueued, "enqueue_rate"),
            process_rate: number(&processed, "process_rate"),
            enqueue: enqueue_usage,
            process: process_usage,
        };
        let versions = Versions {
            bullmq: json_string(&processed, "bullmq").unwrap_or_else(|| "?".to_owned()),
            node: json_string(&processed, "node").unwrap_or_else(|| "?".to_owned()),
        };
        (measured, versions)
    }
}

/// The next line of the script's output, which must be the phase `phase`.
fn expect_phase(stdout: &mut BufReader<ChildStdout>, phase: &str) -> String {
    let mut line = String::new();
    let read = stdout.read_line(&mut line).expect("BullMQ's script writes");
    assert!(
        read > 0,
        "BullMQ's script ended before the phase `{phase}` (its error is above)"
    );
    assert_eq!(
        json_string(&line, "phase").as_deref(),
        Some(phase),
        "BullMQ's script wrote something unexpected: {line}"
    );
    line.trim().to_owned()
}

/// `program --version`, trimmed.
fn version(program: &str) -> Result<String, String> {
    let out = Command::new(program)
        .arg("--version")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("`{program} --version` failed: {}", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The raw value of `key` in a flat JSON object (`{"a":1.5,"b":"x"}`), up to the next `,` or
/// `}`.
fn json_raw<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pattern = format!("\"{key}\":");
    let start = line.find(&pattern)? + pattern.len();
    let rest = line[start..].trim_start();
    if let Some(quoted) = rest.strip_prefix('"') {
        return Some(&rest[..quoted.find('"')? + 2]);
    }
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim())
}

fn json_number(line: &str, key: &str) -> Option<f64> {
    json_raw(line, key)?.parse().ok()
}

fn json_string(line: &str, key: &str) -> Option<String> {
    let raw = json_raw(line, key)?;
    Some(raw.strip_prefix('"')?.strip_suffix('"')?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_json() {
        let line = r#"{"phase":"processed","bullmq":"6.7.6","jobs":20000,"enqueue_rate":14203.5,"process_rate":3595.96}"#;
        assert_eq!(json_string(line, "phase").as_deref(), Some("processed"));
        assert_eq!(json_string(line, "bullmq").as_deref(), Some("6.7.6"));
        assert_eq!(json_number(line, "jobs"), Some(20000.0));
        assert_eq!(json_number(line, "process_rate"), Some(3595.96));
        assert_eq!(json_number(line, "missing"), None);
        assert_eq!(json_number(line, "phase"), None);
        assert_eq!(json_string(line, "jobs"), None);
    }
}
