//! Stream entries as Redis returns them, read without trusting their shape: whatever is in a
//! stream (garbage, another program's fields) is parsed into an [`Entry`] or reported.

use std::collections::HashMap;

use redis::Value;

use super::error::RedisError;

/// The field holding the encoded message.
pub(crate) const MESSAGE: &[u8] = b"m";
/// The field naming the reply stream of an ask.
pub(crate) const REPLY_TO: &[u8] = b"r";
/// The field holding an ask's request id (on the entry and on its reply).
pub(crate) const REQUEST: &[u8] = b"q";
/// The field holding a job's id (entries sent as jobs, with a record of their own).
pub(crate) const JOB: &[u8] = b"j";
/// The field holding the lane of a job of high or low priority (`high`, `low`).
pub(crate) const PRIORITY: &[u8] = b"p";
/// The field holding a job's rate key, when it has one: the jobs of one rate key share the
/// path's limit per key.
pub(crate) const RATE_KEY: &[u8] = b"rk";
/// The field holding a job's unique key, when it has one.
pub(crate) const JOB_KEY: &[u8] = b"k";
/// The field of a reply that carries no value, with why.
pub(crate) const FAILED: &[u8] = b"e";

/// One stream entry: its id and its fields, `None` when the entry was deleted while it was
/// pending (Redis then returns the id alone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) id: String,
    pub(crate) fields: Option<Vec<(Vec<u8>, Vec<u8>)>>,
}

