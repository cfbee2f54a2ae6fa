//! The dashboard over HTTP: the pages show the system, escaped; credentials, the CSRF token
//! and the origin checks guard it; `/metrics` speaks Prometheus; `/events` streams the tree.

mod support;

use std::time::Duration;

use aplay::prelude::*;
use aplay_dashboard::{Dashboard, Metrics};
use support::{App, Worker, get, request};

/// A system with `/app`, its supervised `/app/flaky`, and a worker per name.
async fn system_with(names: &[&str], metrics: Option<Metrics>) -> System {
    let system = match metrics {
        Some(metrics) => System::builder().metrics(metrics).build(),
        None => System::new(),
    };
    let names = names.iter().map(|n| (*n).to_owned()).collect();
    system.spawn("app", App { names }).await.unwrap();
    system
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited too long for {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn the_tree_page_shows_every_actor_and_an_actor_named_script_as_text() {
    let system = system_with(&["<script>alert('x')", "plain"], None).await;
    let dashboard = aplay_dashboard::serve(&system, ([127, 0, 0, 1], 0))
        .await
        .unwrap();
    let addr = dashboard.local_addr();

    let page = get(addr, "/").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    for path in ["/app", "/app/flaky", "/app/plain"] {
        assert!(
            page.body.contains(&format!("data-path=\"{path}\"")),
            "{path} in {}",
            page.body
        );
    }
    // The name is text: escaped in the row's attribute, its link and its cell.
    assert!(page.body.contains("&lt;script&gt;alert(&#39;x&#39;)"));
    assert!(!page.body.contains("<script>alert"), "{}", page.body);
    assert!(
        page.body
            .contains("/actor?path=/app/%3Cscript%3Ealert%28%27x%27%29")
    );
    // The page's only script is the dashboard's own file, and inline ones are forbidden.
    assert_eq!(page.body.matches("<script").count(), 1);
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    let script = get(addr, "/assets/app.js").await;
    assert_eq!(script.status, 200);
    assert!(script.body.contains("textContent") && !script.body.contains("innerHTML"));

    // The actor page of the strangely named actor, by its escaped link.
    let actor = get(addr, "/actor?path=/app/%3Cscript%3Ealert%28%27x%27%29").await;
    assert_eq!(actor.status, 200);
    assert!(
        actor
            .body
            .contains("<h1 class=\"path\">/app/&lt;script&gt;alert(&#39;x&#39;)</h1>")
    );
    assert!(!actor.body.contains("<script>alert"));
    let missing = get(addr, "/actor?path=/nobody%3Cb%3E").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("/nobody&lt;b&gt;"));

    // The tree for scripts.
    let json = get(addr, "/tree.json").await;
    let tree: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(tree["top"], "/");
    assert_eq!(get(addr, "/tree.txt").await.body, system.tree().to_string());
    system.shutdown().await;
    tokio::time::timeout(Duration::from_secs(10), dashboard.stopped())
        .await
        .expect("the dashboard stops with its system");
}

#[tokio::test]
async fn an_actors_page_shows_its_restarts_with_their_reasons_and_its_last_error() {
    let system = system_with(&["worker"], None).await;
    let dashboard = aplay_dashboard::serve(&system, ([127, 0, 0, 1], 0))
        .await
        .unwrap();
    let addr = dashboard.local_addr();
    let flaky = system.lookup::<support::Flaky>("/app/flaky").unwrap();
    let flaky_any = ActorRef::to_any(&flaky);
    flaky.crash("the disk <is> full".into()).await.unwrap();
    wait_for("a restart", || flaky_any.restarts() == 1).await;
    assert_eq!(flaky.ping().await.unwrap(), 1);

    let page = get(addr, "/actor?path=/app/flaky").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<dt>Restarts</dt><dd>1</dd>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<dt>Panics</dt><dd>1</dd>"));
    let restarts = &page.body[page.body.find("id=\"restarts\"").unwrap()..];
    assert!(restarts.contains("the disk &lt;is&gt; full"), "{restarts}");
    assert!(
        page.body
            .contains("Parent: <a href=\"/actor?path=/app\">/app</a>")
    );

    // A told handler's error is the last error; the parent lists its children.
    let worker = system.lookup::<Worker>("/app/worker").unwrap();
    worker.fail("no <such> file".into()).tell().await.unwrap();
    assert_eq!(worker.get().await.unwrap(), 0);
    let page = get(addr, "/actor?path=/app/worker").await;
    assert!(
        page.body.contains("fail: no &lt;such&gt; file"),
        "{}",
        page.body
    );
    let app = get(addr, "/actor?path=/app").await;
    assert!(
        app.body
            .contains("<a href=\"/actor?path=/app/flaky\">flaky</a>")
    );

    // Mail to a stopped actor is listed, newest first.
    worker.stop().await;
    assert!(worker.add(1).await.is_err());
    let page = get(addr, "/undelivered").await;
    assert!(
        page.body.contains("1 refused since the system started"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<td>add</td>") && page.body.contains("<td>stopped</td>"));
    system.shutdown().await;
}

#[tokio::test]
async fn a_dashboard_whose_handle_is_dropped_serves_until_its_system_stops() {
    let system = system_with(&[], None).await;
    let addr = aplay_dashboard::serve(&system, ([127, 0, 0, 1], 0))
        .await
        .unwrap()
        .local_addr();
    tokio::task::yield_now().await;
    assert_eq!(get(addr, "/tree.txt").await.status, 200);
    system.shutdown().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(tokio::time::Instant::now() < deadline, "still serving");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn the_events_stream_sends_the_tree_as_it_changes() {
    let system = system_with(&[], None).await;
    let dashboard = Dashboard::new(&system)
        .bind(([127, 0, 0, 1], 0))
        .refresh(Duration::from_millis(50))
        .serve()
        .await
        .unwrap();
    let mut stream = tokio::net::TcpStream::connect(dashboard.local_addr())
        .await
        .unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        .await
        .unwrap();
    let mut seen = String::new();
    let mut buffer = [0u8; 4096];
    let mut spawned = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains("\"/late\"") {
        let read = tokio::time::timeout_at(deadline, stream.read(&mut buffer))
            .await
            .expect("the new actor in the stream")
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&buffer[..read]));
        if !spawned && seen.contains("event: tree") {
            assert!(seen.contains("text/event-stream"), "{seen}");
            assert!(seen.contains("\"undelivered_total\":0"));
            system.spawn("late", Worker::default()).await.unwrap();
            spawned = true;
        }
    }
    // The stream ends with the server.
    dashboard.stop().await;
    let rest = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(rest.is_ok(), "the stream ended");
    system.shutdown().await;
}

#[tokio::test]
async fn credentials_guard_every_page_and_another_interface_needs_them() {
    let system = system_with(&[], None).await;
    let refused = Dashboard::new(&system)
        .bind(([0, 0, 0, 0], 0))
        .serve()
        .await;
    let error = refused.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::PermissionDenied);
    assert!(error.to_string().contains("basic_auth"), "{error}");

    let dashboard = Dashboard::new(&system)
        .bind(([0, 0, 0, 0], 0))
        .basic_auth("ops", "secret")
        .token("t0ken")
        .serve()
        .await
        .unwrap();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], dashboard.local_addr().port()));
    for target in ["/", "/metrics", "/events", "/tree.json", "/assets/app.js"] {
        let answer = get(addr, target).await;
        assert_eq!(answer.status, 401, "{target}");
        assert_eq!(
            answer.header("www-authenticate"),
            Some("Basic realm=\"aplay\", charset=\"UTF-8\"")
        );
    }
    let wrong = request(
        addr,
        "GET",
        "/",
        &[("Authorization", "Basic b3BzOndyb25n")],
        "",
    )
    .await;
    assert_eq!(wrong.status, 401);
    // ops:secret
    let basic = request(
        addr,
        "GET",
        "/",
        &[("Authorization", "Basic b3BzOnNlY3JldA==")],
        "",
    )
    .await;
    assert_eq!(basic.status, 200);
    let bearer = request(
        addr,
        "GET",
        "/metrics",
        &[("Authorization", "Bearer t0ken")],
        "",
    )
    .await;
    assert_eq!(bearer.status, 200);
    system.shutdown().await;
}

