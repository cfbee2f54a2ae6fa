//! Snapshots of the actor tree ([`TreeNode`]), and their text rendering.
//!
//! # Design
//!
//! A snapshot is a flat arena: every actor read is one slot of a `Vec`, in breadth-first
//! order, so the children of a slot are a contiguous range of later slots, and each slot knows
//! its parent's index and the size of its subtree. A [`TreeNode`] is a shared handle on that
//! arena (an `Arc`) plus an index, so it is cheap to clone and its children are `TreeNode`s
//! too. Nothing in it is nested data: building, walking, rendering and dropping all run in
//! loops with an explicit stack or queue, whatever the depth of the tree (a chain 10,000 actors
//! deep is fine on a small thread stack), and a derived `Clone`, `Debug` or drop glue added
//! later cannot recurse by accident.
//!
//! The fields read of each actor live in one private struct, `ActorInfo`, filled in one place
//! (`ActorInfo::read`) and read through accessor methods. The fields are private, so adding
//! one does not break users: a field of `ActorInfo`, its line in `read` (the struct literal
//! makes the compiler ask for it), an accessor, and its place in `write_actor` if the
//! rendering shows it (and in `observe::json` for the JSON); the restart count and the
//! metrics came in that way.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use crate::cell::ActorState;
use crate::handle::AnyRef;
use crate::observe::HandlerTime;
use crate::path::ActorPath;
use crate::system::System;

/// What a snapshot reads of one actor.
struct ActorInfo {
    path: ActorPath,
    actor_type: &'static str,
    state: ActorState,
    stopped_by_person: bool,
    restarts: u32,
    messages_handled: u64,
    mailbox_len: Option<usize>,
    mailbox_capacity: Option<usize>,
    /// Only in a metered system, as the handler time.
    mailbox_high_water: Option<usize>,
    handler_time: Option<HandlerTime>,
}

impl ActorInfo {
    fn read(actor: &AnyRef) -> Self {
        ActorInfo {
            path: actor.path().clone(),
            actor_type: actor.type_name(),
            state: actor.state(),
            stopped_by_person: actor.stopped_by_person(),
            restarts: actor.restarts(),
            messages_handled: actor.messages_handled(),
            mailbox_len: actor.mailbox_len(),
            mailbox_capacity: actor.mailbox_capacity(),
            mailbox_high_water: actor.mailbox_high_water(),
            handler_time: actor.handler_time(),
        }
    }
}

/// One actor of a snapshot, and where it sits in the arena.
struct Slot {
    info: ActorInfo,
    /// The parent's slot; `None` for the top of the snapshot.
    parent: Option<usize>,
    /// The children's slots, in start order.
    children: Range<usize>,
    /// How many actors its subtree holds, itself included.
    size: usize,
}

/// A snapshot of an actor and everything below it: paths, types, states, counters, and the
/// tree's shape, read at runtime from [`AnyRef::tree`] or [`System::tree`].
///
/// The snapshot holds no refs (it keeps no actor alive) and does not change: take another one
/// to see what happened since. It is read actor by actor while they run, so it is not one
/// instant of the whole tree: each actor's fields are read together, its children a moment
/// later. Stopped actors leave their parent's list of children, so they are gone from later
/// snapshots; an actor that stops while the snapshot is taken may show up as stopping or
/// stopped.
///
/// Cloning is cheap (the snapshot is shared), and so is every [`TreeNode`] reached through
/// [`children`](Self::children), [`parent`](Self::parent), [`walk`](Self::walk) or
/// [`find`](Self::find). Nothing here recurses on the call stack, so a tree thousands of levels
/// deep can be built, walked, rendered and dropped on any thread.
///
/// Its [`Display`](fmt::Display) draws the tree, one actor per line; see
/// [`display_depth`](Self::display_depth) for the format.
///
/// # Examples
///
/// ```
/// use aplay_core::{Actor, System};
///
/// struct Worker;
/// impl Actor for Worker {}
///
/// #[aplay::actor]
/// impl Worker {} // no messages
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// system.spawn("a", Worker).await?;
/// system.spawn("b", Worker).await?;
///
/// let tree = system.tree();
/// assert_eq!(tree.path().as_str(), "/");
/// let names: Vec<String> = tree.children().map(|c| c.name().to_owned()).collect();
/// assert_eq!(names, ["a", "b"]);
/// assert_eq!(tree.find("/b").unwrap().actor_type(), std::any::type_name::<Worker>());
/// assert_eq!(
///     tree.to_string(),
///     "/ (Kernel) running, mailbox 0, 0 handled\n\
///      ├── a (Worker) running, mailbox 0, 0 handled\n\
///      └── b (Worker) running, mailbox 0, 0 handled",
/// );
/// system.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TreeNode {
    snapshot: Arc<[Slot]>,
    index: usize,
}

