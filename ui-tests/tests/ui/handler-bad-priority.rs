// `#[handler(..)]` with a priority that does not exist, an unknown option, and no option.
// Expected: one error on `urgent` (the levels are `high` and `normal`), one on `retries`
// listing the option, one on the bare `#[handler]`; the handle's methods still exist, so the
// calls in `main` add no error.

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor]
impl Worker {
    #[handler(priority = urgent)]
    fn cancel(&self) {}

    #[handler(retries = 3)]
    fn retry(&self) {}

    #[handler]
    fn plain(&self) {}
}

async fn calls(worker: ActorRef<Worker>) -> Result<(), Error> {
    worker.cancel().await?;
    worker.retry().await?;
    worker.plain().await
}

fn main() {
    let _ = calls;
}
