//! Publish/subscribe: a topic of prices in one process, then the same API across processes
//! over Redis: prices fire-and-forget (a Pub/Sub channel), and orders durable (a stream),
//! which a billing and a shipping subscription each get in full.
//!
//! ```text
//! cargo run --features redis --example pubsub                 # the local part only
//! APLAY_REDIS_URL=redis://127.0.0.1:6379 cargo run --features redis --example pubsub
//! ```
//!
//! The Redis part plays three processes with three stations (each its own connections, as
//! a process would have): an exchange that publishes prices, a shop that publishes orders,
//! and a back office that subscribes to both. It runs in a namespace of its own, deleted at
//! the end.

use std::time::Duration;

use aplay::prelude::*;
use aplay::redis::{RedisStation, StationConfig};
use serde::{Deserialize, Serialize};

/// A price, published by an exchange.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Price {
    /// What it is the price of.
    pub symbol: String,
    /// In cents.
    pub cents: u64,
}

/// An order, published by a shop.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Order {
    /// Its number.
    pub id: u64,
    /// What was ordered.
    pub item: String,
}

/// Shows the last prices: a subscriber of prices.
#[actor]
#[derive(Default)]
struct Board {
    heard: u64,
    last: Option<u64>,
}

#[actor]
impl Board {
    /// What a topic of prices delivers.
    fn price(&mut self, price: Price) {
        self.heard += 1;
        self.last = Some(price.cents);
    }

    /// How many prices it heard.
    fn heard(&self) -> u64 {
        self.heard
    }
}

/// Bills or ships orders (a subscriber of orders): counts them.
#[actor]
#[derive(Default)]
struct Clerk {
    orders: u64,
}

#[actor]
impl Clerk {
    /// What a topic of orders delivers.
    fn order(&mut self, order: Order, ctx: &mut Context<Self>) {
        self.orders += 1;
        println!(
            "redis: {} took order {} ({})",
            ctx.path(),
            order.id,
            order.item
        );
    }

    /// How many orders it took.
    fn orders(&self) -> u64 {
        self.orders
    }
}

/// What the run saw.
#[derive(Debug)]
pub struct Summary {
    /// The local part: subscribers, and prices each heard.
    pub local: (usize, u64),
    /// The Redis part, when it ran.
    pub redis: Option<RedisSummary>,
}

/// What the Redis part saw.
#[derive(Debug)]
pub struct RedisSummary {
    /// Prices the back office's board heard from the exchange.
    pub prices_heard: u64,
    /// Orders billed.
    pub billed: u64,
    /// Orders shipped.
    pub shipped: u64,
}

/// A topic in one process: three boards hear every price.
async fn local() -> Result<(usize, u64), Error> {
    let system = System::new();
    let prices: Topic<Price> = Topic::new();
    let mut boards = Vec::new();
    for name in ["lobby", "desk", "phone"] {
        let board = system.spawn(name, Board::default()).await?;
        prices.subscribe(ActorRef::recipient(&board, BoardMsg::price));
        boards.push(board);
    }
    for cents in [1999, 2005, 1987] {
        let delivered = prices
            .publish(Price {
                symbol: "ACME".into(),
                cents,
            })
            .await;
        println!("local: ACME at {cents} to {delivered} boards");
    }
    let mut least = u64::MAX;
    for board in &boards {
        least = least.min(board.heard().await?);
    }
    let subscribers = prices.subscribers();
    system.shutdown().await;
    Ok((subscribers, least))
}

/// Asks `what` until it says `target` (the messages are on their way), for up to 10 s.
async fn until<F, Fut>(target: u64, mut what: F) -> Result<u64, Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::IntoFuture<Output = Result<u64, Error>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = what().await?;
        if now >= target || tokio::time::Instant::now() >= deadline {
            return Ok(now);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Three stations, as three processes would be: an exchange and a shop publish, a back
/// office subscribes.
async fn across_processes(url: &str, namespace: &str) -> Result<RedisSummary, Error> {
    let connect = || RedisStation::connect_with(url, StationConfig::default().namespace(namespace));
    let (exchange, shop, back_office) = (connect().await?, connect().await?, connect().await?);
    let system = System::new();

    // The back office: a board on the prices, a clerk on each subscription of the orders.
    let prices = back_office.topic::<Price>("prices").await?;
    let board = system.spawn("board", Board::default()).await?;
    prices.subscribe(ActorRef::recipient(&board, BoardMsg::price));
    let billing = back_office
        .durable_topic::<Order>("orders", "billing")
        .await?;
    let shipping = back_office
        .durable_topic::<Order>("orders", "shipping")
        .await?;
    let biller = system.spawn("biller", Clerk::default()).await?;
    let shipper = system.spawn("shipper", Clerk::default()).await?;
    billing.subscribe(ActorRef::recipient(&biller, ClerkMsg::order));
    shipping.subscribe(ActorRef::recipient(&shipper, ClerkMsg::order));

    // The exchange: fire-and-forget prices; the back office is subscribed, so it hears them.
    let ticker = exchange.topic::<Price>("prices").await?;
    for cents in [1999, 2005, 1987] {
        ticker
            .publish(Price {
                symbol: "ACME".into(),
                cents,
            })
            .await;
    }
    ticker.flushed().await?;

    // The shop: durable orders; each subscription gets every one, even one whose processes
    // are down now (they would get them when they come back).
    let orders = shop.durable_topic::<Order>("orders", "billing").await?;
    for (id, item) in ["tea", "cups", "kettle", "sugar"].into_iter().enumerate() {
        orders
            .publish(Order {
                id: id as u64,
                item: item.into(),
            })
            .await;
    }
    orders.flushed().await?;

    let prices_heard = until(3, || board.heard()).await?;
    let billed = until(4, || biller.orders()).await?;
    let shipped = until(4, || shipper.orders()).await?;
    println!(
        "redis: the board heard {prices_heard} prices; {billed} orders billed, {shipped} shipped"
    );
    system.shutdown().await;
    back_office.purge_namespace().await?;
    Ok(RedisSummary {
        prices_heard,
        billed,
        shipped,
    })
}

/// The local part, then the Redis part if `url` is given, in `namespace`.
pub async fn run(url: Option<&str>, namespace: &str) -> Result<Summary, Error> {
    let local = local().await?;
    let redis = match url {
        Some(url) => Some(across_processes(url, namespace).await?),
        None => None,
    };
    Ok(Summary { local, redis })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let url = std::env::var("APLAY_REDIS_URL")
        .ok()
        .filter(|url| !url.is_empty());
    if url.is_none() {
        println!("(set APLAY_REDIS_URL=redis://127.0.0.1:6379 to run the part across processes)");
    }
    let namespace = format!("aplay-pubsub-example-{}", std::process::id());
    let summary = run(url.as_deref(), &namespace).await?;
    println!("{summary:?}");
    Ok(())
}
