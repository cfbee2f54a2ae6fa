//! What the dashboard's tests share: a bare HTTP client, and the actors of a small system.
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;

use aplay::Restart;
use aplay::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An answer: status code, headers (lower-case names), body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request (HTTP/1.1, `Connection: close`) with `headers`, and reads the answer.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v == "chunked");
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Answer {
        status,
        headers,
        body,
    }
}

/// `GET target`.
pub async fn get(addr: SocketAddr, target: &str) -> Answer {
    request(addr, "GET", target, &[], "").await
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    loop {
        let Some((size, rest)) = body.split_once("\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
}

/// A parent that supervises a `Flaky` child at `flaky` and spawns the children named.
pub struct App {
    pub names: Vec<String>,
}

impl Actor for App {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.spawn_supervised("flaky", Restart::Permanent, || Flaky)
            .await?;
        for name in &self.names {
            ctx.spawn(name, Worker::default()).await?;
        }
        Ok(())
    }
}

#[actor]
impl App {}

/// Panics on demand.
pub struct Flaky;

impl Actor for Flaky {}

#[actor]
impl Flaky {
    pub fn crash(&self, why: String) {
        panic!("{why}");
    }
    pub fn ping(&self) -> u8 {
        1
    }
}

/// Counts what it is told.
#[actor]
#[derive(Default)]
pub struct Worker {
    pub count: u64,
}

#[actor]
impl Worker {
    pub fn add(&mut self, n: u64) {
        self.count += n;
    }
    pub fn get(&self) -> u64 {
        self.count
    }
    pub fn fail(&self, text: String) -> Result<(), String> {
        Err(text)
    }
}
