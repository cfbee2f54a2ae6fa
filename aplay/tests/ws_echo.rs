//! The websocket echo server of `examples/ws_echo.rs`, with real clients on loopback.

#[allow(dead_code, unreachable_pub)]
#[path = "../../examples/ws_echo.rs"]
mod ws_echo;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use aplay::{AnyRef, StopReason, System};
use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data as OpData, OpCode};
use tokio_tungstenite::tungstenite::{Bytes, Message};
use ws_echo::ServerConfig;

/// How long any one wait may take before the test fails instead of hanging.
const LIMIT: Duration = Duration::from_secs(10);

type Client = WebSocketStream<TcpStream>;

async fn within<F: IntoFuture>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(LIMIT, future.into_future())
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

async fn server() -> (System, SocketAddr) {
    let (system, addr) = ws_echo::start("127.0.0.1:0")
        .await
        .expect("the server starts");
    assert!(addr.ip().is_loopback());
    (system, addr)
}

/// A websocket client, and the local address the server sees it from.
async fn connect(addr: SocketAddr) -> (Client, SocketAddr) {
    let tcp = within("tcp connect", TcpStream::connect(addr))
        .await
        .expect("tcp connect");
    let local = tcp.local_addr().unwrap();
    let (ws, _response) = within(
        "websocket handshake",
        tokio_tungstenite::client_async(format!("ws://{addr}/"), tcp),
    )
    .await
    .expect("websocket handshake");
    (ws, local)
}

/// Sends `text` and checks the next frame is its echo.
async fn echo(ws: &mut Client, text: &str) {
    within("send", ws.send(Message::text(text)))
        .await
        .expect("send");
    let reply = within("echo", ws.next())
        .await
        .expect("the connection is open")
        .expect("a frame");
    assert_eq!(reply, Message::text(text));
}

/// The connection actor serving the client at `peer` (found through the system's tree).
async fn connection_of(system: &System, peer: SocketAddr) -> AnyRef {
    let listener = system.lookup_any("/listener").expect("the listener runs");
    for child in listener.children() {
        let conn = child
            .downcast::<ws_echo::Connection>()
            .expect("the listener's children are connections");
        if within("peer", conn.peer()).await.ok() == Some(peer) {
            return child;
        }
    }
    panic!("no connection actor for {peer}");
}

/// The close code of the next frame, which must be a close frame (frames before it, such as
/// pings, are skipped).
async fn close_code(ws: &mut Client) -> CloseCode {
    loop {
        match within("close frame", ws.next()).await {
            Some(Ok(Message::Close(Some(close)))) => return close.code,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("expected a close frame with a code, got {other:?}"),
        }
    }
}

/// A server with short times, for the idle tests.
fn quick() -> ServerConfig {
    ServerConfig {
        ping_interval: Duration::from_millis(100),
        idle_timeout: Duration::from_millis(300),
        ..ServerConfig::default()
    }
}

/// Sends `request` on a raw TCP connection and reads the whole answer, until the server
/// closes; also returns the connection actor that served it.
async fn raw_request(system: &System, addr: SocketAddr, request: &[u8]) -> (String, AnyRef) {
    let mut tcp = within("tcp connect", TcpStream::connect(addr))
        .await
        .unwrap();
    let local = tcp.local_addr().unwrap();
    // Connections are accepted in order: once a websocket client connecting after it is
    // served, this one's actor exists.
    let (mut marker, _) = connect(addr).await;
    echo(&mut marker, "after the raw one").await;
    let conn = connection_of(system, local).await;
    within("write", tcp.write_all(request)).await.unwrap();
    let mut answer = Vec::new();
    within("the answer, then the end", tcp.read_to_end(&mut answer))
        .await
        .expect("read");
    (String::from_utf8_lossy(&answer).into_owned(), conn)
}

/// A websocket client that never writes once its handshake is done, so that it answers no
/// ping: it reads the server's frames raw.
async fn silent_client(addr: SocketAddr) -> (TcpStream, SocketAddr) {
    let mut tcp = within("tcp connect", TcpStream::connect(addr))
        .await
        .unwrap();
    let local = tcp.local_addr().unwrap();
    let request = "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n\
                   Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
                   Sec-WebSocket-Version: 13\r\n\r\n";
    within("write", tcp.write_all(request.as_bytes()))
        .await
        .unwrap();
    // The response head, a byte at a time (the frames that follow stay unread).
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(within("response", tcp.read_u8()).await.expect("a response"));
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    (tcp, local)
}

