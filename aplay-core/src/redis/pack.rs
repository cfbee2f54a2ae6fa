//! Packs: several jobs in one stream entry.
//!
//! Jobs enqueued together to run now, each without a unique key, a rate key or an id of the
//! caller's, go to their lane's stream as one entry: one `XADD` for all of them instead of one
//! each. The entry's fields are `P` (how many jobs), then per job `j` (its id) and `M` (its
//! encoded message), in the order they were enqueued:
//!
//! ```text
//!  1733300000000-0   P 3   j <id 1> M <message 1>   j <id 2> M <message 2>   j <id 3> M <message 3>
//! ```
//!
//! A worker reads the pack as one entry and hands its jobs to the actor one by one, each
//! with its own outcome, retries and record. The entry is acknowledged once every job in it
//! has ended (done, dead or cancelled); until then the worker holds it, so a worker that
//! dies leaves the whole pack to another, which skips the jobs whose records say they ended.

use super::entry::{Entry, JOB, MESSAGE};

/// The field that makes an entry a pack: how many jobs it holds.
pub(crate) const PACK: &[u8] = b"P";
/// The field holding one packed job's encoded message (`m` is left to single messages, so
/// that a worker that does not know packs sends a pack to the dead letters, whole, rather
/// than handling its first job alone).
pub(crate) const PACKED_MESSAGE: &[u8] = b"M";

/// Whether `entry` is a pack of jobs.
pub(crate) fn is_pack(entry: &Entry) -> bool {
    entry.field(PACK).is_some()
}

/// The jobs of the pack `entry`, each as an entry of its own (the pack's id, and fields `j`
/// and `m`), in order; why not, for a pack whose fields do not say the same as its count.
pub(crate) fn unpack(entry: &Entry) -> Result<Vec<Entry>, String> {
    let fields = entry.fields.as_deref().unwrap_or_default();
    let count = entry
        .text(PACK)
        .and_then(|n| n.parse::<usize>().ok())
        .ok_or_else(|| "a pack of jobs whose count is not a number".to_owned())?;
    let mut jobs = Vec::with_capacity(count);
    let mut rest = fields.iter().filter(|(name, _)| name != PACK);
    while let Some((name, id)) = rest.next() {
        let Some((next, message)) = rest.next() else {
            return Err("a pack of jobs whose last id has no message".to_owned());
        };
        if name != JOB || next != PACKED_MESSAGE {
            return Err(format!(
                "a pack of jobs with a field `{}` where `j` then `M` were expected",
                String::from_utf8_lossy(if name != JOB { name } else { next })
            ));
        }
        if std::str::from_utf8(id).is_err() {
            return Err("a pack of jobs with an id that is not UTF-8".to_owned());
        }
        jobs.push(Entry {
            id: entry.id.clone(),
            fields: Some(vec![
                (JOB.to_vec(), id.clone()),
                (MESSAGE.to_vec(), message.clone()),
            ]),
        });
    }
    if jobs.len() != count || count == 0 {
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

    fn pack(fields: &[(&str, &str)]) -> Entry {
        Entry {
            id: "5-0".to_owned(),
            fields: Some(
                fields
                    .iter()
                    .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
                    .collect(),
            ),
        }
    }

    #[test]
    fn a_pack_gives_its_jobs_in_order_each_under_the_packs_id() {
        let entry = pack(&[("P", "2"), ("j", "a"), ("M", "x"), ("j", "b"), ("M", "y")]);
        assert!(is_pack(&entry));
        let jobs = unpack(&entry).unwrap();
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].id, "5-0");
        assert_eq!(jobs[0].text(JOB), Some("a"));
        assert_eq!(jobs[0].field(MESSAGE), Some(&b"x"[..]));
        assert_eq!(jobs[1].text(JOB), Some("b"));
        assert_eq!(jobs[1].field(MESSAGE), Some(&b"y"[..]));
    }

    #[test]
    fn a_pack_that_does_not_add_up_is_refused_with_why() {
        let short = pack(&[("P", "3"), ("j", "a"), ("M", "x")]);
        assert_eq!(
            unpack(&short).unwrap_err(),
            "a pack of jobs that says 3 and holds 1"
        );
        let odd = pack(&[("P", "1"), ("j", "a")]);
        assert!(unpack(&odd).unwrap_err().contains("no message"));
        let wrong = pack(&[("P", "1"), ("j", "a"), ("m", "x")]);
        assert!(unpack(&wrong).unwrap_err().contains("`m`"));
        let count = pack(&[("P", "many"), ("j", "a"), ("M", "x")]);
        assert!(unpack(&count).unwrap_err().contains("not a number"));
        let single = pack(&[("m", "x")]);
        assert!(!is_pack(&single));
    }
}
