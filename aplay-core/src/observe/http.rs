//! The tree served on demand over HTTP: `GET /tree` (JSON) and `GET /tree.txt` (text).
//!
//! A minimal HTTP/1.1 server, by hand on a tokio `TcpListener`: one request per connection,
//! answered with `Connection: close`. It is meant for a person or a script looking at a
//! running system on a private address, not for the open internet.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::system::System;

/// The longest request head read; longer ones get `431`.
const MAX_HEAD: usize = 8 * 1024;

/// How long a client has to send its request, and to take the answer.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves snapshots of `system`'s tree on `listener` until the system has stopped:
///
/// - `GET /tree`: the tree as JSON ([`TreeNode::to_json`](crate::TreeNode::to_json); see
///   the shape at `TreeNode`'s `Serialize`);
/// - `GET /tree.txt`: the text rendering (`TreeNode`'s `Display`).
///
/// Each request gets a fresh snapshot. Other paths get `404`, other methods `405`, a
/// malformed request `400`. Every connection is handled on a task of its own and closed after
/// one answer. Spawn it, and bind the listener to a private address:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use aplay_core::System;
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// let system = System::new();
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let address = listener.local_addr()?;
/// tokio::spawn(aplay_core::observe::serve_tree(system.clone(), listener));
///
/// let mut client = tokio::net::TcpStream::connect(address).await?;
/// client.write_all(b"GET /tree.txt HTTP/1.1\r\nHost: aplay\r\n\r\n").await?;
/// let mut answer = String::new();
/// client.read_to_string(&mut answer).await?;
/// assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"));
/// assert!(answer.ends_with("\r\n\r\n/ (Kernel) running, mailbox 0, 0 handled"));
/// # system.shutdown().await;
/// # Ok(()) }
/// ```
///
/// A failed accept (too many open files, say) is logged and retried a moment later; a
/// connection that fails is dropped.
///
/// # Cancel safety
///
/// Dropping the future stops accepting; connections being answered finish on their tasks.
pub async fn serve_tree(system: System, listener: TcpListener) {
    let stopped = system.root().clone();
    let stopped = stopped.wait_stopped();
    tokio::pin!(stopped);
    loop {
        let accepted = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _peer)) => {
                let system = system.clone();
                tokio::spawn(async move {
                    if let Err(error) = answer(&system, stream).await {
                        tracing::debug!(%error, "a tree request failed");
                    }
                });
            }
            Err(error) => {
                tracing::warn!(%error, "serve_tree: accept failed; trying again shortly");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Reads one request from `stream` and answers it.
async fn answer(system: &System, mut stream: TcpStream) -> io::Result<()> {
    let response = match tokio::time::timeout(CLIENT_TIMEOUT, read_head(&mut stream)).await {
        Err(_elapsed) => return Ok(()),
        Ok(Err(error)) => return Err(error),
        Ok(Ok(Head::TooLarge)) => Response::error("431 Request Header Fields Too Large"),
        Ok(Ok(Head::Complete(head))) => respond(system, &head),
    };
    tokio::time::timeout(CLIENT_TIMEOUT, response.write(&mut stream))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "the client did not read"))?
}

enum Head {
    Complete(Vec<u8>),
    TooLarge,
}

/// Reads up to the blank line that ends the request head.
async fn read_head(stream: &mut TcpStream) -> io::Result<Head> {
    let mut head = Vec::with_capacity(512);
    let mut buffer = [0u8; 1024];
    loop {
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            // The client closed early: answer what came (a bare request line, say).
            return Ok(Head::Complete(head));
        }
        head.extend_from_slice(&buffer[..read]);
        if head.windows(4).any(|w| w == b"\r\n\r\n") || head.windows(2).any(|w| w == b"\n\n") {
            return Ok(Head::Complete(head));
        }
        if head.len() > MAX_HEAD {
            return Ok(Head::TooLarge);
        }
    }
}

/// The answer to a request head.
fn respond(system: &System, head: &[u8]) -> Response {
    let Some(line) = head
        .split(|&b| b == b'\n')
        .next()
        .and_then(|line| std::str::from_utf8(line).ok())
    else {
        return Response::error("400 Bad Request");
    };
    let mut parts = line.trim_end_matches('\r').split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Response::error("400 Bad Request");
    };
    if !version.starts_with("HTTP/1.") {
        return Response::error("400 Bad Request");
    }
    let path = target.split('?').next().unwrap_or(target);
    let (content_type, body): (_, fn(&System) -> String) = match path {
        "/tree" => ("application/json", |system| system.tree().to_json()),
        "/tree.txt" => ("text/plain; charset=utf-8", |system| {
            system.tree().to_string()
        }),
        _ => return Response::error("404 Not Found"),
    };
    if method != "GET" {
        return Response {
            allow: true,
            ..Response::error("405 Method Not Allowed")
        };
    }
    Response {
        status: "200 OK",
        content_type,
        body: body(system),
        allow: false,
    }
}

struct Response {
    status: &'static str,
    content_type: &'static str,
    body: String,
    /// Say which method is allowed (with a 405).
    allow: bool,
}

impl Response {
    fn error(status: &'static str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: format!("{status}: this server answers GET /tree and GET /tree.txt\n"),
            allow: false,
        }
    }

    async fn write(&self, stream: &mut TcpStream) -> io::Result<()> {
        let allow = if self.allow { "Allow: GET\r\n" } else { "" };
        let head = format!(
            "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{allow}\
             Cache-Control: no-store\r\nConnection: close\r\n\r\n",
            self.status,
            self.content_type,
            self.body.len(),
        );
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(self.body.as_bytes()).await?;
        stream.shutdown().await
    }
}
