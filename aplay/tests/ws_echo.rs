//! The websocket echo server of `examples/ws_echo.rs`, with real clients on loopback.

#[allow(dead_code, unreachable_pub)]
#[path = "../../examples/ws_echo.rs"]
mod ws_echo;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::time::Duration;

use aplay::{AnyRef, StopReason, System};
use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

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

    // A shutdown closes every websocket cleanly: each client gets a close frame.
    assert_eq!(
        within("shutdown", system.shutdown()).await,
        StopReason::Shutdown
    );
    for mut ws in clients {
        let last = within("close frame", ws.next()).await;
        assert!(
            matches!(last, Some(Ok(Message::Close(_)))),
            "expected a close frame, got {last:?}"
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

    // Anything but text (or a ping or pong) ends it, like actorio's `EndMainLoop`.
    within("binary", ws.send(Message::binary(vec![1, 2, 3])))
        .await
        .expect("send");
    assert_eq!(
        within("stop", conn.wait_stopped()).await,
        StopReason::Normal
    );
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
