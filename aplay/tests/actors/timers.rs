//! Timers under tokio's paused clock: a message after a delay, at an interval, cancelled by
//! their handle or when the actor stops.

use std::time::Duration;

use crate::common::{clock, settle};
use aplay::prelude::*;
use tokio::time::advance;

#[tokio::test(start_paused = true)]
async fn send_after_delivers_once_after_the_delay() {
    let system = System::new();
    let clock = clock(&system, "clock").await;
    let timer = clock.after(Duration::from_secs(5)).await.unwrap();
    advance(Duration::from_millis(4_999)).await;
    settle().await;
    assert!(clock.ticks().await.unwrap().is_empty(), "too early");
    advance(Duration::from_millis(1)).await;
    settle().await;
    assert_eq!(clock.ticks().await.unwrap(), [Duration::from_secs(5)]);
    assert!(timer.is_finished());
    advance(Duration::from_secs(60)).await;
    settle().await;
    assert_eq!(clock.ticks().await.unwrap().len(), 1, "only once");
}

#[tokio::test(start_paused = true)]
async fn send_interval_ticks_every_period_until_cancelled() {
    let system = System::new();
    let clock = clock(&system, "clock").await;
    let timer = clock.every(Duration::from_secs(1)).await.unwrap();
    for _ in 0..5 {
        advance(Duration::from_secs(1)).await;
        settle().await;
    }
    let ticks = clock.ticks().await.unwrap();
    assert_eq!(ticks, (1..=5).map(Duration::from_secs).collect::<Vec<_>>());
    timer.cancel();
    advance(Duration::from_secs(10)).await;
    settle().await;
    assert_eq!(
        clock.ticks().await.unwrap().len(),
        5,
        "no tick after cancel"
    );
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_delay_never_fires() {
    let system = System::new();
    let clock = clock(&system, "clock").await;
    let timer = clock.after(Duration::from_secs(1)).await.unwrap();
    timer.cancel();
    advance(Duration::from_secs(2)).await;
    settle().await;
    assert!(clock.ticks().await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn timers_are_cancelled_when_the_actor_stops() {
    let system = System::new();
    let clock = clock(&system, "clock").await;
    let interval = clock.every(Duration::from_secs(1)).await.unwrap();
    let delay = clock.after(Duration::from_secs(30)).await.unwrap();
    clock.stop().await;
    settle().await;
    assert!(interval.is_finished() && delay.is_finished());
}
