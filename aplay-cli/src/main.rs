//! `aplay`: look at and manage aplay's queues on Redis: their backlog, jobs and dead letters;
//! cancel a job, retry or purge dead letters, pause a queue, limit its rate.
//!
//! ```text
//! cargo run -p aplay-cli -- --url redis://127.0.0.1:6379 queues
//! cargo run -p aplay-cli -- queue /jobs
//! cargo run -p aplay-cli -- job /jobs 0193a2b4c5d-9f2e4a7b1c3d5e6f
//! ```
//!
//! `aplay help` lists the commands. Exit status: 0 done, 1 failed (the reason on stderr), 2 a
//! command line it does not understand.

mod args;
mod commands;
mod print;

use std::process::ExitCode;

use aplay::redis::{RedisStation, StationConfig};

use crate::args::{Args, USAGE};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match Args::parse(std::env::args_os().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("aplay: {error}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let config = StationConfig::default()
        .namespace(&args.namespace)
        .consumer(format!("aplay-cli-{}", std::process::id()))
        .command_timeout(std::time::Duration::from_secs(5));
    let station = match RedisStation::connect_with(&args.url, config).await {
        Ok(station) => station,
        Err(error) => {
            eprintln!(
                "aplay: cannot use the Redis server at {}: {error}",
                args.url
            );
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    match commands::run(&station, &args, &mut out).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("aplay: {error}");
            ExitCode::FAILURE
        }
    }
}
