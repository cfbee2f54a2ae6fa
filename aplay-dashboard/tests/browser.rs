//! The dashboard in a real browser: headless Chromium, driven over the DevTools protocol,
//! shows the actors (an actor named like a script as text), a restart appears without a
//! reload, and replaying a dead letter from its page moves it back to its Redis queue.
//!
//! Needs Chromium (`apt-get install chromium`; `.ci/run` installs it) and `redis-server` on
//! `PATH`; fails, saying so, without them. With `APLAY_DASHBOARD_SCREENSHOT=path.png` it
//! keeps a screenshot of the tree page there (`scripts/dashboard-screenshot`).

#[path = "support/cdp.rs"]
mod cdp;
#[path = "../../aplay/tests/common/redis_server.rs"]
mod redis_server;
mod support;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use aplay::prelude::*;
use aplay::redis::{RedisStation, StationConfig};
use aplay_dashboard::{Dashboard, Metrics};
use serde_json::json;
use support::{App, Flaky, Worker};

/// Whether the mailer fails (until the test has its dead letter), and what it sent.
static FAILING: AtomicBool = AtomicBool::new(true);
static SENT: AtomicU64 = AtomicU64::new(0);

/// Sends mail, or fails to while `FAILING`.
#[actor]
struct Mailer;

#[actor(serde)]
impl Mailer {
    fn send(&self, to: String) -> Result<(), String> {
        if FAILING.load(Ordering::SeqCst) {
            return Err(format!("the mail server refused <{to}>"));
        }
        SENT.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_in_chromium_shows_the_tree_live_and_replays_a_dead_letter() {
    // Before anything else: a missing browser fails here, saying how to install it.
    let _ = cdp::chromium();
    let redis = redis_server::RedisServer::start(false);
    let config = StationConfig::default()
        .namespace(redis_server::unique("dashboard"))
        .block(Duration::from_millis(200))
        .retry_delay(Duration::from_millis(20))
        .delayed_poll(Duration::from_millis(20))
        .max_deliveries(2);
    let station = RedisStation::connect_with(&redis.url(), config)
        .await
        .unwrap();

    let metrics = Metrics::new();
    let system = System::builder().metrics(metrics.clone()).build();
    let names = ["<script>alert('x')", "billing", "emails"];
    system
        .spawn(
            "app",
            App {
                names: names.iter().map(|n| (*n).to_owned()).collect(),
            },
        )
        .await
        .unwrap();
    let billing = system.lookup::<Worker>("/app/billing").unwrap();
    for n in 0..250 {
        billing.add(n).await.unwrap();
    }
    let serving = station.serve(&system, "/mailer", || Mailer).await.unwrap();
    let mailer = station.remote::<Mailer>("/mailer").unwrap();
    // An ask: its answer is the last failure, once the message is a dead letter.
    let refused = mailer.send("ada@example.com".into()).await.unwrap();
    assert_eq!(
        refused,
        Err("the mail server refused <ada@example.com>".to_owned())
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while station.queue_info("/mailer").await.unwrap().dead == 0 {
        assert!(tokio::time::Instant::now() < deadline, "no dead letter");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let dashboard = Dashboard::new(&system)
        .bind(([127, 0, 0, 1], 0))
        .basic_auth("ops", "secret")
        .refresh(Duration::from_millis(200))
        .metrics(metrics)
        .station(station.clone())
        .serve()
        .await
        .unwrap();
    let url = dashboard.url();

    let mut browser = cdp::Browser::start().await;
    browser
        .headers(json!({ "Authorization": "Basic b3BzOnNlY3JldA==" })) // ops:secret
        .await;
    browser.viewport(1280, 720, false).await;

    // The tree, as the live script draws it.
    browser.goto(&format!("{url}/")).await;
    browser
        .wait_for(
            "the live tree",
            "Number(document.body.dataset.updates || 0) >= 1 \
             && !!document.querySelector('tr[data-path=\"/app/flaky\"]')",
        )
        .await;
    let paths = browser
        .eval("[...document.querySelectorAll('#tree tbody tr')].map(r => r.dataset.path)")
        .await;
    for path in [
        "/",
        "/app",
        "/app/flaky",
        "/app/billing",
        "/app/emails",
        "/mailer",
    ] {
        assert!(
            paths.as_array().unwrap().contains(&json!(path)),
            "{path} in {paths}"
        );
    }
    let name = browser
        .eval("document.querySelector('tr[data-path=\"/app/<script>alert(\\'x\\')\"] .name').textContent")
        .await;
    assert_eq!(name, json!("<script>alert('x')"));
    // The name is text: the page's only script is the dashboard's.
    assert_eq!(browser.eval("document.scripts.length").await, json!(1));
    let handled = browser
        .eval("document.querySelector('tr[data-path=\"/app/billing\"] .handled').textContent")
        .await;
    assert_eq!(handled, json!("250"));

    // A restart shows without a reload: the page keeps a mark of its own meanwhile.
    browser.eval("window.sameDocument = 42").await;
    let flaky = system.lookup::<Flaky>("/app/flaky").unwrap();
    flaky.crash("the disk is full".into()).await.unwrap();
    browser
        .wait_for(
            "the restart, live",
            "document.querySelector('tr[data-path=\"/app/flaky\"] .restarts').textContent === '1' \
             && document.querySelector('tr[data-path=\"/app/flaky\"] .error').textContent.includes('the disk is full')",
        )
        .await;
    assert_eq!(browser.eval("window.sameDocument").await, json!(42));

    if let Ok(path) = std::env::var("APLAY_DASHBOARD_SCREENSHOT")
        && !path.is_empty()
    {
        std::fs::write(&path, browser.screenshot().await).unwrap();
    }

    // On a phone's width, the page does not scroll sideways (only the table does).
    browser.viewport(390, 844, true).await;
    let overflow = browser
        .eval("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        .await;
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "the page is wider than the phone by {overflow}"
    );
    browser.viewport(1280, 720, false).await;

    // The actor's page: its restart and why.
    browser.goto(&format!("{url}/actor?path=/app/flaky")).await;
    let restarts = browser
        .eval("document.querySelector('#restarts tbody').innerText")
        .await;
    assert!(
        restarts.as_str().unwrap().contains("the disk is full"),
        "{restarts}"
    );

    // The queues, and their sizes for Prometheus.
    browser.goto(&format!("{url}/queues")).await;
    let dead = browser
        .eval("document.querySelector('tr[data-queue=\"/mailer\"] .dead').textContent")
        .await;
    assert_eq!(dead, json!("1"));
    let metrics = browser.eval("fetch('/metrics').then(r => r.text())").await;
    let metrics = metrics.as_str().unwrap();
    for line in [
        "aplay_redis_dead{queue=\"/mailer\"} 1",
        "aplay_redis_backlog{queue=\"/mailer\"} 0",
        "aplay_redis_pending{queue=\"/mailer\"} 0",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    }

    // The queue: its dead letter, with its reason; replayed, it goes back to the queue and
    // is handled.
    browser.goto(&format!("{url}/queue?path=/mailer")).await;
    assert_eq!(
        browser
            .eval("document.getElementById('dead').textContent")
            .await,
        json!("1")
    );
    let reason = browser
        .eval("document.querySelector('#dead-letters tbody tr .error').textContent")
        .await;
    assert_eq!(reason, json!("the mail server refused <ada@example.com>"));
    FAILING.store(false, Ordering::SeqCst);
    browser
        .eval("document.querySelector('#dead-letters button.replay').click()")
        .await;
    browser
        .wait_for(
            "the replay's answer",
            "location.search.includes('done=') && document.getElementById('dead').textContent === '0'",
        )
        .await;
    let notice = browser
        .eval("document.getElementById('notice').textContent")
        .await;
    assert!(notice.as_str().unwrap().ends_with("replayed"), "{notice}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while SENT.load(Ordering::SeqCst) == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the replayed mail was not sent"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        station
            .dead_letters("/mailer", 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Another one, purged: gone, and never handled.
    FAILING.store(true, Ordering::SeqCst);
    let refused = mailer.send("bob@example.com".into()).await.unwrap();
    assert!(refused.is_err());
    browser.goto(&format!("{url}/queue?path=/mailer")).await;
    assert_eq!(
        browser
            .eval("document.getElementById('dead').textContent")
            .await,
        json!("1")
    );
    FAILING.store(false, Ordering::SeqCst);
    browser
        .eval("document.querySelector('#dead-letters button.purge').click()")
        .await;
    browser
        .wait_for(
            "the purge's answer",
            "location.search.includes('purged') && document.getElementById('dead').textContent === '0'",
        )
        .await;
    assert!(
        station
            .dead_letters("/mailer", 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(SENT.load(Ordering::SeqCst), 1);

    drop(browser);
    serving.stop().await;
    system.shutdown().await;
    dashboard.stopped().await;
    station.purge_namespace().await.unwrap();
}