#[tokio::test]
async fn actions_need_credentials_and_the_forms_token_from_the_same_origin() {
    let system = system_with(&[], None).await;
    // Without credentials: no action at all.
    let open = aplay_dashboard::serve(&system, ([127, 0, 0, 1], 0))
        .await
        .unwrap();
    let answer = request(
        open.local_addr(),
        "POST",
        "/queue/purge",
        &[],
        "csrf=x&path=/jobs&id=1-0",
    )
    .await;
    // Without the redis feature, there is no such route; with it, the action is refused.
    assert!((403..=405).contains(&answer.status), "{answer:?}");
    open.stop().await;

    #[cfg(feature = "redis")]
    {
        let station_less = Dashboard::new(&system)
            .bind(([127, 0, 0, 1], 0))
            .token("t")
            .serve()
            .await
            .unwrap();
        let addr = station_less.local_addr();
        let auth = ("Authorization", "Bearer t");
        let wrong = request(
            addr,
            "POST",
            "/queue/purge",
            &[auth],
            "csrf=guess&path=/jobs&id=1-0",
        )
        .await;
        assert_eq!(wrong.status, 403);
        assert!(
            wrong.body.contains("token is not this dashboard's"),
            "{}",
            wrong.body
        );
        let body = "csrf=guess&path=/jobs&id=1-0";
        let cross = [auth, ("Sec-Fetch-Site", "cross-site")];
        let answer = request(addr, "POST", "/queue/replay", &cross, body).await;
        assert!(answer.body.contains("another site"), "{}", answer.body);
        let foreign = [auth, ("Origin", "http://evil.example")];
        let answer = request(addr, "POST", "/queue/replay", &foreign, body).await;
        assert!(
            answer.body.contains("Origin is not this dashboard"),
            "{}",
            answer.body
        );
        assert_eq!(answer.status, 403);
        station_less.stop().await;
    }
    system.shutdown().await;
}

