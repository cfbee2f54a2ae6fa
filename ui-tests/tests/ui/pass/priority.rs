// `#[handler(priority = high)]` on handlers of every shape, beside normal ones, and the
// per-send `.priority(..)` on tells and asks.

use aplay::prelude::*;

#[actor]
struct Worker<T: Clone + Send + Sync + 'static> {
    items: Vec<T>,
}

#[actor]
impl<T: Clone + Send + Sync + 'static> Worker<T> {
    fn push(&mut self, item: T) {
        self.items.push(item);
    }

    /// Docs and `cfg`s stay with a high handler.
    #[handler(priority = high)]
    #[cfg(not(any()))]
    fn clear(&mut self) {
        self.items.clear();
    }

    #[handler(priority = high)]
    async fn len(&self, _ctx: &mut Context<Self>) -> usize {
        self.items.len()
    }

    #[handler(priority = normal)]
    fn first(&self) -> Option<T> {
        self.items.first().cloned()
    }
}

async fn calls(worker: ActorRef<Worker<u8>>) -> Result<(), Error> {
    worker.push(1).priority(Priority::High).await?;
    worker.clear().priority(Priority::Normal).try_tell()?;
    let _: usize = worker.len().priority(Priority::Normal).await?;
    let _: Option<u8> = worker.first().priority(Priority::High).await?;
    Ok(())
}

fn main() {
    let _ = calls;
}
