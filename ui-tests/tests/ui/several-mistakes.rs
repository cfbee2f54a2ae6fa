// Three handlers with three different mistakes in one block (a borrowed argument, a pattern
// argument, the context before an argument), and code that calls every handler through the
// handle, each the way it would be called once fixed.
// Expected: exactly three errors, one on each mistake (`&str`, `(x, y)`, `&mut Context<Self>`),
// and none at the calls: a rejected handler keeps its handle method, so `greeter.greet("Ada")`
// still type-checks (no "no method named `greet`", E0599).

use aplay::prelude::*;

#[actor]
#[derive(Default)]
struct Greeter {
    greeted: u32,
}

#[actor]
impl Greeter {
    fn greet(&mut self, name: &str) -> String {
        self.greeted += 1;
        format!("hello {name}")
    }

    fn plot(&mut self, (x, y): (i32, i32)) {
        let _ = x + y;
    }

    fn work(&mut self, ctx: &mut Context<Self>, n: u32) -> u32 {
        let _ = ctx;
        n + self.greeted
    }

    fn count(&self) -> u32 {
        self.greeted
    }
}

async fn run(greeter: ActorRef<Greeter>) -> Result<(), Error> {
    let hello: String = greeter.greet("Ada").await?;
    greeter.plot((1, 2)).await?;
    let worked: u32 = greeter.work(7).await?;
    let count: u32 = greeter.count().await?;
    println!("{hello} {worked} {count}");
    Ok(())
}

fn main() {
    let _ = run;
}
