//! actorio's websocket echo server ("Handling external blocking events"), with aplay.
//!
//! A `Listener` at `/listener` accepts TCP connections and spawns one `Connection` actor per
//! socket as its child (`/listener/conn-1`, `/listener/conn-2`, ...). Each connection does
//! the websocket handshake, echoes every text frame it gets back, and stops itself on any
//! other frame or error (actorio's `EndMainLoop`); the listener hears of it in
//! `on_child_stopped`. Outside events reach the actors as ordinary messages: the listener's
//! `accept()` through `ctx.attach_repeat`, everything a connection hears (its handshake, its
//! frames, the ticks of its ping timer) through one stream that the connection's own task reads
//! between its messages (`ctx.attach_stream_inline`), so a handler never runs at the same time
//! as another one, and a connection is one task.
//!
//! It is hardened for clients that misbehave, each limit in [`ServerConfig`]:
//!
//! - a request that is not a websocket upgrade is answered `426 Upgrade Required`, a malformed
//!   one `400 Bad Request`, one that does not come in time `408 Request Timeout`;
//! - a client is pinged when it has been quiet for a while, and closed (code 1008) when it has
//!   not been heard from, not even a pong, for longer still;
//! - a message over the size limit is answered with the close code 1009 (Message Too Big);
//! - a connection is one task with small buffers: about 8 KiB of memory per idle connection
//!   (`scripts/ws-echo-rss` measures it).
//!
//! Run it with `cargo run --example ws_echo [ADDR]` (default `127.0.0.1:9001`), talk to it
//! with any websocket client (`websocat ws://127.0.0.1:9001`), and stop it with ctrl-c.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use aplay::prelude::*;
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, Stream, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Interval, MissedTickBehavior};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::handshake::machine::TryParse;
use tokio_tungstenite::tungstenite::handshake::server::{Request, create_response, write_response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Bytes, Message};

/// A websocket over a TCP connection.
type Socket = WebSocketStream<TcpStream>;

/// The limits the server holds its clients to. [`ServerConfig::default()`] is what `main`
/// runs with; the tests shorten the times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// How long a client has to send its handshake request (then it gets `408 Request
    /// Timeout`). 10 s.
    pub handshake_timeout: Duration,
    /// A client quiet for this long is pinged (at most once per interval, on a timer of this
    /// period). 30 s.
    pub ping_interval: Duration,
    /// A client not heard from for this long (no frame, no pong) is closed with the code 1008
    /// (Policy Violation). Checked at the pings' ticks, so it is closed within
    /// `idle_timeout + ping_interval`. A client that reads nothing is closed after as long:
    /// a frame the server cannot write within `idle_timeout` ends the connection. 75 s.
    pub idle_timeout: Duration,
    /// The largest message (and frame) a client may send, in bytes; a bigger one is answered
    /// with the close code 1009 (Message Too Big) as soon as its header arrives, before its
    /// payload is read. 1 MiB, which an echo server does not need more than (tungstenite's
    /// own default is 64 MiB, or 16 MiB a frame).
    pub max_message_size: usize,
    /// The buffer each connection reads into, in bytes (tungstenite allocates it whole, and
    /// fills it with zeros, for every connection: its own default, 128 KiB, is what made an
    /// idle connection cost 140 KB). A bigger message grows it. 4 KiB.
    pub read_buffer_size: usize,
    /// How long a closing connection waits: for its close frame (or an error response) to be
    /// written, then for the client to stop sending, reading and dropping what comes. A
    /// socket closed with unread data resets the connection, and the client could lose the
    /// close frame or response it has not read yet. 1 s.
    pub close_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            handshake_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(75),
            max_message_size: 1 << 20,
            read_buffer_size: 4 << 10,
            close_timeout: Duration::from_secs(1),
        }
    }
}

