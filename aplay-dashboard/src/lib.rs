//! A web dashboard and a Prometheus endpoint for an [aplay](https://docs.rs/aplay) actor
//! system, on [axum](https://docs.rs/axum).
//!
//! - `/`: the live supervision tree (path, state, restarts, mailbox and its high-water mark,
//!   messages handled, last error), updated over server-sent events without a reload;
//! - `/actor?path=/a/b`: one actor: its counters, its recent restarts with their reasons,
//!   its children;
//! - `/undelivered`: the mail the system's mailboxes refused (the local dead letters);
//! - `/queues` and `/queue?path=/jobs` (feature `redis`, with a station attached): each
//!   Redis queue's backlog, pending entries per consumer, delayed jobs and dead letters with
//!   their reasons, and buttons to replay or purge a dead letter;
//! - `/metrics`: the OpenMetrics text format, for Prometheus ([`Metrics`]);
//! - `/tree.json`, `/tree.txt`: the tree as JSON and as text, for scripts.
//!
//! Everything is in the binary (no CDN): the pages are written on the server, with one small
//! script and one style sheet. Every text from the system is escaped (an actor named
//! `<script>` shows as text), and the pages forbid inline scripts
//! (`Content-Security-Policy`).
//!
//! # Security
//!
//! The dashboard binds to `127.0.0.1` unless told otherwise, and refuses to serve any other
//! address without credentials: [`Dashboard::basic_auth`] (a browser asks for them) or
//! [`Dashboard::token`] (`Authorization: Bearer ...`, for Prometheus and scripts). With
//! credentials set, every request must carry them. The actions that change things (replay or
//! purge a dead letter) are POSTs, allowed only when the dashboard has credentials, and only
//! from its own forms (a CSRF token, and the browser's `Origin` and `Sec-Fetch-Site`
//! headers).
//!
//! # Examples
//!
//! ```
//! use aplay_core::System;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let system = System::new();
//! // On 127.0.0.1, a free port; serves until the system has shut down.
//! let dashboard = aplay_dashboard::serve(&system, ([127, 0, 0, 1], 0)).await?;
//! println!("open {}", dashboard.url());
//! assert!(dashboard.url().starts_with("http://127.0.0.1:"));
//! system.shutdown().await;
//! dashboard.stopped().await;
//! # Ok(()) }
//! ```

mod auth;
mod html;
mod live;
mod metrics;
mod pages;
#[cfg(feature = "redis")]
mod queues;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aplay_core::System;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;

pub use metrics::Metrics;

/// Serves a dashboard of `system` on `addr` (see [`Dashboard`] for the options): binds,
/// spawns the server, and returns once it listens.
///
/// # Errors
///
/// When the address cannot be bound, or is not a loopback address (the dashboard has no
/// credentials: use [`Dashboard`] to give some).
///
/// See the example on the [crate].
pub async fn serve(system: &System, addr: impl Into<SocketAddr>) -> io::Result<Running> {
    Dashboard::new(system).bind(addr).serve().await
}

/// A dashboard being set up: where it listens, who may see it, what it shows.
///
/// ```
/// use std::time::Duration;
/// use aplay_core::System;
/// use aplay_dashboard::{Dashboard, Metrics};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let metrics = Metrics::new();
/// let system = System::builder().metrics(metrics.clone()).build();
/// let dashboard = Dashboard::new(&system)
///     .bind(([0, 0, 0, 0], 0))               // every interface: credentials needed
///     .basic_auth("ops", "a long secret")    // for a person with a browser
///     .token("another long secret")          // for Prometheus and scripts
///     .refresh(Duration::from_millis(500))   // how often the tree page updates
///     .metrics(metrics)
///     .serve()
///     .await?;
/// # let _ = dashboard;
/// # system.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a dashboard does nothing until served"]
pub struct Dashboard {
    system: System,
    addr: SocketAddr,
    credentials: auth::Credentials,
    refresh: Duration,
    metrics: Option<Metrics>,
    #[cfg(feature = "redis")]
    station: Option<aplay_core::redis::RedisStation>,
}

