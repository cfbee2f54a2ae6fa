//! Commands retried until Redis settles them. A lost connection, or a server that cannot take
//! a command now (`LOADING`, `OOM`, `READONLY`, ...: [`RedisError::is_retryable`]), is waited
//! out with back-off and the command sent again; a refusal (`WRONGTYPE`, `NOPERM`, ...) is
//! final and returned. Nothing that may still succeed is ever dropped.

use std::future::Future;

use redis::aio::ConnectionLike;
use redis::{Cmd, Value};

use super::backoff::Backoff;
use super::conn::Conn;
use super::error::RedisError;

/// Runs `op` until it succeeds or fails for good, waiting longer after each retryable
/// failure and logging each.
pub(crate) async fn retry<T, F, Fut>(
    what: &str,
    backoff: &mut Backoff,
    mut op: F,
) -> Result<T, RedisError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RedisError>>,
{
    loop {
        match op().await {
            Err(error) if error.is_retryable() => {
                let delay = backoff.next_delay();
                tracing::warn!(%error, ?delay, "redis: {what} failed; retrying");
                tokio::time::sleep(delay).await;
            }
            settled => {
                backoff.reset();
                return settled;
            }
        }
    }
}

/// Runs one command until it is applied (`Ok`) or refused for good (`Err`), on a clone of
/// `conn` per attempt (the shared connection's handles are cheap).
pub(crate) async fn settle<C>(
    conn: &C,
    cmd: &Cmd,
    what: &str,
    backoff: &mut Backoff,
) -> Result<Value, RedisError>
where
    C: ConnectionLike + Clone + Send,
{
    retry(what, backoff, || {
        let mut conn = conn.clone();
        async move { super::conn::query(&mut conn, cmd).await }
    })
    .await
}

/// Runs a script's call until Redis settles it (loading the script when Redis does not know
/// it), as [`settle`] runs a command.
pub(crate) async fn settle_script(
    conn: &Conn,
    call: &redis::ScriptInvocation<'_>,
    what: &str,
    backoff: &mut Backoff,
) -> Result<Value, RedisError> {
    retry(what, backoff, || {
        let mut conn = conn.clone();
        async move {
            call.invoke_async::<Value>(&mut conn)
                .await
                .map_err(RedisError::from_client)
        }
    })
    .await
}

/// Runs `cmds`, pipelined, until each one is settled: applied (`Ok` with its reply) or
/// refused for good (`Err`); the results come in the order of `cmds`.
///
/// A pipeline can half-succeed: each command is answered on its own, and only those not
/// applied are sent again (in their order): the ones answered with a retryable error, and
/// all the unanswered ones when the connection failed midway. A command may then be applied
/// twice (applied, and its answer lost with the connection), so every command given here
/// must be safe to repeat: an acknowledgement, a delete, an idempotent script.
pub(crate) async fn settle_all(
    conn: &mut Conn,
    cmds: &[Cmd],
    what: &str,
    backoff: &mut Backoff,
) -> Vec<Result<Value, RedisError>> {
    let mut settled: Vec<Option<Result<Value, RedisError>>> = vec![None; cmds.len()];
    let mut waiting: Vec<usize> = (0..cmds.len()).collect();
    while !waiting.is_empty() {
        let error = match send_all(conn, cmds, &waiting).await {
            Err(e) => RedisError::from_client(e),
            Ok(replies) => {
                let mut last = None;
                let mut still = Vec::new();
                for (i, reply) in waiting.iter().copied().zip(replies) {
                    match reply.map_err(RedisError::from_client) {
                        Err(error) if error.is_retryable() => {
                            still.push(i);
                            last = Some(error);
                        }
                        reply => settled[i] = Some(reply),
                    }
                }
                waiting = still;
                match last {
                    Some(error) => error,
                    None => break,
                }
            }
        };
        if !error.is_retryable() {
            // The whole pipeline failed for good (a reply that does not parse, say).
            for i in waiting.drain(..) {
                settled[i] = Some(Err(error.clone()));
            }
            break;
        }
        let delay = backoff.next_delay();
        tracing::warn!(%error, ?delay, commands = waiting.len(), "redis: {what}: not applied yet; retrying");
        tokio::time::sleep(delay).await;
    }
    backoff.reset();
    settled
        .into_iter()
        .map(|r| r.expect("every command is settled"))
        .collect()
}

/// Sends the commands `which` of `cmds`, each answered on its own: in one pipeline to one
/// server; to a cluster, each on its own and all at once (the connection multiplexes them),
/// since a cluster's pipeline must stay within one hash slot and these may not.
async fn send_all(
    conn: &mut Conn,
    cmds: &[Cmd],
    which: &[usize],
) -> redis::RedisResult<Vec<redis::RedisResult<Value>>> {
    if conn.is_cluster() {
        let sends = which.iter().map(|&i| {
            let mut conn = conn.clone();
            async move { cmds[i].query_async::<Value>(&mut conn).await }
        });
        return Ok(futures::future::join_all(sends).await);
    }
    let mut pipe = redis::pipe();
    pipe.ignore_errors();
    for &i in which {
        pipe.add_command(cmds[i].clone());
    }
    pipe.query_async::<Vec<redis::RedisResult<Value>>>(conn)
        .await
}
