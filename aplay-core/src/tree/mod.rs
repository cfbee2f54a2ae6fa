//! Snapshots of the actor tree ([`TreeNode`]) here, and their text rendering in [`render`].
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

use crate::cell::ActorState;
use crate::handle::AnyRef;
use crate::observe::{ErrorNote, HandlerTime};
use crate::path::ActorPath;
use crate::system::System;

mod render;
#[cfg(test)]
mod tests;

use render::Render;
#[cfg(feature = "serde")]
pub(crate) use render::state_name;

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
    last_error: Option<ErrorNote>,
    panics: u64,
    asks_timed_out: u64,
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
            last_error: actor.last_error(),
            panics: actor.panics(),
            asks_timed_out: actor.asks_timed_out(),
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

    /// The last error it had met ([`AnyRef::last_error`]).
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn last_error(&self) -> Option<&ErrorNote> {
        self.info().last_error.as_ref()
    }

    /// How many of its instances had ended in a panic ([`AnyRef::panics`]).
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn panics(&self) -> u64 {
        self.info().panics
    }

    /// How many asks to it had timed out ([`AnyRef::asks_timed_out`]).
    ///
    /// See the example on [`walk`](Self::walk).
    pub fn asks_timed_out(&self) -> u64 {
        self.info().asks_timed_out
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
    /// assert!(node.last_error().is_none());
    /// assert_eq!((node.panics(), node.asks_timed_out()), (0, 0));
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