impl ServerConfig {
    /// tungstenite's settings for a connection.
    fn websocket(&self) -> WebSocketConfig {
        WebSocketConfig::default()
            .read_buffer_size(self.read_buffer_size)
            // Each frame is written at once (every send is flushed anyway): nothing waits in
            // a buffer.
            .write_buffer_size(0)
            .max_message_size(Some(self.max_message_size))
            .max_frame_size(Some(self.max_message_size))
    }
}

/// Accepts connections, and spawns a [`Connection`] for each.
#[derive(Debug)]
pub struct Listener {
    socket: Arc<TcpListener>,
    config: ServerConfig,
    accepted: u64,
}

impl Listener {
    /// Binds the listening socket.
    pub async fn bind(addr: &str, config: ServerConfig) -> io::Result<Self> {
        Ok(Listener {
            socket: Arc::new(TcpListener::bind(addr).await?),
            config,
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
        match ctx
            .spawn(&name, Connection::new(tcp, peer, self.config))
            .await
        {
            Ok(conn) => println!("{} <- {peer}", conn.path()),
            Err(error) => println!("{name} for {peer}: {error}"),
        }
    }
}

/// What a connection hears from its socket: the items of the one stream it reads.
#[derive(Debug)]
pub enum Event {
    /// The handshake is done: the sending half of the websocket, and when it opened.
    Opened(SplitSink<Socket, Message>, Instant),
    /// The handshake failed (the client was answered if it could be), and why.
    Refused(String),
    /// A frame from the client.
    Frame(Message),
    /// The ping timer, at the time it was due.
    Tick(Instant),
    /// Reading failed: the error, and the receiving half back (to close the whole socket).
    Failed(WsError, SplitStream<Socket>),
}

/// One websocket client: echoes its text frames.
#[derive(Debug)]
pub struct Connection {
    peer: SocketAddr,
    config: ServerConfig,
    /// The TCP connection, until the handshake takes it.
    tcp: Option<TcpStream>,
    /// The sending half of the websocket, once the handshake is done; the receiving half
    /// feeds the mailbox.
    sink: Option<SplitSink<Socket, Message>>,
    /// The whole websocket, when reading it failed and its receiving half came back. Boxed:
    /// rarely there, and the actor's task carries this struct (a `Socket` is 320 bytes).
    socket: Option<Box<Socket>>,
    /// When the client was last heard from.
    heard: Instant,
    /// The close frame to send when the connection stops, when it is not the default one.
    close: Option<CloseFrame>,
}

impl Connection {
    fn new(tcp: TcpStream, peer: SocketAddr, config: ServerConfig) -> Self {
        Connection {
            peer,
            config,
            tcp: Some(tcp),
            sink: None,
            socket: None,
            heard: Instant::now(),
            close: None,
        }
    }

    /// Stops this connection with the close frame `code` and `reason`.
    fn close(&mut self, code: CloseCode, reason: String, ctx: &mut Context<Self>) {
        self.close = Some(close_frame(code, reason));
        ctx.stop();
    }

    /// Sends `message` to the client, and stops this connection if it cannot: the client is
    /// gone, or reads nothing for `idle_timeout`.
    async fn send(&mut self, message: Message, ctx: &mut Context<Self>) {
        let sink = self.sink.as_mut().expect("frames come after the handshake");
        match tokio::time::timeout(self.config.idle_timeout, sink.send(message)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => ctx.stop(),
            Err(_) => {
                let reason = format!("nothing read for {:?}", self.config.idle_timeout);
                self.close(CloseCode::Policy, reason, ctx);
            }
        }
    }
}

impl Actor for Connection {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        // The handshake waits for the client, so it does not run here: the listener waits for
        // `on_start` and would accept nobody else meanwhile. It is the first part of a stream
        // that this actor's own task reads while no message waits (no task of its own), which
        // then gives the frames and the ticks of the ping timer: all of it comes as messages,
        // and the end of the frames as `closed`.
        let tcp = self.tcp.take().ok_or("started twice")?;
        let incoming = Incoming::Handshake(Box::pin(handshake(tcp, self.config)));
        ctx.attach_stream_inline(
            incoming,
            ConnectionMsg::event,
            Some(ConnectionMsg::closed()),
        );
        Ok(())
    }

    async fn on_stop(&mut self, _ctx: &mut Context<Self>, reason: &StopReason) {
        // Sends our close frame, or the reply to the client's: a clean end either way. Bounded,
        // as a client that reads nothing would make it wait.
        let close = self.close.take().or_else(|| match reason {
            StopReason::Shutdown | StopReason::StoppedByPerson => Some(close_frame(
                CloseCode::Away,
                "the server is shutting down".to_owned(),
            )),
            StopReason::Failed(_) => Some(close_frame(CloseCode::Error, "server error".to_owned())),
            _ => None,
        });
        let limit = self.config.close_timeout;
        if let Some(mut socket) = self.socket.take() {
            // Reading failed (a message too big, a protocol error): the client may still be
            // sending. Our close frame, then what it sends is read and dropped until it closes.
            if let Some(close) = close {
                let _ = tokio::time::timeout(limit, async move {
                    WebSocketStream::close(&mut socket, Some(close))
                        .await
                        .ok()?;
                    let tcp = socket.get_mut();
                    tcp.shutdown().await.ok()?;
                    drain(tcp).await;
                    Some(())
                })
                .await;
            }
        } else if let Some(sink) = &mut self.sink {
            let _ = tokio::time::timeout(limit, async move {
                if let Some(close) = close {
                    sink.send(Message::Close(Some(close))).await?;
                }
                sink.close().await
            })
            .await;
        }
    }
}

#[actor]
impl Connection {
    /// Something heard from the socket.
    async fn event(&mut self, event: Event, ctx: &mut Context<Self>) {
        match event {
            Event::Opened(sink, at) => {
                self.sink = Some(sink);
                self.heard = at;
            }
            // A failed handshake fails this connection, and only it.
            Event::Refused(reason) => ctx.fail(format!("websocket handshake: {reason}")),
            Event::Frame(frame) => {
                self.heard = Instant::now();
                match frame {
                    Message::Text(text) => self.send(Message::Text(text), ctx).await,
                    // tungstenite answers pings by itself while the frames are read, and a
                    // pong answers ours: both only say the client is there.
                    Message::Ping(_) | Message::Pong(_) => {}
                    // The client closes: tungstenite has queued the reply, which `on_stop`
                    // sends.
                    Message::Close(_) => ctx.stop(),
                    // Anything else: actorio's `EndMainLoop`.
                    Message::Binary(_) | Message::Frame(_) => {
                        let reason = "only text frames are echoed".to_owned();
                        self.close(CloseCode::Unsupported, reason, ctx);
                    }
                }
            }
            Event::Tick(due) => {
                let quiet = due.saturating_duration_since(self.heard);
                if quiet >= self.config.idle_timeout {
                    let reason = format!("idle: not heard from for {quiet:?}");
                    self.close(CloseCode::Policy, reason, ctx);
                } else if quiet >= self.config.ping_interval {
                    self.send(Message::Ping(Bytes::new()), ctx).await;
                }
            }
            Event::Failed(error, frames) => {
                // The whole socket back, for `on_stop` to close it while it reads what the
                // client still sends.
                let sink = self.sink.take().expect("frames come after the handshake");
                self.socket = sink.reunite(frames).ok().map(Box::new);
                match close_code(&error) {
                    Some(code) => {
                        let reason = match error {
                            WsError::Capacity(_) => format!(
                                "message too big: the limit is {} bytes",
                                self.config.max_message_size
                            ),
                            error => error.to_string(),
                        };
                        self.close(code, reason, ctx);
                    }
                    // The connection itself failed: nothing can be said to the client.
                    None => {
                        self.socket = None;
                        ctx.stop();
                    }
                }
            }
        }
    }

