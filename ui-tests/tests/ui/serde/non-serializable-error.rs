// `#[actor(serde)]` with a `Result` reply whose error type serde cannot encode: the whole
// `Result` travels back, its error too.
// Expected: one error on the `Result`, suggesting a serializable error type such as `String`.

use std::fmt;

use aplay::prelude::*;

#[derive(Debug)]
struct TooBig(u32);

impl fmt::Display for TooBig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is too big", self.0)
    }
}

#[actor]
struct Doubler;

#[actor(serde)]
impl Doubler {
    fn double(&self, n: u32) -> Result<u32, TooBig> {
        if n > 100 { Err(TooBig(n)) } else { Ok(n * 2) }
    }
}

fn main() {}
