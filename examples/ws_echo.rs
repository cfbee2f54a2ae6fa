//! actorio's websocket echo server ("Handling external blocking events"), with aplay.
//!
//! A `Listener` at `/listener` accepts TCP connections and spawns one `Connection` actor per
//! socket as its child (`/listener/conn-1`, `/listener/conn-2`, ...). Each connection does
//! the websocket handshake, echoes every text frame it gets back, and stops itself on any
//! other frame or error (actorio's `EndMainLoop`); the listener hears of it in
//! `on_child_stopped`. Outside events reach the actors as ordinary messages: the listener's
//! `accept()` through `ctx.attach_repeat`, a connection's frames through
//! `ctx.attach_stream_with_end`, so a handler never runs at the same time as another one.
//!
//! Run it with `cargo run --example ws_echo [ADDR]` (default `127.0.0.1:9001`), talk to it
//! with any websocket client (`websocat ws://127.0.0.1:9001`), and stop it with ctrl-c.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aplay::prelude::*;
use futures::stream::{self, SplitSink};
use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::{self, Message};

/// A websocket over a TCP connection.
type Socket = WebSocketStream<TcpStream>;

/// How long a client has to complete the websocket handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Accepts connections, and spawns a [`Connection`] for each.
#[derive(Debug)]
pub struct Listener {
    socket: Arc<TcpListener>,
    accepted: u64,
}

impl Listener {
    /// Binds the listening socket.
    pub async fn bind(addr: &str) -> io::Result<Self> {
        Ok(Listener {
            socket: Arc::new(TcpListener::bind(addr).await?),
            accepted: 0,
        })
    }
}

impl Actor for Listener {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        // actorio's `register_input_task(factory, handler)`: `accept()` is called again only
        // once its previous result is in the mailbox, and each result becomes a message.
        let socket = Arc::clone(&self.socket);
        ctx.attach_repeat(
            move || {
                let socket = Arc::clone(&socket);
                async move {
                    let accepted = socket.accept().await;
                    if accepted.is_err() {
                        // Errors such as "too many open files" come back at once: pause
                        // rather than spin.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    accepted
                }
            },
            ListenerMsg::accepted,
        );
        Ok(())
    }

    /// actorio's `handle_child_stopped`: a connection ended.
    async fn on_child_stopped(
        &mut self,
        _ctx: &mut Context<Self>,
        child: &AnyRef,
        reason: &StopReason,
    ) {
        println!("{} closed: {reason}", child.path());
    }
}

#[actor]
impl Listener {
    /// A result of `accept()`.
    async fn accepted(
        &mut self,
        accepted: io::Result<(TcpStream, SocketAddr)>,
        ctx: &mut Context<Self>,
    ) {
        let (tcp, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                println!("accept failed: {error}");
                return;
            }
        };
        self.accepted += 1;
        let name = format!("conn-{}", self.accepted);
        // Returns once the child's `on_start` has run; that only attaches the handshake, so a
        // slow client does not hold up the next `accept()`.
        match ctx.spawn(&name, Connection::new(tcp, peer)).await {
            Ok(conn) => println!("{} <- {peer}", conn.path()),
            Err(error) => println!("{name} for {peer}: {error}"),
        }
    }
}

/// One websocket client: echoes its text frames.
#[derive(Debug)]
pub struct Connection {
    peer: SocketAddr,
    /// The TCP connection, until the handshake takes it.
    tcp: Option<TcpStream>,
    /// The sending half of the websocket, once the handshake is done; the receiving half
    /// feeds the mailbox.
    sink: Option<SplitSink<Socket, Message>>,
}

impl Connection {
    fn new(tcp: TcpStream, peer: SocketAddr) -> Self {
        Connection {
            peer,
            tcp: Some(tcp),
            sink: None,
        }
    }
}

impl Actor for Connection {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        // The handshake waits for the client, so it does not run here: the listener waits for
        // `on_start` and would accept nobody else meanwhile. It runs in an attached task
        // instead, and its result comes back as the message `handshake`.
        let tcp = self.tcp.take().ok_or("started twice")?;
        let handshake = async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, tokio_tungstenite::accept_async(tcp))
                .await
            {
                Ok(socket) => socket.map_err(|error| error.to_string()),
                Err(_) => Err(format!("no handshake within {HANDSHAKE_TIMEOUT:?}")),
            }
        };
        ctx.attach_stream(stream::once(handshake), ConnectionMsg::handshake);
        Ok(())
    }

    async fn on_stop(&mut self, _ctx: &mut Context<Self>, _reason: &StopReason) {
        // Sends our close frame, or the reply to the client's: a clean end either way. Bounded,
        // as a client that reads nothing would make it wait.
        if let Some(sink) = &mut self.sink {
            let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
        }
    }
}

#[actor]
impl Connection {
    /// The handshake's result. A failed handshake fails this connection, and only it.
    fn handshake(&mut self, socket: Result<Socket, String>, ctx: &mut Context<Self>) {
        match socket {
            Ok(socket) => {
                let (sink, frames) = socket.split();
                self.sink = Some(sink);
                // actorio's `register_input_task(websocket.receive, ...)`: every incoming
                // frame becomes the message `frame`, and the end of the stream `closed`.
                ctx.attach_stream_with_end(frames, ConnectionMsg::frame, ConnectionMsg::closed());
            }
            Err(error) => ctx.fail(format!("websocket handshake: {error}")),
        }
    }

    /// An incoming frame, or the error that came instead.
    async fn frame(&mut self, frame: Result<Message, tungstenite::Error>, ctx: &mut Context<Self>) {
        match frame {
            Ok(Message::Text(text)) => {
                let sink = self.sink.as_mut().expect("frames come after the handshake");
                if sink.send(Message::Text(text)).await.is_err() {
                    ctx.stop();
                }
            }
            // tungstenite answers pings by itself while the frames are read (and pongs need
            // no answer), so these are not "other frames": ignoring them keeps the client.
            Ok(Message::Ping(_) | Message::Pong(_)) => {}
            // Binary, close, or an error: actorio's `EndMainLoop`.
            Ok(_) | Err(_) => ctx.stop(),
        }
    }

    /// The frames ended: the client went away without a close frame.
    fn closed(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }

    /// Who this connection talks to.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }
}

/// Binds `addr` and starts the listener at `/listener`; returns the system and the address
/// it listens on (useful with port 0).
pub async fn start(addr: &str) -> Result<(System, SocketAddr), BoxError> {
    let listener = Listener::bind(addr).await?;
    let local = listener.socket.local_addr()?;
    let system = System::new();
    system.spawn("listener", listener).await?;
    Ok((system, local))
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9001".to_owned());
    let (system, local) = start(&addr).await?;
    println!("echoing websockets on ws://{local}/ (ctrl-c to stop)");
    system.run().await;
    Ok(())
}
