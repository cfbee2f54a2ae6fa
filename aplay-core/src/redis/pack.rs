//! Packs: several jobs in one stream entry.
//!
//! Jobs enqueued together to run now, each without a unique key, a rate key or an id of the
//! caller's, go to their lane's stream as one entry: one `XADD` of four fields for all of
//! them, whatever their number, instead of one entry each. The entry's fields are `P` (how
//! many jobs), `J` (the pack's id) and `B` (their encoded messages, each after its length as
//! four bytes, little-endian, in the order they were enqueued). The job `i` of the pack `J`
//! (from 0) has the id `{J}.{i}`:
//!
//! ```text
//!  1733300000000-0   P 3   J 0193a..e1   B [len][message 0][len][message 1][len][message 2]
//!  jobs: 0193a..e1.0, 0193a..e1.1, 0193a..e1.2
//! ```
//!
//! A worker reads the pack as one entry and hands its jobs to the actor one by one, each
//! with its own outcome, retries and record. The entry is acknowledged once every job in it
//! has ended (done, dead or cancelled); until then the worker holds it, so a worker that
//! dies leaves the whole pack to another, which skips the jobs that ended.

use super::entry::{Entry, JOB, MESSAGE};

/// The field that makes an entry a pack: how many jobs it holds.
pub(crate) const PACK: &[u8] = b"P";
/// The field holding the pack's id.
pub(crate) const PACK_ID: &[u8] = b"J";
/// The field holding the pack's messages.
pub(crate) const PACKED: &[u8] = b"B";

/// Whether `entry` is a pack of jobs.
pub(crate) fn is_pack(entry: &Entry) -> bool {
    entry.field(PACK).is_some()
}

/// The id of the job `index` of the pack `pack`.
pub(crate) fn job_id(pack: &str, index: usize) -> String {
    format!("{pack}.{index}")
}

/// The pack and the index of a job of a pack, from its id; `None` for another id.
pub(crate) fn pack_of(id: &str) -> Option<(&str, usize)> {
    let (pack, index) = id.rsplit_once('.')?;
    Some((pack, index.parse().ok()?))
}

/// The field `B` of a pack of `messages`.
pub(crate) fn packed<'a>(messages: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for message in messages {
        let len = u32::try_from(message.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(message);
    }
    out
}

/// The jobs of the pack `entry`, each as an entry of its own (the pack's entry id, fields `j`:
/// the job's id and `m`: its message), in order; why not, for a pack whose fields do not say
/// the same as its count.
pub(crate) fn unpack(entry: &Entry) -> Result<Vec<Entry>, String> {
    let count = entry
        .text(PACK)
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| "a pack of jobs whose count is not a number above 0".to_owned())?;
    let pack = entry
        .text(PACK_ID)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| "a pack of jobs without its id (field `J`)".to_owned())?;
    let mut rest = entry
        .field(PACKED)
        .ok_or_else(|| "a pack of jobs without its messages (field `B`)".to_owned())?;
    let mut jobs = Vec::with_capacity(count);
    while !rest.is_empty() {
        let Some((len, after)) = rest.split_first_chunk::<4>() else {
            return Err("a pack of jobs whose messages end in the middle of a length".to_owned());
        };
        let len = u32::from_le_bytes(*len) as usize;
        if after.len() < len {
            return Err("a pack of jobs whose last message is cut short".to_owned());
        }
        let (message, after) = after.split_at(len);
        jobs.push(Entry {
            id: entry.id.clone(),
            fields: Some(vec![
                (JOB.to_vec(), job_id(pack, jobs.len()).into_bytes()),
                (MESSAGE.to_vec(), message.to_vec()),
            ]),
        });
        rest = after;
    }
    if jobs.len() != count {
        return Err(format!(
            "a pack of jobs that says {count} and holds {}",
            jobs.len()
        ));
    }
    Ok(jobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(count: &str, id: &str, messages: &[&[u8]]) -> Entry {
        Entry {
            id: "5-0".to_owned(),
            fields: Some(vec![
                (PACK.to_vec(), count.as_bytes().to_vec()),
                (PACK_ID.to_vec(), id.as_bytes().to_vec()),
                (PACKED.to_vec(), packed(messages.iter().copied())),
            ]),
        }
    }

    #[test]
    fn a_pack_gives_its_jobs_in_order_each_under_the_packs_entry() {
        let entry = pack("3", "p1", &[b"x", b"", b"yz"]);
        assert!(is_pack(&entry));
        let jobs = unpack(&entry).unwrap();
        assert_eq!(jobs.len(), 3);
        assert!(jobs.iter().all(|job| job.id == "5-0"));
        let ids: Vec<&str> = jobs.iter().map(|job| job.text(JOB).unwrap()).collect();
        assert_eq!(ids, ["p1.0", "p1.1", "p1.2"]);
        let messages: Vec<&[u8]> = jobs.iter().map(|job| job.field(MESSAGE).unwrap()).collect();
        assert_eq!(messages, [&b"x"[..], b"", b"yz"]);
        assert_eq!(pack_of("p1.2"), Some(("p1", 2)));
        assert_eq!(pack_of("0193a-77.10"), Some(("0193a-77", 10)));
        assert_eq!(pack_of("report-2026"), None);
    }

    #[test]
    fn a_pack_that_does_not_add_up_is_refused_with_why() {
        assert_eq!(
            unpack(&pack("3", "p1", &[b"x"])).unwrap_err(),
            "a pack of jobs that says 3 and holds 1"
        );
        assert!(
            unpack(&pack("many", "p1", &[b"x"]))
                .unwrap_err()
                .contains("count")
        );
        assert!(unpack(&pack("1", "", &[b"x"])).unwrap_err().contains("`J`"));
        let mut cut = pack("1", "p1", &[b"xyz"]);
        if let Some(fields) = cut.fields.as_mut() {
            fields[2].1.pop();
        }
        assert!(unpack(&cut).unwrap_err().contains("cut short"));
        let mut torn = pack("1", "p1", &[]);
        if let Some(fields) = torn.fields.as_mut() {
            fields[2].1 = vec![1, 0];
        }
        assert!(unpack(&torn).unwrap_err().contains("middle of a length"));
        let single = Entry {
            id: "6-0".to_owned(),
            fields: Some(vec![(MESSAGE.to_vec(), b"x".to_vec())]),
        };
        assert!(!is_pack(&single));
    }
}
