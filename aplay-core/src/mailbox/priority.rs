//! Message priority: which lane of the mailbox a message goes into.

/// How soon an actor handles a message: [`High`](Priority::High) messages are handled before
/// every [`Normal`](Priority::Normal) one already queued, and in the order they were sent
/// among themselves.
///
/// Set per handler with `#[handler(priority = high)]` on the handler method, or per send with
/// [`TellRequest::priority`](crate::request::TellRequest::priority) /
/// [`AskRequest::priority`](crate::request::AskRequest::priority), which wins over the handler's.
///
/// - **Strict**: while high messages wait, no normal one is handled, so a steady flood of them
///   holds normal mail back. Keep high priority for what must overtake (a cancel, a health
///   check, a configuration change).
/// - **Room per level**: each level has the mailbox's capacity of its own. A full normal lane
///   does not hold up a high send, and high sends wait (or fail with
///   [`Error::Full`](crate::Error::Full)) only when high mail fills its own room.
/// - **The actor's own signals come first**: a stop or a kill is seen before the next
///   message of either level.
/// - A message already being handled is not interrupted.
///
/// Local mailboxes only: a send through a Redis mailbox keeps the stream's order.
///
/// # Examples
///
/// ```
/// use aplay::prelude::*;
///
/// #[actor]
/// #[derive(Default)]
/// struct Log { lines: Vec<String> }
///
/// #[actor]
/// impl Log {
///     fn write(&mut self, line: String) { self.lines.push(line); }
///     /// Served before the writes already queued.
///     #[handler(priority = high)]
///     fn flush(&mut self) -> usize { self.lines.len() }
///     fn lines(&self) -> Vec<String> { self.lines.clone() }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Error> {
/// let system = System::new();
/// let log = system.spawn("log", Log::default()).await?;
/// log.write("a".into()).try_tell()?;
/// log.write("b".into()).try_tell()?;
/// log.write("urgent".into()).priority(Priority::High).try_tell()?;
/// // Nothing has run yet (one thread, not yielded): "urgent" overtakes "a" and "b".
/// assert_eq!(log.lines().await?, ["urgent", "a", "b"]);
/// system.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Priority {
    /// In turn, after every high-priority message queued.
    #[default]
    Normal,
    /// Before every normal message queued; in turn among high ones.
    High,
}
