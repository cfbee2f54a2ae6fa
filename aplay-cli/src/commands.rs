//! Each command: read or change the queues through a station, and print what it found.

use std::io::Write;

use aplay::redis::{Cancel, QueueInfo, RedisStation};

use crate::args::{Args, Command, Selection};
use crate::print::{cut, maybe_when, table, when};

/// Runs the command of `args`, printing to `out`; the error is a sentence for stderr.
pub(crate) async fn run(
    station: &RedisStation,
    args: &Args,
    out: &mut impl Write,
) -> Result<(), String> {
    let io = |e: std::io::Error| format!("cannot print: {e}");
    match &args.command {
        Command::Queues => {
            let paths = station.served_paths().await.map_err(|e| e.to_string())?;
            if paths.is_empty() {
                writeln!(out, "no queues in the namespace {}", args.namespace).map_err(io)?;
                return Ok(());
            }
            let mut rows = Vec::new();
            for path in paths {
                rows.push(queue_row(
                    &station.queue_info(&path).await.map_err(|e| e.to_string())?,
                ));
            }
            table(
                out,
                &[
                    "QUEUE", "UNREAD", "IN HAND", "DELAYED", "DEAD", "STATE", "RATE",
                ],
                &rows,
            )
            .map_err(io)
        }
        Command::Queue(path) => {
            let info = existing(station, args, path).await?;
            table(
                out,
                &[
                    "QUEUE", "UNREAD", "IN HAND", "DELAYED", "DEAD", "STATE", "RATE",
                ],
                &[queue_row(&info)],
            )
            .map_err(io)?;
            if !info.consumers.is_empty() {
                writeln!(out).map_err(io)?;
                let rows: Vec<Vec<String>> = info
                    .consumers
                    .iter()
                    .map(|(name, held)| vec![name.clone(), held.to_string()])
                    .collect();
                table(out, &["CONSUMER", "IN HAND"], &rows).map_err(io)?;
            }
            let periodic = station
                .periodic_jobs(path)
                .await
                .map_err(|e| e.to_string())?;
            if !periodic.is_empty() {
                writeln!(out).map_err(io)?;
                let rows: Vec<Vec<String>> = periodic
                    .iter()
                    .map(|p| {
                        vec![
                            p.name.clone(),
                            p.schedule.clone(),
                            maybe_when(p.last),
                            maybe_when(p.next),
                        ]
                    })
                    .collect();
                table(out, &["PERIODIC", "SCHEDULE", "LAST", "NEXT"], &rows).map_err(io)?;
            }
            Ok(())
        }
        Command::Job(path, id) => {
            existing(station, args, path).await?;
            let Some(status) = station
                .job_status(path, id)
                .await
                .map_err(|e| e.to_string())?
            else {
                return Err(format!(
                    "no job {id} at {path} (not sent as a job, or its record expired)"
                ));
            };
            let mut lines = vec![
                ("job", id.clone()),
                ("state", status.state.to_string()),
                ("attempts", status.attempts.to_string()),
            ];
            let optional = [
                ("consumer", status.consumer.clone()),
                ("error", status.error.clone()),
                ("progress", status.progress.clone()),
                ("key", status.key.clone()),
                ("entry", status.entry.clone()),
                ("created", status.created.map(when)),
                ("due", status.due.map(when)),
                ("started", status.started.map(when)),
                ("finished", status.finished.map(when)),
            ];
            lines.extend(optional.into_iter().filter_map(|(k, v)| Some((k, v?))));
            if status.cancel_requested {
                lines.push(("cancel", "requested".to_owned()));
            }
            for (name, value) in lines {
                writeln!(out, "{name:<9} {value}").map_err(io)?;
            }
            Ok(())
        }
        Command::Cancel(path, id) => {
            existing(station, args, path).await?;
            let said = match station
                .cancel_job(path, id)
                .await
                .map_err(|e| e.to_string())?
            {
                Cancel::Cancelled => "cancelled: it will not run".to_owned(),
                Cancel::Requested => {
                    "a worker has it: cancel requested (it will not run again)".to_owned()
                }
                Cancel::Finished(state) => format!("nothing to cancel: it is {state}"),
                Cancel::Unknown => {
                    return Err(format!("no job {id} at {path} (or its record expired)"));
                }
                _ => "done".to_owned(),
            };
            writeln!(out, "{id}: {said}").map_err(io)
        }
        Command::Dead { path, count } => {
            existing(station, args, path).await?;
            let letters = station
                .dead_letters(path, *count)
                .await
                .map_err(|e| e.to_string())?;
            if letters.is_empty() {
                return writeln!(out, "no dead letters at {path}").map_err(io);
            }
            let rows: Vec<Vec<String>> = letters
                .iter()
                .map(|l| {
                    vec![
                        l.id().to_owned(),
                        l.entry_id().to_owned(),
                        l.deliveries().to_string(),
                        l.consumer().to_owned(),
                        cut(l.error(), 60),
                    ]
                })
                .collect();
            table(
                out,
                &["DEAD LETTER", "ENTRY", "TRIES", "CONSUMER", "ERROR"],
                &rows,
            )
            .map_err(io)
        }
        Command::Retry { path, ids } => {
            existing(station, args, path).await?;
            let ids = match ids {
                Selection::Ids(ids) => ids.clone(),
                Selection::All => station
                    .dead_letters(path, usize::MAX)
                    .await
                    .map_err(|e| e.to_string())?
                    .iter()
                    .map(|l| l.id().to_owned())
                    .collect(),
            };
            let mut back = 0;
            for id in &ids {
                if station
                    .replay_dead_letter(path, id)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    back += 1;
                } else {
                    writeln!(out, "no dead letter {id} at {path}").map_err(io)?;
                }
            }
            writeln!(out, "{back} put back into {path}").map_err(io)
        }
        Command::Purge { path, ids } => {
            existing(station, args, path).await?;
            let deleted = match ids {
                Selection::All => station
                    .purge_dead_letters(path, None)
                    .await
                    .map_err(|e| e.to_string())?,
                Selection::Ids(ids) => {
                    let mut deleted = 0;
                    for id in ids {
                        deleted += station
                            .purge_dead_letters(path, Some(id))
                            .await
                            .map_err(|e| e.to_string())?;
                    }
                    deleted
                }
            };
            writeln!(out, "{deleted} dead letters of {path} deleted").map_err(io)
        }
        Command::Pause(path) => {
            existing(station, args, path).await?;
            station.pause(path).await.map_err(|e| e.to_string())?;
            writeln!(out, "{path} paused: its workers start nothing new").map_err(io)
        }
        Command::Resume(path) => {
            existing(station, args, path).await?;
            station.resume(path).await.map_err(|e| e.to_string())?;
            writeln!(out, "{path} resumed").map_err(io)
        }
        Command::Rate(path, rate) => {
            existing(station, args, path).await?;
            station
                .set_rate_limit(path, *rate)
                .await
                .map_err(|e| e.to_string())?;
            match rate {
                Some(rate) => writeln!(out, "{path}: at most {rate}").map_err(io),
                None => writeln!(out, "{path}: no rate limit").map_err(io),
            }
        }
        Command::KeyRate(path, rate) => {
            existing(station, args, path).await?;
            station
                .set_key_rate_limit(path, *rate)
                .await
                .map_err(|e| e.to_string())?;
            match rate {
                Some(rate) => writeln!(out, "{path}: at most {rate} for each rate key").map_err(io),
                None => writeln!(out, "{path}: no rate limit per key").map_err(io),
            }
        }
    }
}

/// The queue at `path`, or an error naming the queues there are.
async fn existing(station: &RedisStation, args: &Args, path: &str) -> Result<QueueInfo, String> {
    let info = station.queue_info(path).await.map_err(|e| e.to_string())?;
    if info.served {
        return Ok(info);
    }
    let paths = station.served_paths().await.map_err(|e| e.to_string())?;
    let known = if paths.is_empty() {
        "there are none".to_owned()
    } else {
        format!("the queues are {}", paths.join(", "))
    };
    Err(format!(
        "no queue {path} in the namespace {} at {} ({known})",
        args.namespace, args.url
    ))
}

fn queue_row(info: &QueueInfo) -> Vec<String> {
    vec![
        info.path.clone(),
        info.backlog.unread.to_string(),
        info.backlog.pending.to_string(),
        info.delayed.to_string(),
        info.dead.to_string(),
        if info.settings.paused {
            "paused"
        } else {
            "running"
        }
        .to_owned(),
        match (info.settings.rate, info.settings.key_rate) {
            (None, None) => "-".to_owned(),
            (Some(rate), None) => rate.to_string(),
            (None, Some(key)) => format!("{key} per key"),
            (Some(rate), Some(key)) => format!("{rate}; {key} per key"),
        },
    ]
}
