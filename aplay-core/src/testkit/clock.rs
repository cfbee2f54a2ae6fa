//! Running a test on tokio's paused clock, and moving it exactly.

use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

thread_local! {
    /// Woken each time the [`paused`] runtime of this thread runs out of work.
    static IDLE: RefCell<Option<Arc<Notify>>> = const { RefCell::new(None) };
}

/// Restores the thread's previous idle signal when the runtime is done, a panic included.
struct IdleSignal(Option<Arc<Notify>>);

impl IdleSignal {
    fn install(idle: Arc<Notify>) -> Self {
        IdleSignal(IDLE.with(|cell| cell.replace(Some(idle))))
    }
}

impl Drop for IdleSignal {
    fn drop(&mut self) {
        let previous = self.0.take();
        IDLE.with(|cell| *cell.borrow_mut() = previous);
    }
}

/// Runs `test` to its end on a new single-threaded tokio runtime whose clock starts paused,
/// and returns its output: call it from a plain `#[test] fn`. Time moves only when every
/// task waits (tokio then jumps to the next timer) or when the test moves it with
/// [`advance`]; a test that waits an hour runs at once, and the same way every time.
///
/// The runtime tells [`settle`] and [`advance`] when it runs out of work, which is what
/// makes them exact; they work only inside `paused`.
///
/// # Panics
///
/// When `test` panics (with its panic), or when called inside a tokio runtime (a runtime
/// cannot start inside another).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use aplay_core::testkit;
/// use tokio::time::Instant;
///
/// // In a test crate: #[test] fn an_hour_passes() { testkit::paused(async { .. }) }
/// testkit::paused(async {
///     let start = Instant::now();
///     testkit::advance(Duration::from_secs(3600)).await;
///     assert_eq!(start.elapsed(), Duration::from_secs(3600));
/// });
/// ```
pub fn paused<F: Future>(test: F) -> F::Output {
    let idle = Arc::new(Notify::new());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .on_thread_park({
            let idle = Arc::clone(&idle);
            // Called when no task can run. Waking a task here keeps the runtime from parking,
            // and so the clock from jumping: `settle` resumes at the same instant.
            move || idle.notify_waiters()
        })
        .build()
        .expect("a current-thread runtime builds");
    let _signal = IdleSignal::install(idle);
    runtime.block_on(test)
}

/// Waits until every other task (actors, timers, stand-ins) has run as far as it can, without
/// moving the clock: what a tell or a timer set in motion has then happened, and an assertion
/// can look at it. It does not return while some task never stops running (a loop that only
/// yields, say): the runtime is then never idle.
///
/// # Panics
///
/// Outside [`paused`].
///
/// # Cancel safety
///
/// Cancel safe: it only waits.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use aplay_core::testkit;
///
/// testkit::paused(async {
///     let done = Arc::new(AtomicBool::new(false));
///     let flag = Arc::clone(&done);
///     tokio::spawn(async move { flag.store(true, Ordering::SeqCst) });
///     testkit::settle().await;
///     assert!(done.load(Ordering::SeqCst));
/// });
/// ```
pub async fn settle() {
    idle_signal("settle").notified().await;
}

/// Moves the paused clock forward by `by`, the way time would pass: each timer due meanwhile
/// fires at its own instant, and what it sets in motion runs before the clock moves on; then
/// waits, as [`settle`] does, for what fell due at the end. An interval of one second, after
/// `advance(5 s)`, has ticked five times, and the actor has handled the five ticks.
///
/// `Duration::ZERO` moves nothing: it settles. A `by` past 30 years (`Duration::MAX`, say)
/// moves the clock 30 years, the furthest it goes.
///
/// # Panics
///
/// Outside [`paused`].
///
/// # Cancel safety
///
/// Cancel safe: dropped early, the clock has moved as far as it got, and no further.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use aplay_core::testkit;
/// use tokio::time::Instant;
/// testkit::paused(async {
///     let start = Instant::now();
///     let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
///     tokio::spawn(async move {
///         let mut ticks = tokio::time::interval_at(start + Duration::from_secs(1), Duration::from_secs(1));
///         loop {
///             ticks.tick().await;
///             let _ = tx.send(start.elapsed());
///         }
///     });
///     testkit::advance(Duration::from_secs(3)).await;
///     let seen: Vec<_> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
///     assert_eq!(seen, [1, 2, 3].map(Duration::from_secs));
/// });
/// ```
pub async fn advance(by: Duration) {
    let idle = idle_signal("advance");
    // On the paused clock, this sleep ends only through tokio's jumps from one timer to the
    // next, each made when every task waits.
    crate::time::sleep(by.min(super::LONGEST_LIMIT)).await;
    idle.notified().await;
}

fn idle_signal(caller: &str) -> Arc<Notify> {
    IDLE.with(|cell| cell.borrow().clone()).unwrap_or_else(|| {
        panic!(
            "testkit::{caller} works inside testkit::paused(async {{ .. }}), whose runtime says \
             when it runs out of work"
        )
    })
}
