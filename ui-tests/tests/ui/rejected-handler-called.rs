// A rejected handler (a borrowed argument) called from other code: a function taking the ref,
// another actor's handler, and the ask's modifiers (`.timeout`, `.tell()`).
// Expected: one error, on `&str`; the calls compile as they will once it is fixed (`String`),
// so there is no E0599 "no method named `lookup`" nor a type error at any of them.

use std::time::Duration;

use aplay::prelude::*;

#[actor]
struct Directory;

#[actor]
impl Directory {
    /// Finds an entry.
    fn lookup(&self, key: &str) -> Option<u64> {
        key.parse().ok()
    }
}

async fn find(directory: &ActorRef<Directory>, key: &str) -> Result<Option<u64>, Error> {
    directory.lookup(key).timeout(Duration::from_secs(1)).await
}

#[actor]
struct Client {
    directory: ActorRef<Directory>,
}

#[actor]
impl Client {
    async fn resolve(&self, key: String) -> u64 {
        match find(&self.directory, &key).await {
            Ok(Some(found)) => found,
            _ => 0,
        }
    }

    async fn forget(&self, key: String) {
        let _ = self.directory.lookup(&key).tell().await;
    }
}

fn main() {}
