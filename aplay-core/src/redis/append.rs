//! Appending a batch of messages to a mailbox stream exactly once, all of it or none of it.
//!
//! One Lua script appends the whole batch. Redis runs a script at once, and checks before it
//! starts whether it may write at all (`LOADING`, `OOM`, `READONLY`, ...: the script is then
//! refused whole, and sent again later), so a batch is never half in the stream.
//!
//! A batch whose answer was lost with the connection is sent again, and may have been
//! appended already: each remote ref numbers its batches, and the script remembers the last
//! number it appended (in a key of the ref's own, `{ns}:producer:{path}:{ref}`), so the same
//! batch sent again is recognised and not appended twice.

use std::sync::LazyLock;

use crate::redis::conn::Conn;
use parking_lot::Mutex;
use redis::Value;

use super::backoff::Backoff;
use super::entry::{MESSAGE, REPLY_TO, REQUEST};
use super::error::RedisError;
use super::replicas::{Replicas, call_script};
use super::retry::retry;

/// `KEYS[1]`: the stream, `KEYS[2]`: the ref's key. `ARGV[1]`: the batch number, `ARGV[2]`:
/// how long the ref's key lives (ms), then per message the number of its field arguments and
/// those. Returns `{appended, refused}`: `appended` is 1, or 0 when the batch was appended
/// before; `refused` lists the messages Redis refused (`{index} {error}` per line), which
/// are then not in the stream.
///
/// The number is written before the first append, so a refused write of it (a permission)
/// leaves nothing appended.
const SCRIPT: &str = r#"#!lua
local last = redis.call('GET', KEYS[2])
if last then
  local number, refused = string.match(last, '^(%d+)\n?(.*)$')
  if number and tonumber(number) >= tonumber(ARGV[1]) then
    return {0, refused}
  end
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
local refused = {}
local i = 3
local index = 0
while i <= #ARGV do
  local count = tonumber(ARGV[i])
  local reply = redis.pcall('XADD', KEYS[1], '*', unpack(ARGV, i + 1, i + count))
  if type(reply) == 'table' and reply.err then
    refused[#refused + 1] = index .. ' ' .. reply.err
  end
  index = index + 1
  i = i + count + 1
end
local text = table.concat(refused, '\n')
if #refused > 0 then
  redis.call('SET', KEYS[2], ARGV[1] .. '\n' .. text, 'PX', ARGV[2])
end
return {1, text}
"#;

static APPEND: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(SCRIPT));

/// One batch, numbered: the script's call, its messages' fields added as they come (each
/// message's bytes are copied once, into the command, which every attempt sends as it is).
pub(crate) struct Batch {
    call: redis::Cmd,
    len: usize,
}

impl Batch {
    /// Batch `number` for `stream`, the ref's number kept in `producer` for `keep_ms`.
    pub(crate) fn new(number: u64, stream: &str, producer: &str, keep_ms: u64) -> Self {
        let mut call = redis::cmd("EVALSHA");
        call.arg(APPEND.get_hash())
            .arg(2)
            .arg(stream)
            .arg(producer)
            .arg(number)
            .arg(keep_ms);
        Batch { call, len: 0 }
    }

