//! Actors whose state is not `Send` (`#[actor(local)]`, `Local<A>`): made, used and dropped
//! on the local thread; handles usable from any task; supervision, errors, asks and priority
//! as for any actor.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use aplay::Local;
use aplay::prelude::*;
use tokio::sync::mpsc;

fn thread_name() -> String {
    std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_owned()
}

/// Not `Send`: an `Rc<RefCell<..>>`, and it reports where it lives and dies.
struct Notes {
    lines: Rc<RefCell<Vec<String>>>,
    threads: mpsc::UnboundedSender<String>,
}

impl Notes {
    fn new(threads: mpsc::UnboundedSender<String>) -> Self {
        threads.send(format!("made on {}", thread_name())).unwrap();
        Notes {
            lines: Rc::default(),
            threads,
        }
    }
}

impl Drop for Notes {
    fn drop(&mut self) {
        let _ = self.threads.send(format!("dropped on {}", thread_name()));
    }
}

#[derive(Debug)]
struct NoLine(usize);

impl std::fmt::Display for NoLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no line {}", self.0)
    }
}

#[actor(local)]
impl Notes {
    fn write(&mut self, line: String) {
        self.lines.borrow_mut().push(line);
    }

    fn lines(&self) -> Vec<String> {
        self.lines.borrow().clone()
    }

    async fn where_handled(&self) -> String {
        tokio::task::yield_now().await;
        thread_name()
    }

    fn line(&self, i: usize) -> Result<String, NoLine> {
        self.lines.borrow().get(i).cloned().ok_or(NoLine(i))
    }

    #[handler(priority = high)]
    fn urgent(&mut self, line: String) {
        self.lines.borrow_mut().push(format!("urgent {line}"));
    }

    fn crash(&self) {
        panic!("a local handler fails on purpose");
    }
}

fn assert_send<T: Send + Sync>(_: &T) {}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_that_is_not_send_lives_and_dies_on_the_local_thread() -> Result<(), Error> {
    let system = System::new();
    let (threads, mut seen) = mpsc::unbounded_channel();
    let notes = system
        .spawn("notes", Local::new(move || Notes::new(threads.clone())))
        .await?;
    assert_send(&notes);
    notes.write("one".into()).await?;
    // From other tasks, on any worker thread.
    let writers: Vec<_> = (0..4)
        .map(|i| {
            let notes = notes.clone();
            tokio::spawn(async move { notes.write(format!("from task {i}")).ask().await })
        })
        .collect();
    for writer in writers {
        writer.await.expect("the writer does not panic")?;
    }
    assert_eq!(notes.lines().await?.len(), 5);
    assert_eq!(notes.where_handled().await?, "aplay-local");
    notes.stop().await;
    assert_eq!(seen.recv().await.unwrap(), "made on aplay-local");
    assert_eq!(seen.recv().await.unwrap(), "dropped on aplay-local");
    system.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_go_to_the_asker_or_to_on_error_and_the_actor_goes_on() -> Result<(), Error> {
    let system = System::new();
    let (threads, _seen) = mpsc::unbounded_channel();
    let notes = system
        .spawn("notes", Local::new(move || Notes::new(threads.clone())))
        .await?;
    notes.write("zero".into()).await?;
    assert_eq!(notes.line(0).await?.unwrap(), "zero");
    let missing = notes.line(7).await?;
    assert_eq!(missing.unwrap_err().to_string(), "no line 7");
    // Told: the error goes to `on_error`, which resumes by default.
    notes.line(9).tell().await?;
    assert_eq!(notes.lines().await?, ["zero"]);
    assert!(notes.is_alive());
    system.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_local_handler_is_restarted_with_a_new_state() -> Result<(), Error> {
    let system = System::new();
    let made = Arc::new(AtomicU32::new(0));
    let (threads, _seen) = mpsc::unbounded_channel();
    // A pool of one restarts its worker (`Permanent`).
    let pool = system
        .spawn_pool("notes", 1, {
            let made = made.clone();
            move || {
                let (made, threads) = (made.clone(), threads.clone());
                Local::new(move || {
                    made.fetch_add(1, Ordering::SeqCst);
                    Notes::new(threads.clone())
                })
            }
        })
        .await?;
    let notes = pool.workers()[0].clone();
    notes.write("before".into()).await?;
    let failed = notes.crash().ask().await;
    assert!(matches!(failed, Err(Error::NoReply { .. })), "{failed:?}");
    // The restart makes a new state: the old lines are gone.
    let lines = loop {
        match notes.lines().await {
            Ok(lines) => break lines,
            // Asks sent while it restarts fail; the next one reaches the new instance.
            Err(Error::NoReply { .. }) => tokio::task::yield_now().await,
            Err(other) => return Err(other),
        }
    };
    assert!(lines.is_empty(), "{lines:?}");
    assert_eq!(made.load(Ordering::SeqCst), 2);
    assert_eq!(ActorRef::to_any(&notes).restarts(), 1);
    system.shutdown().await;
    Ok(())
}

/// Its factory panics.
struct Broken;

#[actor(local)]
impl Broken {
    fn noop(&self) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_factory_that_panics_fails_the_spawn_with_its_message() {
    let system = System::new();
    let spawned = system
        .spawn(
            "broken",
            Local::new(|| -> Broken { panic!("no state today") }),
        )
        .await;
    let error = spawned.expect_err("the factory panicked").to_string();
    assert!(error.contains("no state today"), "{error}");
    system.shutdown().await;
}

// One thread: nothing is handled until the test awaits, so what is queued is known.
#[tokio::test(flavor = "current_thread")]
async fn a_high_local_message_overtakes_and_the_mailbox_is_chosen() -> Result<(), Error> {
    let system = System::new();
    let (threads, _seen) = mpsc::unbounded_channel();
    let notes = system
        .spawn(
            "notes",
            Local::new(move || Notes::new(threads.clone())).with_mailbox(Mailbox::bounded(2)),
        )
        .await?;
    notes.write("a".into()).try_tell()?;
    notes.write("b".into()).try_tell()?;
    let full = notes.write("c".into()).try_tell();
    assert!(matches!(full, Err(Error::Full(_))), "{full:?}");
    notes.urgent("first".into()).try_tell()?;
    assert_eq!(notes.lines().await?, ["urgent first", "a", "b"]);
    system.shutdown().await;
    Ok(())
}
