//! What a ref reads of its actor's meter.

use super::meter::{HandlerTime, Meter};
use crate::handle::AnyRef;

impl AnyRef {
    /// The time it has spent in its handlers, when its system is metered
    /// ([`SystemBuilder::metered`](crate::SystemBuilder::metered)); `None` otherwise.
    ///
    /// See the example on [`HandlerTime`](crate::observe::HandlerTime).
    pub fn handler_time(&self) -> Option<HandlerTime> {
        self.core().meter().map(Meter::handler_time)
    }

    /// The most messages that have waited in its mailbox at once, when its system is metered;
    /// `None` otherwise. Counted when the actor takes a message (the one it takes included),
    /// and compared with what waits now, for bounded mailboxes. The wake-ups the runtime
    /// queues to signal a stop count as messages.
    ///
    /// See the example on [`HandlerTime`](crate::observe::HandlerTime).
    pub fn mailbox_high_water(&self) -> Option<usize> {
        let meter = self.core().meter()?;
        Some(meter.high_water().max(self.mailbox_len().unwrap_or(0)))
    }

    /// The capacity of its mailbox (`None` when unbounded).
    ///
    /// See the example on [`HandlerTime`](crate::observe::HandlerTime).
    pub fn mailbox_capacity(&self) -> Option<usize> {
        self.cell().mailbox_capacity()
    }
}
