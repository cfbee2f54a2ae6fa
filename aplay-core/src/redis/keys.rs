//! The names of the Redis keys a station uses, all under its namespace.

use super::lane::JobPriority;

/// The key names of one namespace.
///
/// On a Redis Cluster, every key of a path (and of a topic) carries the path (the topic's
/// name) as a hash tag, `{/jobs}`: a cluster keeps keys of one hash tag in one slot, so the
/// scripts and pipelines that touch several keys of a path run on one node.
#[derive(Clone, Debug)]
pub(crate) struct Keys {
    namespace: String,
    cluster: bool,
}

impl Keys {
    pub(crate) fn new(namespace: &str) -> Self {
        Keys {
            namespace: namespace.to_owned(),
            cluster: false,
        }
    }

    /// The key names for a Redis Cluster: hash-tagged by path and topic.
    pub(crate) fn for_cluster(namespace: &str) -> Self {
        Keys {
            namespace: namespace.to_owned(),
            cluster: true,
        }
    }

    /// A path or topic name as it goes into keys: as it is, or as a hash tag in a cluster.
    fn tag(&self, name: &str) -> String {
        if self.cluster {
            format!("{{{name}}}")
        } else {
            name.to_owned()
        }
    }

    /// The consumer group on every mailbox stream: the namespace itself.
    pub(crate) fn group(&self) -> &str {
        &self.namespace
    }

    /// The stream an actor's messages are appended to.
    pub(crate) fn mailbox(&self, path: &str) -> String {
        let tag = self.tag(path);
        format!("{}:mailbox:{tag}", self.namespace)
    }

    /// The stream of one lane of `path`: the mailbox itself for normal, a stream beside it
    /// for high and low.
    pub(crate) fn lane(&self, path: &str, lane: JobPriority) -> String {
        match lane {
            JobPriority::Normal => self.mailbox(path),
            JobPriority::High => format!("{}:mailbox-high:{}", self.namespace, self.tag(path)),
            JobPriority::Low => format!("{}:mailbox-low:{}", self.namespace, self.tag(path)),
        }
    }

    /// The streams of the three lanes of `path`, highest first.
    pub(crate) fn lanes(&self, path: &str) -> [String; 3] {
        JobPriority::ALL.map(|lane| self.lane(path, lane))
    }

    /// Where the entries of `path` that could not be handled go.
    pub(crate) fn dead(&self, path: &str) -> String {
        let tag = self.tag(path);
        format!("{}:dead:{tag}", self.namespace)
    }

    /// The stream a process's replies come back on.
    pub(crate) fn reply(&self, consumer: &str) -> String {
        format!("{}:reply:{consumer}", self.namespace)
    }

    /// Where Redis keeps the number of the last batch one remote ref (`producer`) appended
    /// to the mailbox of `path`.
    pub(crate) fn producer(&self, path: &str, producer: &str) -> String {
        let tag = self.tag(path);
        format!("{}:producer:{tag}:{producer}", self.namespace)
    }

    /// The channel of a fire-and-forget topic, and the stream of a durable one (a channel and
    /// a key do not meet in Redis).
    pub(crate) fn topic(&self, name: &str) -> String {
        format!("{}:topic:{}", self.namespace, self.tag(name))
    }

    /// Where the entries of a durable topic that one subscription could not decode go.
    pub(crate) fn topic_dead(&self, name: &str, subscription: &str) -> String {
        format!(
            "{}:topic-dead:{}:{subscription}",
            self.namespace,
            self.tag(name)
        )
    }

    /// Where Redis keeps the number of the last batch a durable topic's publisher
    /// (`producer`) appended.
    pub(crate) fn topic_producer(&self, name: &str, producer: &str) -> String {
        format!(
            "{}:producer:topic:{}:{producer}",
            self.namespace,
            self.tag(name)
        )
    }

    /// The record of one job sent to `path` (a hash: its state, attempts, result, ...).
    pub(crate) fn job(&self, path: &str, id: &str) -> String {
        format!("{}{id}", self.job_prefix(path))
    }

    /// What every job record of `path` begins with (scripts add the id).
    pub(crate) fn job_prefix(&self, path: &str) -> String {
        let tag = self.tag(path);
        format!("{}:job:{tag}:", self.namespace)
    }

    /// What the books of the jobs of `path` done without a record begin with (scripts add
    /// the book's number: see `job::book`).
    pub(crate) fn done_book_prefix(&self, path: &str) -> String {
        let tag = self.tag(path);
        format!("{}:done:{tag}:", self.namespace)
    }

    /// The entries of the jobs of `path` that have no record yet (a hash: job id to its entry
    /// id in the stream, then its lane when not normal, `"1700000000000-0 high"`). A job
    /// enqueued to run now, without a unique key, a rate key or an id of the caller's, is
    /// only its stream entry and this field until it ends, when its record is written (or
    /// its field in a book: see `job::book`). A pack is one field, by its id, and `{pack}!`
    /// marks its cancelled jobs (see `crate::redis::pack`).
    pub(crate) fn job_entries(&self, path: &str) -> String {
        let tag = self.tag(path);
        format!("{}:job-entries:{tag}", self.namespace)
    }

