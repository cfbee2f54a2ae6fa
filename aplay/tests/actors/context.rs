//! What a handler sees through its `Context`, and `decide_to_start`.

use aplay::StartState;
use aplay::prelude::*;

#[actor]
#[derive(Default)]
struct Node {
    greeted_by: Vec<String>,
}

#[actor]
impl Node {
    /// Everything the context tells about this actor.
    fn describe(&self, ctx: &mut Context<Self>) -> (String, String, Option<String>, Vec<String>) {
        (
            ctx.name().to_owned(),
            ctx.path().to_string(),
            ctx.parent().map(|p| p.path().to_string()),
            ctx.children().iter().map(|c| c.name().to_owned()).collect(),
        )
    }

    async fn adopt(&mut self, name: String, ctx: &mut Context<Self>) -> Result<(), Error> {
        let child = ctx.spawn(&name, Node::default()).await?;
        // A child can be handed this actor's own ref.
        child.greet(ctx.myself()).await
    }

    async fn greet(&mut self, from: ActorRef<Node>) {
        self.greeted_by.push(from.path().to_string());
    }

    fn greeted_by(&self) -> Vec<String> {
        self.greeted_by.clone()
    }
}

#[tokio::test]
async fn the_context_knows_name_path_parent_children_and_myself() {
    let system = System::new();
    let top = system.spawn("top", Node::default()).await.unwrap();
    top.adopt("kid".into()).await.unwrap().unwrap();
    let (name, path, parent, children) = top.describe().await.unwrap();
    assert_eq!(
        (name.as_str(), path.as_str(), parent.as_deref()),
        ("top", "/top", Some("/"))
    );
    assert_eq!(children, ["kid"]);
    let kid = system.lookup::<Node>("/top/kid").unwrap();
    assert_eq!(kid.describe().await.unwrap().2.as_deref(), Some("/top"));
    assert_eq!(kid.greeted_by().await.unwrap(), ["/top"]);
}

struct Reluctant;

impl Actor for Reluctant {
    fn decide_to_start(&self, state: &StartState) -> bool {
        assert!(!state.stopped_by_person);
        false
    }
}

#[actor]
impl Reluctant {}

#[tokio::test]
async fn decide_to_start_can_refuse_a_start() {
    let system = System::new();
    let err = system.spawn("reluctant", Reluctant).await.unwrap_err();
    assert!(
        matches!(err, Error::StartDeclined { ref path } if path == "/reluctant"),
        "{err:?}"
    );
    assert!(system.lookup_any("/reluctant").is_none());
}
