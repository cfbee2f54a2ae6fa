// `Local<T>` for a type whose `impl` block is not `#[actor(local)]`: it has no local messages.
// Expected: `Page` has no local messages, with where to put `#[actor(local)]`, at each mention
// of `Local<Page>` (rustc checks the type's bound at each: the same error, repeated).

use std::rc::Rc;

use aplay::Local;
use aplay::prelude::*;

struct Page {
    lines: Rc<Vec<String>>,
}

impl Page {
    fn len(&self) -> usize {
        self.lines.len()
    }
}

async fn spawn(system: System) -> Result<(), Error> {
    let _page = system
        .spawn("page", Local::new(|| Page { lines: Rc::default() }))
        .await?;
    Ok(())
}

fn main() {
    let _ = spawn;
}
