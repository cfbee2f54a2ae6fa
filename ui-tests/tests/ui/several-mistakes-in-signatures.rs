// Four handlers with four different mistakes in their signatures (`self` by value, an
// `impl Trait` argument, a generic handler, an argument named `reply`), and code that calls
// each through the handle.
// Expected: exactly four errors, one on each mistake (`self`, `impl Fn() + Send + 'static`,
// `<T: Send + 'static>`, `reply`), and none at the calls (no E0599 "no method named ..."):
// each rejected handler keeps a handle method with the arguments written.

use aplay::prelude::*;

#[actor]
struct Worker;

#[actor]
impl Worker {
    fn finish(self) {}

    fn run(&mut self, job: impl Fn() + Send + 'static) {
        job();
    }

    fn take<T: Send + 'static>(&mut self, item: T) {
        drop(item);
    }

    fn answer(&self, reply: String) -> usize {
        reply.len()
    }
}

async fn run(worker: ActorRef<Worker>) -> Result<(), Error> {
    worker.finish().await?;
    worker.run(|| println!("job")).await?;
    worker.take(5_u8).await?;
    worker.take(String::from("item")).try_tell()?;
    let length: usize = worker.answer(String::from("yes")).await?;
    println!("{length}");
    Ok(())
}

fn main() {
    let _ = run;
}