#[tokio::test]
async fn metrics_are_in_the_prometheus_format_labelled_by_actor_type() {
    let metrics = Metrics::new();
    let system = system_with(&["a", "b"], Some(metrics.clone())).await;
    let dashboard = Dashboard::new(&system)
        .bind(([127, 0, 0, 1], 0))
        .metrics(metrics)
        .serve()
        .await
        .unwrap();
    let addr = dashboard.local_addr();
    let a = system.lookup::<Worker>("/app/a").unwrap();
    for _ in 0..10 {
        a.add(1).await.unwrap();
    }
    assert_eq!(a.get().await.unwrap(), 10);
    let flaky = system.lookup::<support::Flaky>("/app/flaky").unwrap();
    flaky.crash("boom".into()).await.unwrap();
    let flaky_any = ActorRef::to_any(&flaky);
    wait_for("a restart", || flaky_any.restarts() == 1).await;

    let answer = get(addr, "/metrics").await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("content-type"),
        Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
    );
    let text = answer.body;
    let worker = std::any::type_name::<Worker>();
    let flaky_type = std::any::type_name::<support::Flaky>();
    let line = |name: &str, actor_type: &str| -> f64 {
        let prefix = format!("{name}{{actor_type=\"{actor_type}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("{prefix} in\n{text}"))
            .parse()
            .unwrap()
    };
    assert_eq!(line("aplay_actors", worker), 2.0);
    assert_eq!(line("aplay_messages_handled_total", worker), 11.0);
    assert_eq!(line("aplay_restarts_total", flaky_type), 1.0);
    assert_eq!(line("aplay_panics_total", flaky_type), 1.0);
    assert_eq!(line("aplay_asks_timed_out_total", worker), 0.0);
    assert!(
        text.contains("# TYPE aplay_messages_handled counter"),
        "{text}"
    );
    assert!(text.ends_with("# EOF\n"));
    assert!(
        text.contains("# TYPE aplay_handler_seconds histogram"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "aplay_handler_seconds_count{{actor_type=\"{worker}\"}} 11"
        )),
        "{text}"
    );
    assert!(text.contains("aplay_undelivered_total 0"));
    // No path label by default.
    assert!(!text.contains("path=\""));

    // Counters stay monotonic when an actor stops: its counts stay in the total.
    a.stop().await;
    let text = get(addr, "/metrics").await.body;
    assert!(
        text.contains(&format!(
            "aplay_messages_handled_total{{actor_type=\"{worker}\"}} 11"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("aplay_actors{{actor_type=\"{worker}\"}} 1")),
        "{text}"
    );
    system.shutdown().await;
}

#[tokio::test]
async fn per_path_metrics_have_a_bounded_number_of_paths() {
    let metrics = Metrics::per_path(2);
    let system = system_with(&["a", "b", "c"], Some(metrics.clone())).await;
    let dashboard = Dashboard::new(&system)
        .bind(([127, 0, 0, 1], 0))
        .metrics(metrics)
        .serve()
        .await
        .unwrap();
    let text = get(dashboard.local_addr(), "/metrics").await.body;
    let paths: std::collections::BTreeSet<&str> = text
        .lines()
        .filter(|l| l.starts_with("aplay_actors{"))
        .filter_map(|l| l.split("path=\"").nth(1)?.split('"').next())
        .collect();
    // The kernel and /app got their own label; the others share "other".
    assert_eq!(
        paths.into_iter().collect::<Vec<_>>(),
        ["/", "/app", "other"],
        "{text}"
    );
    system.shutdown().await;
}