/// A frame from the server, read raw: its opcode and payload; `None` at the end.
async fn raw_frame(tcp: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let first = within("frame", tcp.read_u8()).await.ok()?;
    let length = match within("frame", tcp.read_u8()).await.ok()? & 0x7f {
        126 => u64::from(tcp.read_u16().await.ok()?),
        127 => tcp.read_u64().await.ok()?,
        short => u64::from(short),
    };
    let mut payload = vec![0; usize::try_from(length).unwrap()];
    within("payload", tcp.read_exact(&mut payload)).await.ok()?;
    Some((first & 0x0f, payload))
}

fn listener_alive(system: &System) -> bool {
    system
        .lookup_any("/listener")
        .is_some_and(|listener| listener.is_alive())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clients_each_get_their_own_echoes_in_order() {
    let (system, addr) = server().await;
    let clients = (0..5).map(|client| async move {
        let (mut ws, _) = connect(addr).await;
        let texts: Vec<String> = (0..20)
            .map(|i| format!("client {client} says {i}"))
            .collect();
        // Everything first, then the echoes: several frames in flight at once.
        for text in &texts {
            within("send", ws.send(Message::text(text.as_str())))
                .await
                .expect("send");
        }
        for text in &texts {
            let reply = within("echo", ws.next())
                .await
                .expect("open")
                .expect("a frame");
            assert_eq!(reply, Message::text(text.as_str()));
        }
        // And one at a time.
        echo(&mut ws, &format!("client {client} is done")).await;
        ws
    });
    let clients: Vec<Client> = futures::future::join_all(clients.map(tokio::spawn))
        .await
        .into_iter()
        .map(|joined| joined.expect("a client task panicked"))
        .collect();

    let listener = system.lookup_any("/listener").unwrap();
    let mut names: Vec<String> = listener
        .children()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["conn-1", "conn-2", "conn-3", "conn-4", "conn-5"]);

    // A shutdown closes every websocket cleanly: each client gets a close frame, 1001 (Going
    // Away).
    assert_eq!(
        within("shutdown", system.shutdown()).await,
        StopReason::Shutdown
    );
    for mut ws in clients {
        let last = within("close frame", ws.next()).await;
        assert!(
            matches!(&last, Some(Ok(Message::Close(Some(close)))) if close.code == CloseCode::Away),
            "expected a close frame with 1001, got {last:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_close_frame_stops_exactly_that_connection() {
    let (system, addr) = server().await;
    let mut clients = Vec::new();
    for _ in 0..3 {
        let (mut ws, local) = connect(addr).await;
        echo(&mut ws, "hello").await;
        let conn = connection_of(&system, local).await;
        clients.push((ws, conn));
    }
    let (mut leaving, leaving_conn) = clients.remove(1);
    let path = leaving_conn.path().to_string();
    assert!(system.lookup_any(&path).is_some());

    within("close", leaving.close(None)).await.expect("close");
    assert_eq!(
        within("the connection actor stops", leaving_conn.wait_stopped()).await,
        StopReason::Normal
    );
    assert!(system.lookup_any(&path).is_none(), "{path} is free again");
    // The server answered the close handshake.
    let reply = within("close reply", leaving.next()).await;
    assert!(
        matches!(reply, Some(Ok(Message::Close(_))) | None),
        "expected the close reply, got {reply:?}"
    );

    // The others did not notice.
    assert!(listener_alive(&system));
    for (ws, conn) in &mut clients {
        assert!(conn.is_alive(), "{} still runs", conn.path());
        echo(ws, "still here").await;
    }
    within("shutdown", system.shutdown()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn binary_frames_stop_the_connection_and_pings_do_not() {
    let (system, addr) = server().await;
    let (mut ws, local) = connect(addr).await;
    let conn = connection_of(&system, local).await;

    // tungstenite answers the ping by itself; the connection goes on.
    within(
        "ping",
        ws.send(Message::Ping(b"are you there".to_vec().into())),
    )
    .await
    .expect("send");
    let pong = within("pong", ws.next())
        .await
        .expect("open")
        .expect("a frame");
    assert_eq!(pong, Message::Pong(b"are you there".to_vec().into()));
    echo(&mut ws, "after the ping").await;

    // Anything but text (or a ping or pong) ends it, like actorio's `EndMainLoop`, with the
    // close code 1003 (Unsupported Data).
    within("binary", ws.send(Message::binary(vec![1, 2, 3])))
        .await
        .expect("send");
    assert_eq!(
        within("stop", conn.wait_stopped()).await,
        StopReason::Normal
    );
    assert_eq!(close_code(&mut ws).await, CloseCode::Unsupported);
    assert!(listener_alive(&system));
    within("shutdown", system.shutdown()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn malformed_handshakes_fail_only_their_own_connection() {
    let (system, addr) = server().await;
    let (mut first, _) = connect(addr).await;
    echo(&mut first, "before").await;

    // Raw TCP clients that have not sent their handshake yet. The listener is not waiting
    // for them: a websocket client connecting after each gets through. As connections are
    // accepted in order, the raw one's actor exists by then.
    let mut raw = Vec::new();
    let mut good = vec![first];
    for _ in 0..3 {
        let tcp = within("tcp connect", TcpStream::connect(addr))
            .await
            .unwrap();
        let local = tcp.local_addr().unwrap();
        let (mut ws, _) = connect(addr).await;
        echo(&mut ws, "while a handshake is pending").await;
        good.push(ws);
        let conn = connection_of(&system, local).await;
        assert!(conn.is_alive());
        raw.push((tcp, conn));
    }

    // An HTTP request without the websocket headers; junk that is not HTTP at all; and a
    // client that goes away without a word.
    let garbage: [&[u8]; 3] = [
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        b"\x16\x03\x01\x00\xa5 not http at all\r\n\r\n",
        b"",
    ];
    for ((mut tcp, conn), garbage) in raw.into_iter().zip(garbage) {
        within("write", tcp.write_all(garbage)).await.unwrap();
        within("shutdown write", tcp.shutdown()).await.unwrap();
        let reason = within("the failed connection stops", conn.wait_stopped()).await;
        assert!(
            reason.is_failure(),
            "{} should fail its handshake: {reason}",
            conn.path()
        );
        // The server dropped the socket (whatever it wrote before, it ends).
        let mut rest = Vec::new();
        let _ = within("server closes", tcp.read_to_end(&mut rest)).await;
    }

    // The listener and every other connection go on.
    assert!(listener_alive(&system));
    for ws in &mut good {
        echo(ws, "after").await;
    }
    let (mut late, _) = connect(addr).await;
    echo(&mut late, "a newcomer").await;
    within("shutdown", system.shutdown()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_silent_client_is_pinged_then_closed_after_the_idle_timeout() {
    let config = quick();
    let (system, addr) = ws_echo::start_with("127.0.0.1:0", config).await.unwrap();
    let opened = Instant::now();
    let (mut silent, local) = silent_client(addr).await;
    let conn = connection_of(&system, local).await;

    // The server gives up on it by itself.
    assert_eq!(
        within("the idle connection stops", conn.wait_stopped()).await,
        StopReason::Normal
    );
    assert!(opened.elapsed() >= config.idle_timeout);
    // What it was sent meanwhile: pings, every `ping_interval`, then a close frame 1008
    // (Policy Violation) with a reason, then the end of the connection.
    let mut pings = 0;
    let close = loop {
        match raw_frame(&mut silent).await {
            Some((0x9, _)) => pings += 1,
            Some((0x8, payload)) => break payload,
            other => panic!("expected pings then a close frame, got {other:?}"),
        }
    };
    assert!(pings >= 1, "{pings} pings");
    assert_eq!(u16::from_be_bytes([close[0], close[1]]), 1008);
    let reason = String::from_utf8_lossy(&close[2..]);
    assert!(reason.starts_with("idle"), "{reason}");
    assert_eq!(
        raw_frame(&mut silent).await,
        None,
        "then the socket is closed"
    );

    // The server goes on.
    assert!(listener_alive(&system));
    let (mut ws, _) = connect(addr).await;
    echo(&mut ws, "a newcomer").await;
    within("shutdown", system.shutdown()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_that_answers_pings_stays_open() {
    let config = ServerConfig {
        idle_timeout: Duration::from_millis(500),
        ..quick()
    };
    let (system, addr) = ws_echo::start_with("127.0.0.1:0", config).await.unwrap();
    let (mut ws, local) = connect(addr).await;
    let conn = connection_of(&system, local).await;
    let opened = Instant::now();

    // The client only reads (tungstenite answers each ping as it reads), for two idle
    // timeouts.
    let mut pings = 0;
    while pings < 2 || opened.elapsed() < 2 * config.idle_timeout {
        match within("a ping", ws.next()).await {
            Some(Ok(Message::Ping(_))) => pings += 1,
            other => panic!("expected a ping, got {other:?}"),
        }
    }
    assert!(conn.is_alive());
    echo(&mut ws, "still here").await;
    within("shutdown", system.shutdown()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_handshakes_are_answered_with_an_http_error() {
    let config = ServerConfig {
        handshake_timeout: Duration::from_millis(200),
        ..ServerConfig::default()
    };
    let (system, addr) = ws_echo::start_with("127.0.0.1:0", config).await.unwrap();
    let cases: [(&[u8], &str); 5] = [
        // Not a websocket upgrade: 426, saying which upgrade.
        (
            b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "HTTP/1.1 426 Upgrade Required\r\n",
        ),
        (
            b"POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 426 Upgrade Required\r\n",
        ),
        // Not HTTP at all.
        (
            b"\x16\x03\x01\x00\xa5 not http at all\r\n\r\n",
            "HTTP/1.1 400 Bad Request\r\n",
        ),
        // An upgrade with a broken key.
        (
            b"GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n",
            "HTTP/1.1 400 Bad Request\r\n",
        ),
        // Half a request, and nothing more within the handshake timeout.
        (
            b"GET / HTTP/1.1\r\nHost: loc",
            "HTTP/1.1 408 Request Timeout\r\n",
        ),
    ];
    for (request, status) in cases {
        let (answer, conn) = raw_request(&system, addr, request).await;
        assert!(
            answer.starts_with(status),
            "expected {status:?}, got {answer:?}"
        );
        if status.contains("426") {
            assert!(answer.contains("\r\nUpgrade: websocket\r\n"), "{answer}");
        }
        assert!(answer.contains("\r\nConnection: close\r\n"), "{answer}");
        let reason = within("the connection stops", conn.wait_stopped()).await;
        assert!(reason.is_failure(), "{reason}");
    }
    // The listener goes on.
    let (mut ws, _) = connect(addr).await;
    echo(&mut ws, "a good one").await;
    within("shutdown", system.shutdown()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_message_over_the_limit_gets_close_code_1009() {
    let config = ServerConfig {
        max_message_size: 64 << 10,
        ..ServerConfig::default()
    };
    let (system, addr) = ws_echo::start_with("127.0.0.1:0", config).await.unwrap();
    let (mut other, _) = connect(addr).await;

    // Up to the limit it is echoed.
    let (mut ws, local) = connect(addr).await;
    let conn = connection_of(&system, local).await;
    echo(&mut ws, &"x".repeat(64 << 10)).await;
    // One byte more: 1009 (Message Too Big), and the connection ends.
    within("send", ws.send(Message::text("x".repeat((64 << 10) + 1))))
        .await
        .expect("send");
    assert_eq!(close_code(&mut ws).await, CloseCode::Size);
    // The client goes away: the server, which reads until then, is done.
    drop(ws);
    assert_eq!(
        within("stop", conn.wait_stopped()).await,
        StopReason::Normal
    );

    // As a message of fragments too.
    let (mut ws, _) = connect(addr).await;
    let half = Bytes::from("y".repeat(40 << 10));
    let first = Frame::message(half.clone(), OpCode::Data(OpData::Text), false);
    let last = Frame::message(half, OpCode::Data(OpData::Continue), true);
    for frame in [first, last] {
        within("send", ws.send(Message::Frame(frame)))
            .await
            .expect("send");
    }
    assert_eq!(close_code(&mut ws).await, CloseCode::Size);
    drop(ws);

    echo(&mut other, "not affected").await;
    within("shutdown", system.shutdown()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_20_mib_message_gets_1009_with_the_default_limit() {
    // The report: a 20 MiB frame got 1005 (no code). The client is still sending when the
    // server refuses it; the server reads and drops the rest, so that the client gets the
    // close frame rather than a reset.
    let config = ServerConfig {
        close_timeout: LIMIT,
        ..ServerConfig::default()
    };
    let (system, addr) = ws_echo::start_with("127.0.0.1:0", config).await.unwrap();
    let (mut ws, _) = connect(addr).await;
    within("send", ws.send(Message::text("z".repeat(20 << 20))))
        .await
        .expect("send");
    assert_eq!(close_code(&mut ws).await, CloseCode::Size);
    drop(ws);
    within("shutdown", system.shutdown()).await;
}