/// The state every handler shares.
pub(crate) struct Shared {
    pub(crate) system: System,
    pub(crate) credentials: auth::Credentials,
    /// The token of the forms that change things.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) csrf: String,
    pub(crate) refresh: Duration,
    pub(crate) metrics: Metrics,
    #[cfg(feature = "redis")]
    pub(crate) station: Option<aplay_core::redis::RedisStation>,
    /// Turns true when the server stops: the live streams end with it.
    pub(crate) stopping: tokio::sync::watch::Sender<bool>,
}

impl Shared {
    /// Whether the queue pages are there.
    pub(crate) fn has_queues(&self) -> bool {
        #[cfg(feature = "redis")]
        return self.station.is_some();
        #[cfg(not(feature = "redis"))]
        false
    }
}

impl Dashboard {
    /// A dashboard of `system`, on `127.0.0.1:9188`, without credentials, refreshed every
    /// second.
    ///
    /// See the example on [`Dashboard`].
    pub fn new(system: &System) -> Dashboard {
        Dashboard {
            system: system.clone(),
            addr: SocketAddr::from(([127, 0, 0, 1], 9188)),
            credentials: auth::Credentials::default(),
            refresh: Duration::from_secs(1),
            metrics: None,
            #[cfg(feature = "redis")]
            station: None,
        }
    }

    /// Where to listen (port 0: any free port). An address other than a loopback one needs
    /// credentials ([`basic_auth`](Self::basic_auth) or [`token`](Self::token)).
    ///
    /// See the example on [`Dashboard`].
    pub fn bind(mut self, addr: impl Into<SocketAddr>) -> Dashboard {
        self.addr = addr.into();
        self
    }

    /// Asks every request for HTTP basic credentials (a browser prompts for them). Also
    /// allows the actions (replay, purge).
    ///
    /// See the example on [`Dashboard`].
    pub fn basic_auth(mut self, user: &str, password: &str) -> Dashboard {
        self.credentials.basic(user, password);
        self
    }

    /// Asks every request for `Authorization: Bearer {token}` (either this or the basic
    /// credentials, when both are set). Also allows the actions.
    ///
    /// See the example on [`Dashboard`].
    pub fn token(mut self, token: &str) -> Dashboard {
        self.credentials.bearer(token);
        self
    }

    /// How often the live pages get a new snapshot of the tree (at least 50 ms).
    ///
    /// See the example on [`Dashboard`].
    pub fn refresh(mut self, every: Duration) -> Dashboard {
        self.refresh = every.max(Duration::from_millis(50));
        self
    }

    /// The metrics `/metrics` renders: the same [`Metrics`] given to the system's builder,
    /// for handler times, or one labelled by path. A new [`Metrics::new`] otherwise.
    ///
    /// See the example on [`Metrics`].
    pub fn metrics(mut self, metrics: Metrics) -> Dashboard {
        self.metrics = Some(metrics);
        self
    }

