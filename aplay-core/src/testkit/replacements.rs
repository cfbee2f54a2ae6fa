//! The stand-ins a test kit put in place of children not spawned yet, and the hook the spawn
//! path calls to use them.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use parking_lot::{Mutex, MutexGuard};

use tokio::sync::mpsc;

use super::link::{self, Link};
use crate::actor::Dispatch;
use crate::error::Error;
use crate::handle::{AnyRef, child_stand_in};
use crate::mailbox::Mailbox;
use crate::path::ActorPath;
use crate::system::{SpawnHook, System};

/// The replaced addresses of a test kit's system, each waiting for its spawn.
#[derive(Default)]
pub(crate) struct Replacements {
    pending: Mutex<HashMap<ActorPath, Box<dyn Pending>>>,
}

/// A probe waiting for the spawn at its address, whatever its actor type.
trait Pending: Send {
    fn actor_type(&self) -> TypeId;
    fn actor_name(&self) -> &'static str;
    /// The spawn at its address will not give it a stand-in: it says why at its next expect.
    fn refuse(&self, why: String);
    /// Puts a stand-in child at `path` in the actor's place: its `ActorRef<A>`, boxed.
    fn stand_in(
        self: Box<Self>,
        system: &System,
        parent: &AnyRef,
        path: &ActorPath,
    ) -> Result<Box<dyn Any + Send>, Error>;
}

/// The probe's side of a replacement: where the stand-in's messages go.
pub(super) struct Replacement<A: Dispatch> {
    pub(super) messages: mpsc::UnboundedSender<A::Msg>,
    pub(super) link: Arc<Link<A>>,
}

impl<A: Dispatch> Pending for Replacement<A> {
    fn actor_type(&self) -> TypeId {
        TypeId::of::<A>()
    }

    fn actor_name(&self) -> &'static str {
        std::any::type_name::<A>()
    }

    fn refuse(&self, why: String) {
        self.link.refuse(why);
    }

    fn stand_in(
        self: Box<Self>,
        system: &System,
        parent: &AnyRef,
        path: &ActorPath,
    ) -> Result<Box<dyn Any + Send>, Error> {
        match child_stand_in::<A>(system, parent, path.clone(), Mailbox::unbounded()) {
            Ok((actor, stand_in)) => {
                link::run(stand_in, self.messages, self.link);
                Ok(Box::new(actor))
            }
            Err(error) => {
                self.link
                    .refuse(format!("the spawn at {path} failed: {error}"));
                Err(error)
            }
        }
    }
}

impl Replacements {
    fn pending(&self) -> MutexGuard<'_, HashMap<ActorPath, Box<dyn Pending>>> {
        self.pending.lock()
    }

    /// Registers `replacement` for the next spawn at `path`; `false` if one waits there
    /// already.
    pub(super) fn insert<A: Dispatch>(&self, path: ActorPath, replacement: Replacement<A>) -> bool {
        let mut pending = self.pending();
        if pending.contains_key(&path) {
            return false;
        }
        pending.insert(path, Box::new(replacement));
        true
    }

    fn take(&self, path: &ActorPath) -> Option<Box<dyn Pending>> {
        self.pending().remove(path)
    }
}

impl fmt::Debug for Replacements {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.pending().keys()).finish()
    }
}

/// The spawn path's hook, installed on a test kit's system: when a probe waits for a spawn
/// at `path`, a stand-in child takes the place of the actor (which is dropped unstarted; a
/// factory is not called), and this returns its ref, or why it could not be put there.
/// `None` (the actor is spawned as usual) when no probe waits at `path`.
///
/// A probe waiting for another actor type refuses the spawn with [`Error::WrongType`]; the
/// replacement is used once, by the first spawn at its address.
impl SpawnHook for Replacements {
    fn spawn(
        &self,
        system: &System,
        parent: &AnyRef,
        path: &ActorPath,
        actor_type: TypeId,
        actor_name: &'static str,
    ) -> Option<Result<Box<dyn Any + Send>, Error>> {
        let pending = self.take(path)?;
        if pending.actor_type() != actor_type {
            pending.refuse(format!(
                "{} spawned a `{actor_name}` at {path}, where this probe stands in for a `{}`",
                parent.path(),
                pending.actor_name()
            ));
            return Some(Err(Error::WrongType {
                path: path.clone(),
                expected: actor_name,
                actual: pending.actor_name(),
            }));
        }
        Some(pending.stand_in(system, parent, path))
    }
}
