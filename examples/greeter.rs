//! actorio's "Hello World": spawn a greeter, ask it, print the reply.
//!
//! Run it with `cargo run --example greeter`.

use aplay::prelude::*;

/// Replies to every greeting.
#[actor]
struct Greeter;

#[actor]
impl Greeter {
    /// The handler returns a value, so awaiting `greeter.greet()` is an ask.
    fn greet(&self) -> String {
        "Hello World!".to_owned()
    }
}

/// Spawns the greeter, asks it once, stops it; returns the reply.
pub async fn run() -> Result<String, Error> {
    let system = System::new();
    // actorio's `async with Greeter() as greeter`: spawn...
    let greeter = system.spawn("greeter", Greeter).await?;
    let reply = greeter.greet().await?;
    // ...and stop on the way out.
    greeter.stop().await;
    Ok(reply)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    println!("{}", run().await?);
    Ok(())
}
