//! A snapshot as text: the `Display` of a [`TreeNode`] (the subtree drawn with guides, cut
//! below a depth), and its `Debug`.

use std::fmt;
use std::time::Duration;

use super::{ActorInfo, Slot, TreeNode};
use crate::cell::ActorState;

impl fmt::Display for TreeNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Render {
            node: self,
            max_depth: usize::MAX,
        }
        .fmt(f)
    }
}

impl fmt::Debug for TreeNode {
    /// The actor's own fields and how many children it has (not the whole subtree, which
    /// the `Display` draws).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = self.info();
        f.debug_struct("TreeNode")
            .field("path", &info.path)
            .field("actor_type", &info.actor_type)
            .field("state", &info.state)
            .field("stopped_by_person", &info.stopped_by_person)
            .field("restarts", &info.restarts)
            .field("messages_handled", &info.messages_handled)
            .field("mailbox_len", &info.mailbox_len)
            .field("mailbox_capacity", &info.mailbox_capacity)
            .field("mailbox_high_water", &info.mailbox_high_water)
            .field("handler_time", &info.handler_time)
            .field("children", &self.slot().children.len())
            .field("subtree_size", &self.slot().size)
            .finish()
    }
}

/// The text rendering of a subtree, cut below `max_depth` levels.
pub(super) struct Render<'a> {
    pub(super) node: &'a TreeNode,
    pub(super) max_depth: usize,
}

impl fmt::Display for Render<'_> {
    /// Depth first with an explicit stack of the child ranges still to draw. `guides` holds
    /// the left margin of the current level (`│   ` under a parent with siblings still to
    /// come, blanks otherwise); each stack frame remembers its length to cut it back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slots = &*self.node.snapshot;
        let top = &slots[self.node.index];
        write_actor(f, top.info.path.as_str(), &top.info)?;
        let mut guides = String::new();
        if self.max_depth == 0 {
            return write_cut(f, &guides, top);
        }
        let mut stack = vec![(top.children.clone(), 0)];
        while let Some((siblings, margin)) = stack.last_mut() {
            let Some(index) = siblings.next() else {
                guides.truncate(*margin);
                stack.pop();
                continue;
            };
            let last = siblings.start == siblings.end;
            let depth = stack.len();
            let slot = &slots[index];
            f.write_str("\n")?;
            f.write_str(&guides)?;
            f.write_str(if last { "└── " } else { "├── " })?;
            write_actor(f, slot.info.path.name(), &slot.info)?;
            if slot.children.is_empty() {
                continue;
            }
            let margin = guides.len();
            guides.push_str(if last { "    " } else { "│   " });
            if depth < self.max_depth {
                stack.push((slot.children.clone(), margin));
            } else {
                write_cut(f, &guides, slot)?;
                guides.truncate(margin);
            }
        }
        Ok(())
    }
}

/// One actor's line, without the margin.
pub(super) fn write_actor(
    f: &mut fmt::Formatter<'_>,
    label: &str,
    info: &ActorInfo,
) -> fmt::Result {
    write!(f, "{label} (")?;
    write_short_type(f, info.actor_type)?;
    f.write_str(") ")?;
    write_state(f, info.state)?;
    if info.stopped_by_person {
        f.write_str(if info.state == ActorState::Stopped {
            " by a person"
        } else {
            ", stopped by a person"
        })?;
    }
    match info.restarts {
        0 => {}
        1 => f.write_str(", 1 restart")?,
        n => write!(f, ", {n} restarts")?,
    }
    match (info.mailbox_len, info.mailbox_high_water) {
        (Some(waiting), None) => write!(f, ", mailbox {waiting}")?,
        (Some(waiting), Some(peak)) => write!(f, ", mailbox {waiting} (peak {peak})")?,
        (None, Some(peak)) => write!(f, ", mailbox peak {peak}")?,
        (None, None) => {}
    }
    write!(f, ", {} handled", info.messages_handled)?;
    if let Some(time) = info.handler_time {
        f.write_str(" in ")?;
        write_duration(f, time.total)?;
        f.write_str(" (longest ")?;
        write_duration(f, time.max)?;
        f.write_str(")")?;
    }
    Ok(())
}

/// A duration with three significant digits: `950ns`, `12.3µs`, `1.20ms`, `2.00s`.
pub(super) fn write_duration(f: &mut fmt::Formatter<'_>, duration: Duration) -> fmt::Result {
    let nanos = duration.as_nanos();
    if nanos < 1_000 {
        return write!(f, "{nanos}ns");
    }
    // Precision lost in the conversion is far below the three digits shown.
    #[allow(clippy::cast_precision_loss)]
    let nanos = nanos as f64;
    let (value, unit) = if nanos < 1e6 {
        (nanos / 1e3, "µs")
    } else if nanos < 1e9 {
        (nanos / 1e6, "ms")
    } else {
        (nanos / 1e9, "s")
    };
    // Rounding may carry to the next power of ten (999.96µs shows as 1000µs): still exact
    // enough to read.
    if value >= 100.0 {
        write!(f, "{value:.0}{unit}")
    } else if value >= 10.0 {
        write!(f, "{value:.1}{unit}")
    } else {
        write!(f, "{value:.2}{unit}")
    }
}

/// The line standing for the descendants of `slot` that are not drawn.
fn write_cut(f: &mut fmt::Formatter<'_>, guides: &str, slot: &Slot) -> fmt::Result {
    match slot.size - 1 {
        0 => Ok(()),
        1 => write!(f, "\n{guides}└── … 1 more actor"),
        n => write!(f, "\n{guides}└── … {n} more actors"),
    }
}

fn write_state(f: &mut fmt::Formatter<'_>, state: ActorState) -> fmt::Result {
    f.write_str(state_name(state))
}

/// The state as the rendering and the JSON write it.
pub(crate) fn state_name(state: ActorState) -> &'static str {
    match state {
        ActorState::Starting => "starting",
        ActorState::Running => "running",
        ActorState::Stopping => "stopping",
        ActorState::Restarting => "restarting",
        ActorState::Stopped => "stopped",
    }
}

/// A type name with every path cut to its last segment: `my_app::Worker` as `Worker`,
/// `my_app::Pool<my_app::Job>` as `Pool<Job>`.
pub(super) fn write_short_type(f: &mut fmt::Formatter<'_>, type_name: &str) -> fmt::Result {
    let in_path = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    let mut rest = type_name;
    while !rest.is_empty() {
        let end = rest.find(|c| !in_path(c)).unwrap_or(rest.len());
        let (path, after) = rest.split_at(end);
        f.write_str(path.rsplit("::").next().unwrap_or(path))?;
        let end = after.find(in_path).unwrap_or(after.len());
        let (punctuation, after) = after.split_at(end);
        f.write_str(punctuation)?;
        rest = after;
    }
    Ok(())
}
