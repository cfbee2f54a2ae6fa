//! Actors whose state is not `Send` (`Rc`, `RefCell`, a client bound to its thread): their
//! state lives on one thread, aplay's *local thread*, and never leaves it; their handles are
//! `Send` like any other.
//!
//! `#[actor(local)] impl Name { .. }` generates the messages and the handle as usual, and
//! [`LocalDispatch`] in place of `Dispatch`. The actor in the tree is a [`Local<Name>`]: a
//! `Send` shell with an ordinary mailbox, supervision, address and stop, which hands each
//! message to the state on the local thread and waits until it is handled. So messages are
//! still handled one at a time and in order, an ask gets its reply, a panic in a handler
//! is the shell's panic (its supervisor restarts it as any actor), and a restart makes a new
//! state, again on the local thread, from the same factory.
//!
//! The state is made by a factory (`Fn() -> Name + Send + Sync`) that runs on the local
//! thread: the value itself never crosses a thread. It is dropped there too, when the actor
//! stops.
//!
//! What differs from an ordinary actor:
//! - A handler cannot take `&mut Context<Self>`: the context belongs to the shell, on another
//!   thread. Spawn children, timers and streams from an ordinary parent.
//! - There are no lifecycle hooks on the state: set up in the factory, clean up in `Drop`
//!   (both run on the local thread).
//! - One local thread per process (named `aplay-local`, a current-thread tokio runtime with a
//!   `LocalSet`), shared by every local actor: a handler that blocks it holds up all of them,
//!   and their work runs on one core. Timers and I/O in local handlers run on its runtime.
//! - Each message costs a hop to the local thread and one back.
//!
//! # Examples
//!
//! ```
//! use std::cell::RefCell;
//! use std::rc::Rc;
//! use aplay::prelude::*;
//! use aplay::Local;
//!
//! /// Holds an `Rc`: not `Send`.
//! struct Page {
//!     lines: Rc<RefCell<Vec<String>>>,
//! }
//!
//! #[actor(local)]
//! impl Page {
//!     fn write(&mut self, line: String) {
//!         self.lines.borrow_mut().push(line);
//!     }
//!     fn len(&self) -> usize {
//!         self.lines.borrow().len()
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Error> {
//! let system = System::new();
//! let page: ActorRef<Local<Page>> = system
//!     .spawn("page", Local::new(|| Page { lines: Rc::default() }))
//!     .await?;
//! page.write("hello".into()).await?;
//! assert_eq!(page.len().await?, 1);
//! // The handle is `Send`: use it from any task.
//! let task = tokio::spawn({
//!     let page = page.clone();
//!     async move { page.len().await }
//! });
//! assert_eq!(task.await.unwrap()?, 1);
//! system.shutdown().await;
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, oneshot};

use crate::actor::{Actor, BoxError, Dispatch, HandlerError, report_error};
use crate::context::Context;
use crate::handle::Handle;
use crate::mailbox::{Mailbox, Priority};
use crate::panics::{self, Payload};
use crate::supervision::Supervision;

/// The messages of an actor whose state is not `Send`: implemented by `#[actor(local)]` on
/// its `impl` block. Not meant to be written by hand.
///
/// See the example on [`Local`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no local messages",
    label = "no `#[actor(local)]` impl block for this type",
    note = "`Local<{Self}>` is for actors whose state is not `Send`: put `#[actor(local)]` on an `impl {Self} {{ .. }}` block"
)]
pub trait LocalDispatch: Sized + 'static {
    /// The generated message enum, `{Actor}Msg`.
    type Msg: Send + 'static;
    /// The generated handle, reached through `ActorRef<Local<Self>>`.
    type Handle: Handle<Local<Self>>;

    /// Runs the handler a message is for and sends its reply; the error of a handler that
    /// returned `Err` to nobody (a tell), for the actor's `on_error`.
    fn dispatch(&mut self, msg: Self::Msg) -> impl Future<Output = Option<HandlerError>>;

    /// The name of the handler a message is for, for logs and spans.
    fn message_name(msg: &Self::Msg) -> &'static str;

    /// Whether someone waits for this message's reply (see [`Dispatch::is_ask`]).
    fn is_ask(msg: &Self::Msg) -> bool {
        let _ = msg;
        false
    }

    /// The message's own priority (see [`Dispatch::priority`]).
    fn priority(msg: &Self::Msg) -> Priority {
        let _ = msg;
        Priority::Normal
    }
}

/// The factory of a local actor's state, run on the local thread.
type Factory<A> = Arc<dyn Fn() -> A + Send + Sync>;

/// The actor in the tree for a state `A` that is not `Send`: `Send` itself, it hands every
/// message to `A` on the local thread (see the [module](self)). Spawn it like any actor:
/// `system.spawn("name", Local::new(factory))`, `ctx.spawn_supervised(name, restart, move ||
/// Local::new(..))`, or in a pool.
///
/// # Examples
///
/// See the [module](self).
pub struct Local<A: LocalDispatch> {
    factory: Factory<A>,
    mailbox: Mailbox,
    supervision: Supervision,
    /// To the state's task on the local thread; `None` until started.
    state: Option<mpsc::UnboundedSender<Job<A::Msg>>>,
}

impl<A: LocalDispatch> Local<A> {
    /// A local actor whose state `factory` makes, on the local thread, when the actor starts
    /// (and again at each restart).
    ///
    /// See the example in the [module](self).
    pub fn new(factory: impl Fn() -> A + Send + Sync + 'static) -> Self {
        Local {
            factory: Arc::new(factory),
            mailbox: Mailbox::default(),
            supervision: Supervision::default(),
            state: None,
        }
    }

