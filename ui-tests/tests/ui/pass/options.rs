// The attribute's options and markers: `#[actor(crate = path)]` for the facade re-exported
// under another path, `#[actor(vis = pub(crate))]` for the generated enum and handle, `#[skip]`
// for an ordinary method, `#[cfg]` on handlers, and `Self` in argument and return types.
// It must compile without warnings and run: every assert holds.

mod runtime {
    // The facade under another path, as a crate that re-exports aplay would have it.
    pub use aplay as actors;
}

use aplay::prelude::*;

#[actor(crate = crate::runtime::actors)]
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    value: u32,
    children: Vec<Node>,
}

#[actor(crate = crate::runtime::actors, vis = pub(crate))]
impl Node {
    fn new(value: u32) -> Self {
        Node {
            value,
            children: Vec::new(),
        }
    }

    /// Takes a `Self`; returns how many children it has now.
    fn adopt(&mut self, child: Self) -> usize {
        self.children.push(child);
        self.children.len()
    }

    /// Returns a `Self`.
    fn snapshot(&self) -> Self {
        self.clone()
    }

    /// Returns a type built from `Self`.
    fn youngest(&self) -> Option<Box<Self>> {
        self.children.last().cloned().map(Box::new)
    }

    #[cfg(any())]
    fn never_built(&self, missing: NoSuchType) {}

    #[cfg(all())]
    fn always_built(&self) -> bool {
        true
    }

    /// An ordinary method, not a message.
    #[skip]
    fn total(&self) -> u32 {
        self.value + self.children.iter().map(Node::total).sum::<u32>()
    }
}

/// The generated handle is `pub(crate)`, as asked, and usable as a type.
fn adopt_two(node: &NodeHandle) -> [NodeMsg; 2] {
    let _ = node;
    [
        NodeMsg::Adopt {
            child: Node::new(2),
            reply: None,
        },
        NodeMsg::Adopt {
            child: Node::new(3),
            reply: None,
        },
    ]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = System::new();
        let root = system.spawn("root", Node::new(1)).await.unwrap();
        for msg in adopt_two(&root) {
            ActorRef::send(&root, msg).await.unwrap();
        }
        assert_eq!(root.adopt(Node::new(4)).await.unwrap(), 3);
        assert!(root.always_built().await.unwrap());
        assert_eq!(root.youngest().await.unwrap(), Some(Box::new(Node::new(4))));

        let snapshot = root.snapshot().await.unwrap();
        assert_eq!(snapshot.total(), 1 + 2 + 3 + 4);
        assert_eq!(snapshot.children.len(), 3);

        system.shutdown().await;
    });
}
