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

use redis::Value;

use super::entry::{MESSAGE, REPLY_TO, REQUEST};
use super::error::RedisError;

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

/// One batch, numbered, with its messages' fields.
pub(crate) struct Batch {
    number: u64,
    args: Vec<Vec<u8>>,
    len: usize,
}

impl Batch {
    pub(crate) fn new(number: u64) -> Self {
        Batch {
            number,
            args: Vec::new(),
            len: 0,
        }
    }

    /// Adds an encoded message; for an ask, with the stream its reply goes to and the
    /// request id the reply carries.
    pub(crate) fn push(&mut self, message: Vec<u8>, reply: Option<(&str, u64)>) {
        let fields = if reply.is_some() { 6 } else { 2 };
        self.args.push(fields.to_string().into_bytes());
        self.args.push(MESSAGE.to_vec());
        self.args.push(message);
        if let Some((to, request)) = reply {
            self.args.push(REPLY_TO.to_vec());
            self.args.push(to.as_bytes().to_vec());
            self.args.push(REQUEST.to_vec());
            self.args.push(request.to_string().into_bytes());
        }
        self.len += 1;
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends the batch to `stream` (at most once, whatever the number of calls), the ref's
    /// number kept in `producer` for `keep_ms`.
    pub(crate) async fn append<C>(
        &self,
        conn: &mut C,
        stream: &str,
        producer: &str,
        keep_ms: u64,
    ) -> Result<Appended, RedisError>
    where
        C: redis::aio::ConnectionLike + Send,
    {
        let mut call = APPEND.key(stream);
        call.key(producer).arg(self.number).arg(keep_ms);
        for arg in &self.args {
            call.arg(arg.as_slice());
        }
        let reply = call
            .invoke_async::<Value>(conn)
            .await
            .map_err(RedisError::from_client)?;
        Appended::parse(reply)
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
    fn a_batch_counts_its_messages_and_their_field_arguments() {
        let mut batch = Batch::new(7);
        batch.push(vec![1, 2], None);
        batch.push(b"x".to_vec(), Some(("reply", 9)));
        assert_eq!(batch.len(), 2);
        let args: Vec<&[u8]> = batch.args.iter().map(Vec::as_slice).collect();
        assert_eq!(
            args,
            [
                &b"2"[..],
                b"m",
                b"\x01\x02",
                b"6",
                b"m",
                b"x",
                b"r",
                b"reply",
                b"q",
                b"9"
            ]
        );
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