    /// With another mailbox than the default (`Actor::mailbox` of an ordinary actor).
    ///
    /// See the example in the [module](self).
    pub fn with_mailbox(mut self, mailbox: Mailbox) -> Self {
        self.mailbox = mailbox;
        self
    }

    /// With another supervision of its children than the default.
    ///
    /// See the example in the [module](self).
    pub fn with_supervision(mut self, supervision: Supervision) -> Self {
        self.supervision = supervision;
        self
    }
}

impl<A: LocalDispatch> Clone for Local<A> {
    /// A shell with the same factory and settings, not started.
    fn clone(&self) -> Self {
        Local {
            factory: Arc::clone(&self.factory),
            mailbox: self.mailbox,
            supervision: self.supervision,
            state: None,
        }
    }
}

impl<A: LocalDispatch> fmt::Debug for Local<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Local")
            .field("state", &std::any::type_name::<A>())
            .field("started", &self.state.is_some())
            .finish()
    }
}

/// A message for the state, and where to say how its handling went.
struct Job<M> {
    msg: M,
    done: oneshot::Sender<Handled>,
}

/// How a message's handling went, on the local thread.
enum Handled {
    Ok,
    Err(HandlerError),
    Panicked(Payload),
}

// Not offered as a way out in the errors about a type that is not an actor.
#[diagnostic::do_not_recommend]
impl<A: LocalDispatch> Actor for Local<A> {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.state = Some(start_state(Arc::clone(&self.factory)).await?);
        Ok(())
    }

    fn mailbox(&self) -> Mailbox {
        self.mailbox
    }

    fn supervision(&self) -> Supervision {
        self.supervision
    }
}

#[diagnostic::do_not_recommend]
impl<A: LocalDispatch> Dispatch for Local<A> {
    type Msg = A::Msg;
    type Handle = A::Handle;

    async fn dispatch(&mut self, msg: A::Msg, ctx: &mut Context<Self>) {
        let (done, handled) = oneshot::channel();
        let sent = self
            .state
            .as_ref()
            .is_some_and(|state| state.send(Job { msg, done }).is_ok());
        let handled = if sent { handled.await.ok() } else { None };
        match handled {
            Some(Handled::Ok) => {}
            Some(Handled::Err(error)) => report_error(self, ctx, error),
            // The handler's panic, as if it were the shell's own: its supervisor sees it.
            Some(Handled::Panicked(payload)) => std::panic::resume_unwind(payload),
            None => panic!("the local thread is gone: its runtime stopped"),
        }
    }

    fn message_name(msg: &A::Msg) -> &'static str {
        A::message_name(msg)
    }

    fn is_ask(msg: &A::Msg) -> bool {
        A::is_ask(msg)
    }

    fn priority(msg: &A::Msg) -> Priority {
        A::priority(msg)
    }
}

/// Makes the state on the local thread, and starts its task there; the way to send it jobs.
async fn start_state<A: LocalDispatch>(
    factory: Factory<A>,
) -> Result<mpsc::UnboundedSender<Job<A::Msg>>, BoxError> {
    let (started, start) = oneshot::channel();
    let spawn: Spawn = Box::new(move || {
        let state = match panics::catch(|| factory()) {
            Ok(state) => state,
            Err(payload) => {
                let _ = started.send(Err(panics::panic_text(&*payload)));
                return;
            }
        };
        let (jobs, inbox) = mpsc::unbounded_channel();
        tokio::task::spawn_local(panics::quiet(serve(state, inbox)));
        let _ = started.send(Ok(jobs));
    });
    local_thread()
        .send(spawn)
        .map_err(|_| "the local thread is gone")?;
    match start.await {
        Ok(Ok(jobs)) => Ok(jobs),
        Ok(Err(panic)) => Err(format!("the factory of the local state panicked: {panic}").into()),
        Err(_) => Err("the local thread is gone".into()),
    }
}

/// The state's task: handles its jobs one at a time until the shell is gone, then drops the
/// state (on this thread).
async fn serve<A: LocalDispatch>(mut state: A, mut inbox: mpsc::UnboundedReceiver<Job<A::Msg>>) {
    while let Some(Job { msg, done }) = inbox.recv().await {
        let handled = match panics::catch_future(state.dispatch(msg)).await {
            Ok(None) => Handled::Ok,
            Ok(Some(error)) => Handled::Err(error),
            Err(payload) => Handled::Panicked(payload),
        };
        let _ = done.send(handled);
    }
}

/// Work to start on the local thread, in its `LocalSet`.
type Spawn = Box<dyn FnOnce() + Send>;

/// The local thread's inbox of work, starting the thread the first time.
fn local_thread() -> &'static mpsc::UnboundedSender<Spawn> {
    static LOCAL: OnceLock<mpsc::UnboundedSender<Spawn>> = OnceLock::new();
    LOCAL.get_or_init(|| {
        let (tx, mut rx) = mpsc::unbounded_channel::<Spawn>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("the local thread's runtime starts");
        std::thread::Builder::new()
            .name("aplay-local".to_owned())
            .spawn(move || {
                let local = tokio::task::LocalSet::new();
                local.block_on(&runtime, async move {
                    while let Some(spawn) = rx.recv().await {
                        spawn();
                    }
                });
            })
            .expect("the local thread starts");
        tx
    })
}
