//! The shapes of actor `#[actor]` accepts, each used through its generated handle.

use std::fmt;
use std::sync::Arc;

use aplay::prelude::*;

mod private_actor {
    use aplay::prelude::*;

    /// A public actor whose handlers are all private to the module.
    #[actor]
    #[derive(Default)]
    pub(crate) struct Hidden {
        n: u32,
    }

    #[actor]
    impl Hidden {
        fn bump(&mut self) -> u32 {
            self.n += 1;
            self.n
        }
    }

    pub(crate) async fn use_it(system: &System) -> u32 {
        let h = system.spawn("hidden", Hidden::default()).await.unwrap();
        h.bump().await.unwrap()
    }
}

#[derive(Debug)]
struct Oops;
impl fmt::Display for Oops {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("oops")
    }
}

#[actor]
#[derive(Default)]
struct Shapes {
    log: Vec<String>,
}

#[actor]
impl Shapes {
    fn new() -> Self {
        Shapes::default()
    }

    /// Takes several arguments, one of them `'static`.
    fn note(&mut self, a: String, b: u8, tag: &'static str) {
        self.log.push(format!("{tag}:{a}:{b}"));
    }

    fn log(&self) -> Vec<String> {
        self.log.clone()
    }

    fn me(&self) -> Option<Box<Self>> {
        None
    }

    async fn slow(&mut self, ms: u64, ctx: &mut Context<Self>) -> String {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        ctx.path().to_string()
    }

    fn checked(&self, ok: bool) -> Result<u8, Oops> {
        if ok { Ok(1) } else { Err(Oops) }
    }

    fn shared(&self, data: Arc<Vec<u8>>) -> usize {
        data.len()
    }

    #[cfg(any())]
    fn never_compiled(&self, x: NoSuchType) {}

    #[skip]
    fn helper(&self) -> usize {
        self.log.len()
    }
}

#[tokio::test]
async fn every_shape_round_trips() {
    let system = System::new();
    assert_eq!(private_actor::use_it(&system).await, 1);
    let s = system.spawn("shapes", Shapes::new()).await.unwrap();
    s.note("x".into(), 3, "t").await.unwrap();
    assert_eq!(s.log().await.unwrap(), vec!["t:x:3".to_string()]);
    assert!(s.me().await.unwrap().is_none());
    assert_eq!(s.slow(1).await.unwrap(), "/shapes");
    assert_eq!(s.checked(true).await.unwrap().unwrap(), 1);
    assert!(s.checked(false).await.unwrap().is_err());
    assert_eq!(s.shared(Arc::new(vec![1, 2])).await.unwrap(), 2);
    let msg = ShapesMsg::Log { reply: None };
    assert_eq!(format!("{msg:?}"), "ShapesMsg::Log");
    system.shutdown().await;
    assert_eq!(
        Shapes::new().helper(),
        0,
        "a #[skip] method stays an ordinary method"
    );
}
