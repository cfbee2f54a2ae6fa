//! Confirmed writes that wait for replicas: a remote ref's batch and an enqueued job are
//! confirmed to the user (`flushed`, the job's id) only once Redis has them; with
//! [`StationConfig::wait_for_replicas`](super::StationConfig::wait_for_replicas), only once
//! that many replicas have them too, so that a master that dies right after cannot take them
//! with it. The script and a `WAIT` go in one pipeline: on one connection, to one node (the
//! node of the script's keys, on a cluster), as `WAIT` requires.

use redis::{Cmd, Value};

pub(crate) use super::config::Replicas;
use super::conn::Conn;
use super::error::{RedisError, RedisErrorKind};
use super::group::millis;

/// Runs `call`, an `EVALSHA` of the script `source`, loading the script when Redis does not
/// know it (a restarted server, a new master); with `replicas`, follows it with `WAIT` and
/// fails (retryably: the scripts given here are idempotent) when fewer replicas had it in
/// time.
pub(crate) async fn call_script(
    conn: &mut Conn,
    source: &str,
    call: &Cmd,
    replicas: Option<Replicas>,
) -> Result<Value, RedisError> {
    match run(conn, call, replicas).await {
        Err(e) if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) => {
            let mut load = redis::cmd("SCRIPT");
            load.arg("LOAD").arg(source);
            load.query_async::<Value>(&mut *conn)
                .await
                .map_err(RedisError::from_client)?;
            run(conn, call, replicas)
                .await
                .map_err(RedisError::from_client)?
        }
        result => result.map_err(RedisError::from_client)?,
    }
}

/// One attempt: the script's reply, or the error that `WAIT` found too few replicas.
async fn run(
    conn: &mut Conn,
    call: &Cmd,
    replicas: Option<Replicas>,
) -> redis::RedisResult<Result<Value, RedisError>> {
    let Some(replicas) = replicas.filter(|r| r.count > 0) else {
        return call.query_async::<Value>(conn).await.map(Ok);
    };
    let mut pipe = redis::pipe();
    pipe.add_command(call.clone())
        .cmd("WAIT")
        .arg(replicas.count)
        .arg(millis(replicas.timeout).max(1));
    let (reply, reached): (Value, i64) = pipe.query_async(conn).await?;
    if reached < i64::from(replicas.count) {
        return Ok(Err(RedisError::new(
            RedisErrorKind::Unavailable,
            format!(
                "the write reached {reached} of the {} replicas asked for within {:?}",
                replicas.count, replicas.timeout
            ),
        )));
    }
    Ok(Ok(reply))
}
