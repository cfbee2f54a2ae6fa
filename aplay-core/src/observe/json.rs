//! The tree as data: `TreeNode: Serialize`, a flat list of actors.
//!
//! Flat rather than nested so that a tree of any depth serializes (and deserializes, in the
//! reader's language) without recursion, and so that each actor is one record of aplay's
//! property table: name, address, parent, children, state, stopped by a person, mailbox, and
//! the counters.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::tree::{TreeNode, state_name};

/// The snapshot as `{"top": "/", "actors": [...]}`: the path of the actor the snapshot was
/// taken from, then every actor of it, parents before children (the order of the text
/// rendering's lines). Each actor is
///
/// ```json
/// {
///   "name": "count", "path": "/test/count", "parent": "/test", "children": [],
///   "type": "my_app::Counter", "state": "running", "stopped_by_person": false,
///   "restarts": 0, "messages_handled": 100,
///   "mailbox": { "len": 0, "capacity": 1024, "high_water": 7 },
///   "handler_time": { "total_ns": 51200, "max_ns": 2100 },
///   "panics": 0, "asks_timed_out": 0,
///   "last_error": { "at_ms": 1733320000000, "text": "parse: not a number" }
/// }
/// ```
///
/// `parent` is `null` for `/`; `state` is one of `starting`, `running`, `stopping`,
/// `restarting`, `stopped`; `mailbox.len` and `capacity` are `null` for an unbounded
/// mailbox; `high_water` and `handler_time` are `null` unless the system is metered
/// ([`SystemBuilder::metered`](crate::SystemBuilder::metered)); `last_error` is `null` until
/// the actor met one (`at_ms`: milliseconds since the Unix epoch).
impl Serialize for TreeNode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut top = serializer.serialize_struct("Tree", 2)?;
        top.serialize_field("top", self.path())?;
        top.serialize_field("actors", &Actors(self))?;
        top.end()
    }
}

/// Every actor of a subtree, in walk order.
struct Actors<'a>(&'a TreeNode);

impl Serialize for Actors<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.walk().map(Actor))
    }
}

/// One actor's record.
struct Actor(TreeNode);

impl Serialize for Actor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let node = &self.0;
        let mut actor = serializer.serialize_struct("Actor", 14)?;
        actor.serialize_field("name", node.name())?;
        actor.serialize_field("path", node.path())?;
        actor.serialize_field("parent", &node.path().parent())?;
        actor.serialize_field("children", &Children(node))?;
        actor.serialize_field("type", node.actor_type())?;
        actor.serialize_field("state", state_name(node.state()))?;
        actor.serialize_field("stopped_by_person", &node.stopped_by_person())?;
        actor.serialize_field("restarts", &node.restarts())?;
        actor.serialize_field("messages_handled", &node.messages_handled())?;
        actor.serialize_field("mailbox", &Mailbox(node))?;
        actor.serialize_field("handler_time", &node.handler_time().map(HandlerTime))?;
        actor.serialize_field("panics", &node.panics())?;
        actor.serialize_field("asks_timed_out", &node.asks_timed_out())?;
        actor.serialize_field("last_error", &node.last_error().map(LastError))?;
        actor.end()
    }
}

/// The paths of an actor's children.
struct Children<'a>(&'a TreeNode);

impl Serialize for Children<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.children().map(|child| child.path().clone()))
    }
}

struct Mailbox<'a>(&'a TreeNode);

impl Serialize for Mailbox<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut mailbox = serializer.serialize_struct("Mailbox", 3)?;
        mailbox.serialize_field("len", &self.0.mailbox_len())?;
        mailbox.serialize_field("capacity", &self.0.mailbox_capacity())?;
        mailbox.serialize_field("high_water", &self.0.mailbox_high_water())?;
        mailbox.end()
    }
}

struct LastError<'a>(&'a super::ErrorNote);

impl Serialize for LastError<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let at = self
            .0
            .at
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let mut error = serializer.serialize_struct("LastError", 2)?;
        error.serialize_field("at_ms", &u64::try_from(at.as_millis()).unwrap_or(u64::MAX))?;
        error.serialize_field("text", &self.0.text)?;
        error.end()
    }
}

struct HandlerTime(super::HandlerTime);

impl Serialize for HandlerTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let nanos = |d: std::time::Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        let mut time = serializer.serialize_struct("HandlerTime", 2)?;
        time.serialize_field("total_ns", &nanos(self.0.total))?;
        time.serialize_field("max_ns", &nanos(self.0.max))?;
        time.end()
    }
}

#[cfg(feature = "observe")]
impl TreeNode {
    /// The snapshot as JSON (see its `Serialize` implementation for the shape), on one line.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::System;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let json = System::new().tree().to_json();
    /// assert!(json.starts_with(r#"{"top":"/","actors":[{"name":"","path":"/","parent":null,"#));
    /// # }
    /// ```
    pub fn to_json(&self) -> String {
        // Serializing into a string does not fail: every key is a string and no value is a
        // float. Should it, the answer is still JSON.
        serde_json::to_string(self)
            .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string())
    }
}