    /// The frames ended: the client went away.
    fn closed(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }

    /// Who this connection talks to.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }
}

/// The close code that answers a reading error; `None` when the connection itself failed.
fn close_code(error: &WsError) -> Option<CloseCode> {
    match error {
        WsError::Capacity(_) => Some(CloseCode::Size),
        WsError::Utf8(_) => Some(CloseCode::Invalid),
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => None,
        WsError::Protocol(_) => Some(CloseCode::Protocol),
        _ => None,
    }
}

/// A close frame; the reason cut to the 123 bytes a close frame has room for.
fn close_frame(code: CloseCode, mut reason: String) -> CloseFrame {
    if reason.len() > 123 {
        let mut end = 123;
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        reason.truncate(end);
    }
    CloseFrame {
        code,
        reason: reason.into(),
    }
}

/// The handshake under way: the socket and the config (for the ping timer), or why it failed.
/// Boxed: once it is done, its memory goes back.
type Handshake = Pin<Box<dyn Future<Output = Result<(Socket, ServerConfig), String>> + Send>>;

/// Everything a connection hears, in one stream read by its own task: the handshake's
/// outcome, then the frames, with a tick of the ping timer every `ping_interval`.
enum Incoming {
    Handshake(Handshake),
    Open {
        frames: SplitStream<Socket>,
        ticks: Interval,
    },
    Done,
}

impl Stream for Incoming {
    type Item = Event;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Event>> {
        let this = self.get_mut();
        match this {
            Incoming::Handshake(handshake) => {
                let event = match handshake.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok((socket, config))) => {
                        let (sink, frames) = socket.split();
                        let opened = Instant::now();
                        let period = config.ping_interval;
                        let mut ticks = tokio::time::interval_at(opened + period, period);
                        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
                        *this = Incoming::Open { frames, ticks };
                        Event::Opened(sink, opened)
                    }
                    Poll::Ready(Err(reason)) => {
                        *this = Incoming::Done;
                        Event::Refused(reason)
                    }
                };
                Poll::Ready(Some(event))
            }
            Incoming::Open { frames, ticks } => {
                match frames.poll_next_unpin(cx) {
                    Poll::Ready(Some(Ok(frame))) => return Poll::Ready(Some(Event::Frame(frame))),
                    Poll::Ready(Some(Err(error))) => {
                        let Incoming::Open { frames, .. } = std::mem::replace(this, Incoming::Done)
                        else {
                            unreachable!("matched above")
                        };
                        return Poll::Ready(Some(Event::Failed(error, frames)));
                    }
                    Poll::Ready(None) => {
                        *this = Incoming::Done;
                        return Poll::Ready(None);
                    }
                    Poll::Pending => {}
                }
                ticks.poll_tick(cx).map(|due| Some(Event::Tick(due)))
            }
            Incoming::Done => Poll::Ready(None),
        }
    }
}