impl AnyRef {
    /// A snapshot of this actor and everything below it; see [`TreeNode`].
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::System;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = System::new();
    /// let tree = system.root().tree();
    /// assert_eq!(tree.path().as_str(), "/");
    /// assert_eq!(tree.subtree_size(), 1);
    /// # }
    /// ```
    pub fn tree(&self) -> TreeNode {
        TreeNode::snapshot(self)
    }
}

impl System {
    /// A snapshot of the whole tree, from the kernel at `/`; see [`TreeNode`].
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::System;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = System::new();
    /// println!("{}", system.tree());
    /// assert_eq!(system.tree().subtree_size(), system.actor_count());
    /// # }
    /// ```
    pub fn tree(&self) -> TreeNode {
        self.root().tree()
    }
}

impl TreeNode {
    /// Reads `top` and its descendants breadth first, with a queue: the children of each actor
    /// get the next free slots, so they are contiguous and come after their parent.
    fn snapshot(top: &AnyRef) -> TreeNode {
        let mut slots = vec![Slot {
            info: ActorInfo::read(top),
            parent: None,
            children: 0..0,
            size: 1,
        }];
        let mut pending = std::collections::VecDeque::from([top.clone()]);
        // Actors leave `pending` in slot order.
        let mut index = 0;
        while let Some(actor) = pending.pop_front() {
            let first = slots.len();
            for child in actor.children() {
                slots.push(Slot {
                    info: ActorInfo::read(&child),
                    parent: Some(index),
                    children: 0..0,
                    size: 1,
                });
                pending.push_back(child);
            }
            slots[index].children = first..slots.len();
            index += 1;
        }
        // A child's slot comes after its parent's: going backwards, every subtree is complete
        // before it is added to its parent.
        for i in (1..slots.len()).rev() {
            if let Some(parent) = slots[i].parent {
                slots[parent].size += slots[i].size;
            }
        }
        TreeNode {
            snapshot: slots.into(),
            index: 0,
        }
    }

    fn slot(&self) -> &Slot {
        &self.snapshot[self.index]
    }

    fn info(&self) -> &ActorInfo {
        &self.slot().info
    }

    fn at(&self, index: usize) -> TreeNode {
        TreeNode {
            snapshot: Arc::clone(&self.snapshot),
            index,
        }
    }

    /// The actor's address.
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn path(&self) -> &ActorPath {
        &self.info().path
    }

    /// The name it was spawned with (`""` for the kernel at `/`).
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn name(&self) -> &str {
        self.path().name()
    }

