//! The same scenarios on other actor frameworks from crates.io, one module each.
//!
//! Every peer runs the counter of [`crate::scenarios`]: a tell `Add(n)`, and asks `Get` (the
//! count) and `Incr(x)` (`x + 1`), written the way that framework's documentation does, with a
//! bounded mailbox of [`crate::CAPACITY`] where the framework has one. kameo, ractor and xtra
//! run on the shared tokio runtime, like aplay; actix runs its own `actix_rt::System` (a tokio
//! current-thread runtime) on a thread of its own. Each module's `SETUP` says how, for the
//! notes under the table.
//!
//! Spawn: every actor's start hook bumps a [`crate::tally::Tally`]; where a framework's spawn
//! call returns before the actor has started, the clock (and the memory reading) waits until
//! the tally reaches the count, as on aplay and the baseline. Each module's `spawn_stop` then
//! stops them as a [`crate::stop_order::Stop`] says: all at once, or one by one, each stopped
//! from outside and awaited before the next.

pub(crate) mod actix;
pub(crate) mod kameo;
pub(crate) mod ractor;
pub(crate) mod xtra;
