//! Checking at connect that the Redis user may do what a station does: a missing permission
//! (an ACL user without `+@stream`, or limited to other keys) is an error at connect, naming
//! what is missing, instead of commands refused later in the loops.

use redis::Value;

use super::error::{RedisError, RedisErrorKind};
use super::keys::Keys;

/// Asks Redis (`redis.acl_check_cmd`, Redis 7+) whether the user may run each command of
/// `ARGV` (one per argument: words separated by `\x1f`). Writes nothing. Returns the ones
/// refused.
const CHECK: &str = r#"#!lua flags=no-writes,allow-stale
local refused = {}
for _, command in ipairs(ARGV) do
  local words = {}
  for word in string.gmatch(command, '[^\31]+') do
    words[#words + 1] = word
  end
  if not redis.acl_check_cmd(unpack(words)) then
    refused[#refused + 1] = table.concat(words, ' ')
  end
end
return refused
"#;

/// The commands a station runs, with keys of its namespace.
fn commands(keys: &Keys, consumer: &str) -> Vec<Vec<String>> {
    let mailbox = keys.mailbox("/probe");
    let dead = keys.dead("/probe");
    let reply = keys.reply(consumer);
    let producer = keys.producer("/probe", consumer);
    let group = keys.group();
    let words = |text: &str| -> Vec<String> {
        text.split(' ')
            .map(|w| match w {
                "MAILBOX" => mailbox.clone(),
                "DEAD" => dead.clone(),
                "REPLY" => reply.clone(),
                "PRODUCER" => producer.clone(),
                "ADDRESSES" => keys.addresses(),
                "GROUP" => group.to_owned(),
                "CONSUMER" => consumer.to_owned(),
                other => other.to_owned(),
            })
            .collect()
    };
    [
        "XADD MAILBOX * m x",
        "XREADGROUP GROUP GROUP CONSUMER COUNT 1 STREAMS MAILBOX >",
        "XACK MAILBOX GROUP 0-1",
        "XDEL MAILBOX 0-1",
        "XTRIM MAILBOX MINID ~ 0-1",
        "XINFO GROUPS MAILBOX",
        "EVAL x 0",
        "XCLAIM MAILBOX GROUP CONSUMER 0 0-1",
        "XAUTOCLAIM MAILBOX GROUP CONSUMER 0 0-0",
        "XPENDING MAILBOX GROUP",
        "XGROUP CREATE MAILBOX GROUP 0 MKSTREAM",
        "XGROUP DELCONSUMER MAILBOX GROUP CONSUMER",
        "XINFO CONSUMERS MAILBOX GROUP",
        "XLEN MAILBOX",
        "XADD DEAD * m x",
        "XRANGE DEAD - +",
        "XREAD STREAMS REPLY 0",
        "XADD REPLY * q 1",
        "PEXPIRE REPLY 1",
        "DEL REPLY",
        "HSET ADDRESSES /probe x",
        "HGET ADDRESSES /probe",
        "GET PRODUCER",
        "SET PRODUCER 1",
        "EVALSHA 0000000000000000000000000000000000000000 0",
        "SCRIPT LOAD x",
    ]
    .iter()
    .map(|c| words(c))
    .collect()
}

/// The commands a topic of `name` runs: Pub/Sub on its channel, or (`durable`) what a
/// station runs on streams, and the trimming of its stream.
fn topic_commands(keys: &Keys, name: &str, durable: bool) -> Vec<Vec<String>> {
    let topic = keys.topic(name);
    let words = |text: &str| -> Vec<String> {
        text.split(' ')
            .map(|w| {
                if w == "TOPIC" {
                    topic.clone()
                } else {
                    w.to_owned()
                }
            })
            .collect()
    };
    let commands: &[&str] = if durable {
        &["XADD TOPIC * m x", "XTRIM TOPIC MAXLEN ~ 1"]
    } else {
        &["PUBLISH TOPIC x", "SUBSCRIBE TOPIC"]
    };
    commands.iter().map(|c| words(c)).collect()
}

/// Checks the user's permissions; `Err` (kind [`Permission`](RedisErrorKind::Permission))
/// naming the commands it may not run. Servers that cannot say (before Redis 7) pass.
pub(crate) async fn check<C>(conn: &mut C, keys: &Keys, consumer: &str) -> Result<(), RedisError>
where
    C: redis::aio::ConnectionLike + Send,
{
    check_commands(
        conn,
        commands(keys, consumer),
        &format!("on the keys `{}:*`", keys.group()),
    )
    .await
}

/// Checks that the user may run what a topic of `name` runs (see [`check`]).
pub(crate) async fn check_topic<C>(
    conn: &mut C,
    keys: &Keys,
    name: &str,
    durable: bool,
) -> Result<(), RedisError>
where
    C: redis::aio::ConnectionLike + Send,
{
    let on = if durable {
        format!("on the topic stream `{}`", keys.topic(name))
    } else {
        format!("on the Pub/Sub channel `{}`", keys.topic(name))
    };
    check_commands(conn, topic_commands(keys, name, durable), &on).await
}

/// Checks that the user may run each of `commands` (`on`: what they touch, in words).
async fn check_commands<C>(
    conn: &mut C,
    commands: Vec<Vec<String>>,
    on: &str,
) -> Result<(), RedisError>
where
    C: redis::aio::ConnectionLike + Send,
{
    let mut eval = redis::cmd("EVAL");
    eval.arg(CHECK).arg(0);
    for command in commands {
        eval.arg(command.join("\x1f"));
    }
    let refused = match eval.query_async::<Value>(conn).await {
        Ok(Value::Array(refused)) => refused,
        Ok(_) => {
            return Err(RedisError::reply(
                "the permission check returned something unexpected",
            ));
        }
        Err(e) => {
            let error = RedisError::from_client(e);
            if error.kind() == RedisErrorKind::Permission {
                return Err(RedisError::new(
                    RedisErrorKind::Permission,
                    format!(
                        "the Redis user may not run scripts (EVAL), which aplay needs: {}",
                        error.message()
                    ),
                ));
            }
            // A server without `acl_check_cmd` (before Redis 7) or without scripting checks.
            if error.message().contains("acl_check_cmd") {
                return Ok(());
            }
            return Err(error);
        }
    };
    if refused.is_empty() {
        return Ok(());
    }
    // The command names (with their subcommand), once each: the keys are said below.
    let mut refused: Vec<String> = refused
        .into_iter()
        .filter_map(|r| redis::from_redis_value::<String>(r).ok())
        .map(|command| {
            let mut words = command.split(' ');
            let name = words.next().unwrap_or_default().to_owned();
            match (name.as_str(), words.next()) {
                ("XGROUP" | "XINFO" | "SCRIPT", Some(sub)) => format!("{name} {sub}"),
                _ => name,
            }
        })
        .collect();
    refused.dedup();
    Err(RedisError::new(
        RedisErrorKind::Permission,
        format!(
            "the Redis user may not run what aplay needs {on}: {} (see the guide's chapter on Redis for the ACL rules)",
            refused.join(", ")
        ),
    ))
}