    /// Adds an encoded message; for an ask, with the stream its reply goes to and the
    /// request id the reply carries.
    pub(crate) fn push(&mut self, message: &[u8], reply: Option<(&str, u64)>) {
        let fields = if reply.is_some() { 6 } else { 2 };
        self.call.arg(fields).arg(MESSAGE).arg(message);
        if let Some((to, request)) = reply {
            self.call.arg(REPLY_TO).arg(to).arg(REQUEST).arg(request);
        }
        self.len += 1;
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends the batch (at most once, whatever the number of calls). Loads the script
    /// first when Redis does not know it (a restarted server).
    /// With `replicas`, it counts as appended only once that many replicas have it (see
    /// [`replicas`](super::replicas)).
    pub(crate) async fn append(
        &self,
        conn: &mut Conn,
        replicas: Option<Replicas>,
    ) -> Result<Appended, RedisError> {
        Appended::parse(call_script(conn, SCRIPT, &self.call, replicas).await?)
    }

    /// [`append`](Self::append), waiting out every retryable error with `backoff`
    /// ([`retry`]) until Redis takes the batch or refuses it for good. While it is held up,
    /// the last error is in `held_up_by` (for a flush that gives up waiting to say why).
    pub(crate) async fn append_retried(
        &self,
        conn: &Conn,
        replicas: Option<Replicas>,
        what: &str,
        backoff: &mut Backoff,
        held_up_by: &Mutex<Option<RedisError>>,
    ) -> Result<Appended, RedisError> {
        let appended = retry(what, backoff, || {
            let mut conn = conn.clone();
            async move {
                let result = self.append(&mut conn, replicas).await;
                if let Err(error) = &result {
                    *held_up_by.lock() = Some(error.clone());
                }
                result
            }
        })
        .await;
        *held_up_by.lock() = None;
        appended
    }
}

/// What became of a batch.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Appended {
    /// Whether this call appended it (`false`: an earlier call had, and its answer was lost).
    pub(crate) now: bool,
    /// The messages Redis refused (by their index in the batch), with why: they are not in
    /// the stream.
    pub(crate) refused: Vec<(usize, String)>,
}

impl Appended {
    fn parse(reply: Value) -> Result<Self, RedisError> {
        let unexpected = || RedisError::reply("the append script returned something unexpected");
        let Value::Array(parts) = reply else {
            return Err(unexpected());
        };
        let [Value::Int(now), refused] = parts.as_slice() else {
            return Err(unexpected());
        };
        let text = match refused {
            Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
            Value::SimpleString(s) => s.clone(),
            Value::Nil => String::new(),
            _ => return Err(unexpected()),
        };
        let refused = text
            .lines()
            .filter_map(|line| {
                let (index, error) = line.split_once(' ')?;
                Some((index.parse().ok()?, error.to_owned()))
            })
            .collect();
        Ok(Appended {
            now: *now == 1,
            refused,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_one_call_with_each_messages_field_count_and_fields() {
        let mut batch = Batch::new(7, "ns:mailbox:/jobs", "ns:producer:/jobs:w1", 3_600_000);
        batch.push(&[1, 2], None);
        batch.push(b"x", Some(("reply", 9)));
        assert_eq!(batch.len(), 2);
        let args: Vec<Vec<u8>> = batch
            .call
            .args_iter()
            .map(|arg| match arg {
                redis::Arg::Simple(bytes) => bytes.to_vec(),
                _ => panic!("only plain arguments"),
            })
            .collect();
        let sha = APPEND.get_hash().as_bytes().to_vec();
        let expected: Vec<Vec<u8>> = [
            &b"EVALSHA"[..],
            &sha,
            b"2",
            b"ns:mailbox:/jobs",
            b"ns:producer:/jobs:w1",
            b"7",
            b"3600000",
            b"2",
            b"m",
            &[1, 2],
            b"6",
            b"m",
            b"x",
            b"r",
            b"reply",
            b"q",
            b"9",
        ]
        .iter()
        .map(|a| a.to_vec())
        .collect();
        assert_eq!(args, expected);
    }

    #[test]
    fn the_scripts_answer_says_whether_it_appended_and_what_was_refused() {
        let fresh = Value::Array(vec![Value::Int(1), Value::BulkString(Vec::new())]);
        assert_eq!(
            Appended::parse(fresh).unwrap(),
            Appended {
                now: true,
                refused: vec![]
            }
        );
        let replayed = Value::Array(vec![
            Value::Int(0),
            Value::BulkString(b"0 WRONGTYPE Operation against a key\n2 ERR no".to_vec()),
        ]);
        assert_eq!(
            Appended::parse(replayed).unwrap(),
            Appended {
                now: false,
                refused: vec![
                    (0, "WRONGTYPE Operation against a key".to_owned()),
                    (2, "ERR no".to_owned())
                ]
            }
        );
        assert!(Appended::parse(Value::Okay).is_err());
    }
}