impl Entry {
    /// The value of the first field named `name`.
    pub(crate) fn field(&self, name: &[u8]) -> Option<&[u8]> {
        self.fields
            .as_ref()?
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The value of a text field.
    pub(crate) fn text(&self, name: &[u8]) -> Option<&str> {
        std::str::from_utf8(self.field(name)?).ok()
    }
}

fn bytes(value: Value) -> Result<Vec<u8>, RedisError> {
    match value {
        Value::BulkString(b) => Ok(b),
        Value::SimpleString(s) => Ok(s.into_bytes()),
        Value::VerbatimString { text, .. } => Ok(text.into_bytes()),
        Value::Int(n) => Ok(n.to_string().into_bytes()),
        Value::Okay => Ok(b"OK".to_vec()),
        other => Err(RedisError::reply(format!(
            "expected a string, got {other:?}"
        ))),
    }
}

pub(crate) fn string(value: Value) -> Result<String, RedisError> {
    String::from_utf8(bytes(value)?)
        .map_err(|_| RedisError::reply("expected a UTF-8 string, got other bytes"))
}

pub(crate) fn integer(value: Value) -> Result<i64, RedisError> {
    match value {
        Value::Int(n) => Ok(n),
        other => string(other)?
            .parse()
            .map_err(|_| RedisError::reply("expected an integer")),
    }
}

/// A list: an array, a set, or (flattened) a map.
fn list(value: Value) -> Result<Vec<Value>, RedisError> {
    match value {
        Value::Array(items) | Value::Set(items) => Ok(items),
        Value::Map(pairs) => Ok(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect()),
        Value::Nil => Ok(Vec::new()),
        other => Err(RedisError::reply(format!("expected a list, got {other:?}"))),
    }
}

fn pairs(value: Value) -> Result<Vec<(Value, Value)>, RedisError> {
    match value {
        Value::Map(pairs) => Ok(pairs),
        other => {
            let items = list(other)?;
            if items.len() % 2 != 0 {
                return Err(RedisError::reply("expected pairs, got an odd list"));
            }
            let mut items = items.into_iter();
            let mut out = Vec::new();
            while let (Some(k), Some(v)) = (items.next(), items.next()) {
                out.push((k, v));
            }
            Ok(out)
        }
    }
}

/// One entry: `[id, [field, value, ..]]`, or `[id, nil]` for a deleted one.
fn entry(value: Value) -> Result<Entry, RedisError> {
    let mut items = list(value)?.into_iter();
    let id = string(
        items
            .next()
            .ok_or_else(|| RedisError::reply("an entry without an id"))?,
    )?;
    let fields = match items.next() {
        None | Some(Value::Nil) => None,
        Some(fields) => Some(
            pairs(fields)?
                .into_iter()
                .map(|(k, v)| Ok((bytes(k)?, bytes(v)?)))
                .collect::<Result<Vec<_>, RedisError>>()?,
        ),
    };
    Ok(Entry { id, fields })
}

/// A list of entries (`XRANGE`, `XCLAIM`, one stream of an `XREAD`).
pub(crate) fn entries(value: Value) -> Result<Vec<Entry>, RedisError> {
    list(value)?.into_iter().map(entry).collect()
}

/// The entries of an `XREAD` / `XREADGROUP` on one stream (nil when nothing came).
pub(crate) fn read_reply(value: Value) -> Result<Vec<Entry>, RedisError> {
    let mut out = Vec::new();
    match value {
        Value::Nil => {}
        Value::Map(streams) => {
            for (_key, stream) in streams {
                out.extend(entries(stream)?);
            }
        }
        other => {
            for stream in list(other)? {
                let mut parts = list(stream)?.into_iter();
                let _key = parts.next();
                if let Some(stream) = parts.next() {
                    out.extend(entries(stream)?);
                }
            }
        }
    }
    Ok(out)
}

/// The entries of an `XREADGROUP` on several streams, by stream key (nil: none came).
pub(crate) fn read_reply_by_stream(value: Value) -> Result<Vec<(String, Vec<Entry>)>, RedisError> {
    let mut out = Vec::new();
    match value {
        Value::Nil => {}
        Value::Map(streams) => {
            for (key, stream) in streams {
                out.push((string(key)?, entries(stream)?));
            }
        }
        other => {
            for stream in list(other)? {
                let mut parts = list(stream)?.into_iter();
                let key = string(
                    parts
                        .next()
                        .ok_or_else(|| RedisError::reply("a stream without its key"))?,
                )?;
                let stream = parts.next().map(entries).transpose()?.unwrap_or_default();
                out.push((key, stream));
            }
        }
    }
    Ok(out)
}

/// What `XAUTOCLAIM` returns: the cursor for the next call, the entries claimed, and the ids
/// that were pending but no longer exist (Redis drops them from the pending list itself).
pub(crate) struct AutoClaimed {
    pub(crate) next: String,
    pub(crate) entries: Vec<Entry>,
    pub(crate) deleted: Vec<String>,
}

pub(crate) fn autoclaim_reply(value: Value) -> Result<AutoClaimed, RedisError> {
    let mut parts = list(value)?.into_iter();
    let next = string(
        parts
            .next()
            .ok_or_else(|| RedisError::reply("XAUTOCLAIM without a cursor"))?,
    )?;
    let claimed = parts.next().map(list).transpose()?.unwrap_or_default();
    let mut entries = Vec::new();
    for item in claimed {
        // Redis 6.2 returns nil for an entry deleted while pending.
        if item != Value::Nil {
            entries.push(entry(item)?);
        }
    }
    let deleted = match parts.next() {
        Some(ids) => list(ids)?
            .into_iter()
            .map(string)
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    Ok(AutoClaimed {
        next,
        entries,
        deleted,
    })
}

/// The delivery count of each id in the reply of the extended `XPENDING`
/// (`[[id, consumer, idle, deliveries], ..]`).
pub(crate) fn delivery_counts(value: Value) -> Result<HashMap<String, u32>, RedisError> {
    let mut counts = HashMap::new();
    for row in list(value)? {
        let mut row = list(row)?.into_iter();
        let (Some(id), Some(_consumer), Some(_idle), Some(deliveries)) =
            (row.next(), row.next(), row.next(), row.next())
        else {
            return Err(RedisError::reply("a short XPENDING row"));
        };
        let deliveries = u32::try_from(integer(deliveries)?).unwrap_or(u32::MAX);
        counts.insert(string(id)?, deliveries);
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn a_read_reply_gives_every_entry_and_marks_deleted_ones() {
        let reply = Value::Array(vec![Value::Array(vec![
            bulk("s"),
            Value::Array(vec![
                Value::Array(vec![
                    bulk("1-0"),
                    Value::Array(vec![bulk("m"), Value::BulkString(vec![1, 255])]),
                ]),
                Value::Array(vec![bulk("2-0"), Value::Nil]),
            ]),
        ])]);
        let entries = read_reply(reply).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].id, "1-0");
        assert_eq!(entries[0].field(MESSAGE), Some(&[1u8, 255][..]));
        assert_eq!(entries[1].fields, None);
        assert!(read_reply(Value::Nil).unwrap().is_empty());
    }

    #[test]
    fn a_resp3_map_reply_reads_the_same() {
        let reply = Value::Map(vec![(
            bulk("s"),
            Value::Array(vec![Value::Array(vec![
                bulk("1-0"),
                Value::Map(vec![(bulk("q"), bulk("7"))]),
            ])]),
        )]);
        let entries = read_reply(reply).unwrap();
        assert_eq!(entries[0].text(REQUEST), Some("7"));
    }

    #[test]
    fn a_malformed_reply_is_an_error_not_a_panic() {
        assert!(read_reply(Value::Int(3)).is_err());
        let odd = Value::Array(vec![bulk("1-0"), Value::Array(vec![bulk("m")])]);
        assert!(entries(Value::Array(vec![odd])).is_err());
        assert!(delivery_counts(Value::Array(vec![Value::Array(vec![bulk("1-0")])])).is_err());
    }

    #[test]
    fn autoclaim_gives_cursor_entries_and_deleted_ids() {
        let reply = Value::Array(vec![
            bulk("0-0"),
            Value::Array(vec![Value::Array(vec![
                bulk("5-0"),
                Value::Array(vec![bulk("m"), bulk("x")]),
            ])]),
            Value::Array(vec![bulk("4-0")]),
        ]);
        let claimed = autoclaim_reply(reply).unwrap();
        assert_eq!(claimed.next, "0-0");
        assert_eq!(claimed.entries[0].id, "5-0");
        assert_eq!(claimed.deleted, ["4-0"]);
    }
}