/// The longest request head read.
const MAX_HEAD: usize = 8 << 10;

/// Why a handshake request was refused: the status line, its extra headers, and the reason.
struct Refusal {
    status: &'static str,
    headers: &'static str,
    reason: String,
}

impl Refusal {
    fn bad_request(reason: impl ToString) -> Self {
        Refusal {
            status: "400 Bad Request",
            headers: "",
            reason: reason.to_string(),
        }
    }

    /// The answer to a request that tungstenite refuses.
    fn of(error: &WsError) -> Self {
        match error {
            WsError::Protocol(
                ProtocolError::MissingConnectionUpgradeHeader
                | ProtocolError::MissingUpgradeWebSocketHeader
                | ProtocolError::MissingSecWebSocketVersionHeader
                | ProtocolError::WrongHttpMethod,
            ) => Refusal {
                status: "426 Upgrade Required",
                headers: "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n",
                reason: format!("a websocket upgrade is expected: {error}"),
            },
            error => Refusal::bad_request(error),
        }
    }

    /// The HTTP response, which closes the connection.
    fn response(&self) -> String {
        let body = format!("{}: {}\n", self.status, self.reason);
        format!(
            "HTTP/1.1 {}\r\n{}Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Length: {}\r\n\r\n{body}",
            self.status,
            self.headers,
            body.len(),
        )
    }
}

