//! Smoke test: spawn, tell, ask, shutdown.

use aplay::prelude::*;

#[actor]
#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    fn add(&mut self, n: u64) {
        self.count += n;
    }
    fn get(&self) -> u64 {
        self.count
    }
}

#[tokio::test]
async fn smoke() {
    let system = System::new();
    let c = system.spawn("c", Counter::default()).await.unwrap();
    for _ in 0..10 {
        c.add(2).await.unwrap();
    }
    assert_eq!(c.get().await.unwrap(), 20);
    system.shutdown().await;
}