    /// The Rust type of the actor, e.g. `my_app::Worker` (the rendering shows `Worker`).
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn actor_type(&self) -> &'static str {
        self.info().actor_type
    }

    /// Where it was in its life when read.
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn state(&self) -> ActorState {
        self.info().state
    }

    /// Whether a person had stopped it through its ref (aplay's `_human_runing_state`).
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn stopped_by_person(&self) -> bool {
        self.info().stopped_by_person
    }

    /// How many times its parent had restarted it.
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn restarts(&self) -> u32 {
        self.info().restarts
    }

    /// How many messages it had handled.
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn messages_handled(&self) -> u64 {
        self.info().messages_handled
    }

    /// How many messages waited in its mailbox (`None` for an unbounded mailbox).
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn mailbox_len(&self) -> Option<usize> {
        self.info().mailbox_len
    }

    /// The capacity of its mailbox (`None` for an unbounded mailbox).
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn mailbox_capacity(&self) -> Option<usize> {
        self.info().mailbox_capacity
    }

    /// The most messages that had waited in its mailbox at once, in a metered system
    /// ([`SystemBuilder::metered`](crate::SystemBuilder::metered)); see
    /// [`AnyRef::mailbox_high_water`].
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn mailbox_high_water(&self) -> Option<usize> {
        self.info().mailbox_high_water
    }

    /// The time it had spent in its handlers, in a metered system.
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn handler_time(&self) -> Option<HandlerTime> {
        self.info().handler_time
    }

    /// Its children, in start order. The iterator shares the snapshot rather than borrowing
    /// this node, so `while let Some(c) = node.children().next() { node = c }` goes down.
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn children(
        &self,
    ) -> impl ExactSizeIterator<Item = TreeNode> + DoubleEndedIterator + use<> {
        let snapshot = Arc::clone(&self.snapshot);
        self.slot().children.clone().map(move |index| TreeNode {
            snapshot: Arc::clone(&snapshot),
            index,
        })
    }

    /// Its parent in this snapshot; `None` for the actor the snapshot was taken from.
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn parent(&self) -> Option<TreeNode> {
        self.slot().parent.map(|i| self.at(i))
    }

    /// How many actors this subtree holds, this one included.
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn subtree_size(&self) -> usize {
        self.slot().size
    }

    /// This actor and every one below it, depth first, parents before children and siblings
    /// in start order: the order of the lines of the rendering.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{ActorState, System};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::builder().metered(true).build();
    /// let counter = system.spawn("counter", Counter::default()).await?;
    /// counter.add(1).await?;
    /// assert_eq!(counter.get().await?, 1);
    ///
    /// let tree = system.tree();
    /// let paths: Vec<String> = tree.walk().map(|node| node.path().to_string()).collect();
    /// assert_eq!(paths, ["/", "/counter"]);
    ///
    /// let node = tree.children().next().expect("the counter");
    /// assert_eq!(node.name(), "counter");
    /// assert!(node.actor_type().ends_with("Counter"));
    /// assert_eq!(node.state(), ActorState::Running);
    /// assert!(!node.stopped_by_person());
    /// assert_eq!(node.restarts(), 0);
    /// assert_eq!(node.mailbox_len(), Some(0));
    /// assert_eq!(node.mailbox_capacity(), Some(1024));
    /// assert!(node.messages_handled() >= 1); // the ask may still be counting
    /// assert!(node.mailbox_high_water().is_some()); // metered
    /// assert!(node.handler_time().is_some());
    /// assert_eq!(node.parent().map(|p| p.path().to_string()), Some("/".to_owned()));
    /// assert_eq!(node.subtree_size(), 1);
    /// # Ok(()) }
    /// ```
    pub fn walk(&self) -> impl Iterator<Item = TreeNode> + use<> {
        let snapshot = Arc::clone(&self.snapshot);
        let mut stack = vec![self.index];
        std::iter::from_fn(move || {
            let index = stack.pop()?;
            stack.extend(snapshot[index].children.clone().rev());
            Some(TreeNode {
                snapshot: Arc::clone(&snapshot),
                index,
            })
        })
    }

    /// The actor at `path` in this subtree (this one included), if it was there.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::System;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let tree = System::new().tree();
    /// assert_eq!(tree.find("/").unwrap().path().as_str(), "/");
    /// assert!(tree.find("/nobody").is_none());
    /// # }
    /// ```
    pub fn find(&self, path: &str) -> Option<TreeNode> {
        let rest = if self.path().is_root() {
            path.strip_prefix('/')?
        } else {
            match path.strip_prefix(self.path().as_str())? {
                "" => "",
                rest => rest.strip_prefix('/')?,
            }
        };
        let mut index = self.index;
        if !rest.is_empty() {
            for name in rest.split('/') {
                index = self.snapshot[index]
                    .children
                    .clone()
                    .find(|&c| self.snapshot[c].info.path.name() == name)?;
            }
        }
        Some(self.at(index))
    }

    /// The rendering of the tree down to `max_depth` levels below this actor; what lies deeper
    /// is summed up in one line per cut subtree. The [`Display`](fmt::Display) of a
    /// `TreeNode` is the same without a limit.
    ///
    /// One actor per line, children under their parent in start order: the first line gives
    /// the actor's path, the others their name; then the last segment of the type's path, the
    /// state, `stopped by a person` when a person stopped it, how many times it was restarted
    /// (when it was), the number of messages waiting in its mailbox (for bounded mailboxes) and
    /// the number it has handled. In a metered system
    /// ([`SystemBuilder::metered`](crate::SystemBuilder::metered)), the mailbox's peak follows
    /// its length (`mailbox 0 (peak 12)`), and the time spent in handlers the count
    /// (`40 handled in 1.20ms (longest 310µs)`). Lines are separated by `\n`, with none after
    /// the last.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Actor, Context, System};
    ///
    /// struct Link { below: u32 }
    ///
    /// impl Actor for Link {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), aplay_core::BoxError> {
    ///         if self.below > 0 {
    ///             ctx.spawn("link", Link { below: self.below - 1 }).await?;
    ///         }
    ///         Ok(())
    ///     }
    /// }
    /// #[aplay::actor]
    /// impl Link {} // no messages
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let chain = system.spawn("chain", Link { below: 5 }).await?;
    /// assert_eq!(
    ///     aplay_core::ActorRef::to_any(&chain).tree().display_depth(2).to_string(),
    ///     "/chain (Link) running, mailbox 0, 0 handled\n\
    ///      └── link (Link) running, mailbox 0, 0 handled\n    \
    ///          └── link (Link) running, mailbox 0, 0 handled\n        \
    ///              └── … 3 more actors",
    /// );
    /// system.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub fn display_depth(&self, max_depth: usize) -> impl fmt::Display {
        Render {
            node: self,
            max_depth,
        }
    }
}

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
struct Render<'a> {
    node: &'a TreeNode,
    max_depth: usize,
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
fn write_actor(f: &mut fmt::Formatter<'_>, label: &str, info: &ActorInfo) -> fmt::Result {
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
fn write_duration(f: &mut fmt::Formatter<'_>, duration: Duration) -> fmt::Result {
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
fn write_short_type(f: &mut fmt::Formatter<'_>, type_name: &str) -> fmt::Result {
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

#[cfg(test)]
mod tests {
    use super::*;

    struct Short(&'static str);

    impl fmt::Display for Short {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_short_type(f, self.0)
        }
    }

    struct Line(ActorInfo);

    impl fmt::Display for Line {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_actor(f, self.0.path.name(), &self.0)
        }
    }

    fn info(state: ActorState) -> ActorInfo {
        ActorInfo {
            path: ActorPath::parse("/app/worker").unwrap(),
            actor_type: "my_app::jobs::Worker",
            state,
            stopped_by_person: false,
            restarts: 0,
            messages_handled: 7,
            mailbox_len: Some(2),
            mailbox_capacity: Some(16),
            mailbox_high_water: None,
            handler_time: None,
        }
    }

    #[test]
    fn an_actor_line_says_its_state_and_counters() {
        let cases = [
            (info(ActorState::Starting), "starting, mailbox 2, 7 handled"),
            (info(ActorState::Running), "running, mailbox 2, 7 handled"),
            (info(ActorState::Stopping), "stopping, mailbox 2, 7 handled"),
            (
                info(ActorState::Restarting),
                "restarting, mailbox 2, 7 handled",
            ),
            (info(ActorState::Stopped), "stopped, mailbox 2, 7 handled"),
            (
                ActorInfo {
                    stopped_by_person: true,
                    ..info(ActorState::Stopping)
                },
                "stopping, stopped by a person, mailbox 2, 7 handled",
            ),
            (
                ActorInfo {
                    stopped_by_person: true,
                    mailbox_len: None,
                    ..info(ActorState::Stopped)
                },
                "stopped by a person, 7 handled",
            ),
            (
                ActorInfo {
                    restarts: 1,
                    ..info(ActorState::Running)
                },
                "running, 1 restart, mailbox 2, 7 handled",
            ),
            (
                ActorInfo {
                    restarts: 3,
                    mailbox_len: None,
                    ..info(ActorState::Restarting)
                },
                "restarting, 3 restarts, 7 handled",
            ),
            (
                ActorInfo {
                    mailbox_high_water: Some(9),
                    handler_time: Some(HandlerTime {
                        total: Duration::from_micros(1_234),
                        max: Duration::from_nanos(310_400),
                    }),
                    ..info(ActorState::Running)
                },
                "running, mailbox 2 (peak 9), 7 handled in 1.23ms (longest 310µs)",
            ),
            (
                ActorInfo {
                    mailbox_len: None,
                    mailbox_high_water: Some(40),
                    handler_time: Some(HandlerTime::default()),
                    ..info(ActorState::Running)
                },
                "running, mailbox peak 40, 7 handled in 0ns (longest 0ns)",
            ),
        ];
        for (info, tail) in cases {
            assert_eq!(Line(info).to_string(), format!("worker (Worker) {tail}"));
        }
    }

    struct Took(Duration);

    impl fmt::Display for Took {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_duration(f, self.0)
        }
    }

    #[test]
    fn durations_show_three_significant_digits() {
        let cases = [
            (Duration::ZERO, "0ns"),
            (Duration::from_nanos(999), "999ns"),
            (Duration::from_nanos(1_000), "1.00µs"),
            (Duration::from_nanos(12_345), "12.3µs"),
            (Duration::from_nanos(123_456), "123µs"),
            (Duration::from_micros(1_500), "1.50ms"),
            (Duration::from_millis(250), "250ms"),
            (Duration::from_secs(2), "2.00s"),
            (Duration::from_secs(4_000), "4000s"),
        ];
        for (duration, text) in cases {
            assert_eq!(Took(duration).to_string(), text, "{duration:?}");
        }
    }

    #[test]
    fn type_names_keep_their_last_segments() {
        let cases = [
            ("my_app::Worker", "Worker"),
            ("Worker", "Worker"),
            ("my_app::Pool<my_app::jobs::Job>", "Pool<Job>"),
            (
                "alloc::collections::btree::map::BTreeMap<u8, (a::B, &c::D)>",
                "BTreeMap<u8, (B, &D)>",
            ),
            ("[my::T; 4]", "[T; 4]"),
            ("", ""),
        ];
        for (full, short) in cases {
            assert_eq!(Short(full).to_string(), short, "{full}");
        }
    }
}