/// The server's side of the websocket handshake: reads the request head, answers `101
/// Switching Protocols`, or an HTTP error and closes. Returns the socket and the config (for
/// [`Incoming`]), or why it failed.
async fn handshake(
    mut tcp: TcpStream,
    config: ServerConfig,
) -> Result<(Socket, ServerConfig), String> {
    let limit = config.handshake_timeout;
    let read = tokio::time::timeout(limit, read_request(&mut tcp)).await;
    let refusal = match read {
        Err(_) => Refusal {
            status: "408 Request Timeout",
            headers: "",
            reason: format!("no handshake within {limit:?}"),
        },
        Ok(Err(Unread::Gone(error))) => return Err(error),
        Ok(Err(Unread::Bad(refusal))) => refusal,
        Ok(Ok((request, rest))) => match create_response(&request) {
            Ok(response) => {
                let mut head = Vec::new();
                write_response(&mut head, &response).map_err(|error| error.to_string())?;
                tokio::time::timeout(limit, tcp.write_all(&head))
                    .await
                    .map_err(|_| format!("no handshake within {limit:?}"))?
                    .map_err(|error| error.to_string())?;
                let socket = WebSocketStream::from_partially_read(
                    tcp,
                    rest,
                    Role::Server,
                    Some(config.websocket()),
                )
                .await;
                return Ok((socket, config));
            }
            Err(error) => Refusal::of(&error),
        },
    };
    // The answer, then what the client still sends is read until it closes (see `drain`).
    let _ = tokio::time::timeout(config.close_timeout, async {
        tcp.write_all(refusal.response().as_bytes()).await?;
        tcp.shutdown().await?;
        drain(&mut tcp).await;
        io::Result::Ok(())
    })
    .await;
    Err(format!("{}: {}", refusal.status, refusal.reason))
}

/// Why no request was read.
enum Unread {
    /// The client went away, or the connection failed: nobody to answer.
    Gone(String),
    /// Not a request tungstenite can read: the answer.
    Bad(Refusal),
}

/// Reads the request head; returns it, and the bytes that came after it.
async fn read_request(tcp: &mut TcpStream) -> Result<(Request, Vec<u8>), Unread> {
    let mut buffer = Vec::with_capacity(1024);
    loop {
        if buffer.len() >= MAX_HEAD {
            let reason = format!("the request head is over {MAX_HEAD} bytes");
            return Err(Unread::Bad(Refusal::bad_request(reason)));
        }
        let room = (MAX_HEAD - buffer.len()).min(1024);
        let read = (&mut *tcp)
            .take(room as u64)
            .read_buf(&mut buffer)
            .await
            .map_err(|error| Unread::Gone(error.to_string()))?;
        if read == 0 {
            return Err(Unread::Gone(
                "the client left during the handshake".to_owned(),
            ));
        }
        match Request::try_parse(&buffer) {
            Ok(None) => {}
            Ok(Some((length, request))) => return Ok((request, buffer.split_off(length))),
            Err(error) => return Err(Unread::Bad(Refusal::of(&error))),
        }
    }
}

/// Reads and drops what the client sends until it closes: a socket closed with unread data
/// resets the connection, and the client could lose what it has not read yet (our close
/// frame, our error response). The caller bounds the time.
async fn drain(tcp: &mut TcpStream) {
    let mut buffer = vec![0; 16 << 10];
    while let Ok(1..) = tcp.read(&mut buffer).await {}
}

/// Binds `addr` and starts the listener at `/listener` with the default limits; returns the
/// system and the address it listens on (useful with port 0).
pub async fn start(addr: &str) -> Result<(System, SocketAddr), BoxError> {
    start_with(addr, ServerConfig::default()).await
}

/// [`start`], with the limits of `config`.
pub async fn start_with(
    addr: &str,
    config: ServerConfig,
) -> Result<(System, SocketAddr), BoxError> {
    let listener = Listener::bind(addr, config).await?;
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