    /// Shows the Redis queues of `station`'s namespace, with their dead letters and the
    /// actions on them; their sizes go to `/metrics` too.
    ///
    /// ```no_run
    /// use aplay_core::System;
    /// use aplay_core::redis::RedisStation;
    /// use aplay_dashboard::Dashboard;
    ///
    /// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = System::new();
    /// let station = RedisStation::connect("redis://127.0.0.1:6379").await?;
    /// let dashboard = Dashboard::new(&system)
    ///     .station(station)
    ///     .basic_auth("ops", "a long secret") // replay and purge need credentials
    ///     .serve()
    ///     .await?;
    /// println!("{}/queues", dashboard.url());
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "redis")]
    pub fn station(mut self, station: aplay_core::redis::RedisStation) -> Dashboard {
        self.station = Some(station);
        self
    }

    fn shared(self) -> Arc<Shared> {
        Arc::new(Shared {
            system: self.system,
            credentials: self.credentials,
            csrf: auth::random_token(),
            refresh: self.refresh,
            metrics: self.metrics.unwrap_or_default(),
            #[cfg(feature = "redis")]
            station: self.station,
            stopping: tokio::sync::watch::Sender::new(false),
        })
    }

    /// The dashboard as an axum [`Router`], to serve yourself (behind a proxy, beside your
    /// own routes). The address set by [`bind`](Self::bind) is not used; credentials are.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = aplay_core::System::new();
    /// let app = axum::Router::new()
    ///     .nest("/ops", aplay_dashboard::Dashboard::new(&system).router());
    /// # let _ = app;
    /// # }
    /// ```
    ///
    /// (The pages link to absolute paths: nested under a prefix, give the prefix to the
    /// proxy in front rather than to the router.)
    pub fn router(self) -> Router {
        router(self.shared())
    }

    /// Binds and serves, until `system` has shut down (or [`Running::stop`]).
    ///
    /// # Errors
    ///
    /// When the address cannot be bound, or is not a loopback address and no credentials are
    /// set.
    ///
    /// See the example on [`Dashboard`].
    pub async fn serve(self) -> io::Result<Running> {
        if !self.addr.ip().is_loopback() && !self.credentials.any() {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "the dashboard would listen on {}, which is not a loopback address, \
                     without credentials: set basic_auth(..) or token(..)",
                    self.addr
                ),
            ));
        }
        let listener = TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let shared = self.shared();
        let app = router(Arc::clone(&shared));
        let (stop, stop_asked) = tokio::sync::oneshot::channel::<()>();
        let root = shared.system.root().clone();
        let task = tokio::spawn(async move {
            let until = async move {
                // A dropped `Running` is not a stop: it serves on, until the system stops.
                let asked = async {
                    if stop_asked.await.is_err() {
                        std::future::pending::<()>().await;
                    }
                };
                tokio::select! {
                    _ = root.wait_stopped() => {}
                    _ = asked => {}
                }
                shared.stopping.send_replace(true);
            };
            if let Err(error) = axum::serve(listener, app)
                .with_graceful_shutdown(until)
                .await
            {
                tracing::warn!(%error, "the dashboard's server failed");
            }
        });
        Ok(Running {
            addr,
            stop: Some(stop),
            task,
        })
    }
}

/// A dashboard being served: where, and how to stop it. Dropping it does not stop it: it
/// serves until its system has shut down.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// The address it listens on (with the port chosen, for port 0).
    ///
    /// See the example on [`Metrics`].
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://{local_addr}`.
    ///
    /// See the example on the [crate].
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving: no new connections; the open ones end (the live pages' streams too).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let system = aplay_core::System::new();
    /// let dashboard = aplay_dashboard::serve(&system, ([127, 0, 0, 1], 0)).await?;
    /// let addr = dashboard.local_addr();
    /// dashboard.stop().await;
    /// assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    /// # Ok(()) }
    /// ```
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Waits until it has stopped serving (its system shut down, or [`stop`](Self::stop)).
    ///
    /// See the example on the [crate].
    pub async fn stopped(mut self) {
        let _ = (&mut self.task).await;
    }
}

fn router(shared: Arc<Shared>) -> Router {
    let app = Router::new()
        .route("/", get(pages::tree))
        .route("/actor", get(pages::actor))
        .route("/undelivered", get(pages::undelivered))
        .route("/events", get(live::events))
        .route("/tree.json", get(pages::tree_json))
        .route("/tree.txt", get(pages::tree_text))
        .route("/metrics", get(live::metrics))
        .route("/assets/app.js", get(script))
        .route("/assets/app.css", get(style));
    #[cfg(feature = "redis")]
    let app = queues::routes(app);
    app.layer(axum::middleware::from_fn_with_state(
        Arc::clone(&shared),
        auth::guard,
    ))
    .with_state(shared)
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../assets/app.js"),
    )
}

async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../assets/app.css"),
    )
}