    /// The jobs of `path` waiting for their time (a sorted set: job id, scored by when it is
    /// due, in milliseconds since the Unix epoch).
    pub(crate) fn delayed(&self, path: &str) -> String {
        let tag = self.tag(path);
        format!("{}:delayed:{tag}", self.namespace)
    }

    /// What every unique-key lock of `path` begins with (scripts add the key).
    pub(crate) fn unique_prefix(&self, path: &str) -> String {
        let tag = self.tag(path);
        format!("{}:unique:{tag}:", self.namespace)
    }

    /// The set of the names of the periodic jobs of `path`.
    pub(crate) fn periodic_index(&self, path: &str) -> String {
        let tag = self.tag(path);
        format!("{}:periodic:{tag}", self.namespace)
    }

    /// The periodic job `name` of `path` (a hash: its schedule, message and last fire).
    pub(crate) fn periodic(&self, path: &str, name: &str) -> String {
        let tag = self.tag(path);
        format!("{}:periodic:{tag}:{name}", self.namespace)
    }

    /// The settings of `path` as a queue (a hash: paused, rate limit).
    pub(crate) fn queue(&self, path: &str) -> String {
        let tag = self.tag(path);
        format!("{}:queue:{tag}", self.namespace)
    }

    /// The counter of `path`'s rate limit (a hash: the window and the starts in it).
    pub(crate) fn rate(&self, path: &str) -> String {
        let tag = self.tag(path);
        format!("{}:rate:{tag}", self.namespace)
    }

    /// The counter of one rate key of `path` (a hash, as [`rate`](Self::rate)).
    pub(crate) fn key_rate(&self, path: &str, rate_key: &str) -> String {
        let tag = self.tag(path);
        format!("{}:rate:{tag}:key:{rate_key}", self.namespace)
    }

    /// The hash of served paths and the type of actor serving each.
    pub(crate) fn addresses(&self) -> String {
        format!("{}:addresses", self.namespace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_a_cluster_the_keys_of_a_path_share_its_hash_tag() {
        let keys = Keys::for_cluster("shop");
        assert_eq!(keys.mailbox("/jobs"), "shop:mailbox:{/jobs}");
        assert_eq!(
            keys.lane("/jobs", JobPriority::High),
            "shop:mailbox-high:{/jobs}"
        );
        assert_eq!(keys.dead("/jobs"), "shop:dead:{/jobs}");
        assert_eq!(keys.producer("/jobs", "w1:7"), "shop:producer:{/jobs}:w1:7");
        assert_eq!(keys.job("/jobs", "j1"), "shop:job:{/jobs}:j1");
        assert_eq!(keys.job_entries("/jobs"), "shop:job-entries:{/jobs}");
        assert_eq!(keys.done_book_prefix("/jobs"), "shop:done:{/jobs}:");
        assert_eq!(keys.unique_prefix("/jobs"), "shop:unique:{/jobs}:");
        assert_eq!(keys.periodic("/jobs", "tick"), "shop:periodic:{/jobs}:tick");
        assert_eq!(keys.topic("orders"), "shop:topic:{orders}");
        assert_eq!(
            keys.topic_dead("orders", "billing"),
            "shop:topic-dead:{orders}:billing"
        );
        assert_eq!(keys.reply("w1"), "shop:reply:w1");
    }

    #[test]
    fn every_key_is_under_the_namespace() {
        let keys = Keys::new("shop");
        assert_eq!(keys.group(), "shop");
        assert_eq!(keys.mailbox("/jobs"), "shop:mailbox:/jobs");
        assert_eq!(keys.dead("/jobs"), "shop:dead:/jobs");
        assert_eq!(keys.reply("w1"), "shop:reply:w1");
        assert_eq!(keys.addresses(), "shop:addresses");
        assert_eq!(keys.job("/jobs", "j1"), "shop:job:/jobs:j1");
        assert_eq!(keys.job_entries("/jobs"), "shop:job-entries:/jobs");
        assert_eq!(keys.delayed("/jobs"), "shop:delayed:/jobs");
        assert_eq!(keys.queue("/jobs"), "shop:queue:/jobs");
        assert_eq!(
            keys.lanes("/jobs"),
            [
                "shop:mailbox-high:/jobs",
                "shop:mailbox:/jobs",
                "shop:mailbox-low:/jobs"
            ]
        );
        assert_eq!(keys.rate("/jobs"), "shop:rate:/jobs");
        assert_eq!(
            keys.periodic("/jobs", "nightly"),
            "shop:periodic:/jobs:nightly"
        );
        assert_eq!(keys.unique_prefix("/jobs"), "shop:unique:/jobs:");
        assert_eq!(keys.producer("/jobs", "w1:7"), "shop:producer:/jobs:w1:7");
        assert_eq!(keys.topic("prices"), "shop:topic:prices");
        assert_eq!(
            keys.topic_dead("orders", "billing"),
            "shop:topic-dead:orders:billing"
        );
        assert_eq!(
            keys.topic_producer("orders", "w1:7"),
            "shop:producer:topic:orders:w1:7"
        );
    }
}
