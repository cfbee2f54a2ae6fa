//! The Redis queues of an attached station: the list, one queue with its consumers and dead
//! letters, and the actions on dead letters (replay, purge).

use std::sync::Arc;

use aplay_core::redis::QueueInfo;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html as HtmlBody, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::Shared;
use crate::auth::refuse_action;
use crate::html::{Html, esc, query_value, time};

/// How many queues a page and `/metrics` read, at most (each is a few Redis commands).
const MAX_QUEUES: usize = 200;

/// How many dead letters a queue's page shows.
const DEAD_SHOWN: usize = 100;

pub(crate) fn routes(app: Router<Arc<Shared>>) -> Router<Arc<Shared>> {
    app.route("/queues", get(list))
        .route("/queue", get(queue))
        .route("/queue/replay", post(replay))
        .route("/queue/purge", post(purge))
}

/// Every served queue's sizes, for the list and `/metrics`; none without a station, or when
/// Redis does not answer (logged).
pub(crate) async fn sizes(shared: &Shared) -> Vec<(String, QueueInfo)> {
    let Some(station) = &shared.station else {
        return Vec::new();
    };
    let paths = match station.served_paths().await {
        Ok(paths) => paths,
        Err(error) => {
            tracing::warn!(%error, "the dashboard could not list the queues");
            return Vec::new();
        }
    };
    let mut sizes = Vec::new();
    for path in paths.into_iter().take(MAX_QUEUES) {
        match station.queue_info(&path).await {
            Ok(info) => sizes.push((path, info)),
            Err(error) => tracing::warn!(%error, %path, "the dashboard could not read a queue"),
        }
    }
    sizes
}

fn queue_link(path: &str) -> String {
    format!("/queue?path={}", query_value(path))
}

/// `/queues`.
async fn list(State(shared): State<Arc<Shared>>) -> Response {
    if shared.station.is_none() {
        return (StatusCode::NOT_FOUND, "no Redis station attached\n").into_response();
    }
    let mut page = Html::page("Queues", "/queues", true);
    page.raw("<h1>Redis queues</h1>");
    let queues = sizes(&shared).await;
    if queues.is_empty() {
        page.raw(
            "<p class=\"empty\">No queue served in this namespace (or Redis did not answer).</p>",
        );
    } else {
        page.raw("<div class=\"scroll\"><table id=\"queues\"><thead><tr><th>Queue</th><th class=\"num\">Backlog</th><th class=\"num\">Pending</th><th class=\"num\">Delayed</th><th class=\"num\">Dead</th><th>Consumers</th><th>Settings</th></tr></thead><tbody>");
        for (path, info) in &queues {
            let _ = page.raw(&format!(
                "<tr data-queue=\"{p}\"><td><a href=\"{link}\">{p}</a></td><td class=\"num backlog\">{}</td>\
                 <td class=\"num pending\">{}</td><td class=\"num delayed\">{}</td><td class=\"num dead\">{}</td>\
                 <td>{}</td><td>{}</td></tr>",
                info.backlog.unread,
                info.backlog.pending,
                info.delayed,
                info.dead,
                info.consumers.len(),
                if info.settings.paused { "paused" } else { "" },
                p = esc(path),
                link = esc(&queue_link(path)),
            ));
        }
        page.raw("</tbody></table></div>");
    }
    HtmlBody(page.finish()).into_response()
}

#[derive(Deserialize)]
struct QueueQuery {
    #[serde(default)]
    path: String,
    #[serde(default)]
    done: String,
}

/// `/queue?path=..`: one queue.
async fn queue(State(shared): State<Arc<Shared>>, Query(query): Query<QueueQuery>) -> Response {
    let Some(station) = &shared.station else {
        return (StatusCode::NOT_FOUND, "no Redis station attached\n").into_response();
    };
    let path = query.path.as_str();
    let (info, dead) = match (
        station.queue_info(path).await,
        station.dead_letters(path, DEAD_SHOWN).await,
    ) {
        (Ok(info), Ok(dead)) => (info, dead),
        (Err(error), _) | (_, Err(error)) => {
            let mut page = Html::page("Queue", "/queues", true);
            page.raw("<h1>Redis did not answer</h1><p class=\"error\">")
                .text(&error.to_string())
                .raw("</p>");
            return (StatusCode::BAD_GATEWAY, HtmlBody(page.finish())).into_response();
        }
    };
    let mut page = Html::page(path, "/queues", true);
    page.raw("<h1 class=\"path\">Queue ")
        .text(path)
        .raw("</h1>");
    if !query.done.is_empty() {
        page.raw("<p class=\"notice\" id=\"notice\">")
            .text(&query.done)
            .raw("</p>");
    }
    let _ = page.raw(&format!(
        "<dl class=\"facts\"><dt>Backlog (unread)</dt><dd id=\"backlog\">{}</dd>\
         <dt>Pending (read, not acknowledged)</dt><dd id=\"pending\">{}</dd>\
         <dt>Delayed</dt><dd id=\"delayed\">{}</dd><dt>Dead letters</dt><dd id=\"dead\">{}</dd>\
         <dt>Paused</dt><dd>{}</dd></dl>",
        info.backlog.unread,
        info.backlog.pending,
        info.delayed,
        info.dead,
        if info.settings.paused { "yes" } else { "no" },
    ));
    page.raw("<h2>Pending per consumer</h2>");
    if info.consumers.is_empty() {
        page.raw("<p class=\"empty\">No entry in hand.</p>");
    } else {
        page.raw("<table id=\"consumers\"><thead><tr><th>Consumer</th><th class=\"num\">Pending</th></tr></thead><tbody>");
        for (name, held) in &info.consumers {
            let _ = page.raw(&format!(
                "<tr><td>{}</td><td class=\"num\">{held}</td></tr>",
                esc(name)
            ));
        }
        page.raw("</tbody></table>");
    }
    let actions = shared.credentials.any();
    let _ = page.raw(&format!(
        "<h2>Dead letters</h2><p class=\"summary\">The oldest {} of {}.{}</p>",
        dead.len(),
        info.dead,
        if actions {
            ""
        } else {
            " Replay and purge need the dashboard to have credentials."
        }
    ));
    if dead.is_empty() {
        page.raw("<p class=\"empty\">None.</p>");
    } else {
        page.raw("<div class=\"scroll\"><table id=\"dead-letters\"><thead><tr><th>Id</th><th>Why</th><th class=\"num\">Deliveries</th><th>Last consumer</th><th></th></tr></thead><tbody>");
        for letter in &dead {
            let _ = page.raw(&format!(
                "<tr data-id=\"{id}\"><td class=\"id\">{id}</td><td class=\"error\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"actions\">",
                esc(letter.error()),
                letter.deliveries(),
                esc(letter.consumer()),
                id = esc(letter.id()),
            ));
            if actions {
                for (action, label) in [("replay", "Replay"), ("purge", "Purge")] {
                    let _ = page.raw(&format!(
                        "<form method=\"post\" action=\"/queue/{action}\">\
                         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                         <input type=\"hidden\" name=\"path\" value=\"{p}\">\
                         <input type=\"hidden\" name=\"id\" value=\"{id}\">\
                         <button type=\"submit\" class=\"{action}\">{label}</button></form>",
                        csrf = esc(&shared.csrf),
                        p = esc(path),
                        id = esc(letter.id()),
                    ));
                }
            }
            page.raw("</td></tr>");
        }
        page.raw("</tbody></table></div>");
    }
    let _ = page.raw(&format!(
        "<p class=\"generated\">Read at {}.</p>",
        time(std::time::SystemTime::now())
    ));
    HtmlBody(page.finish()).into_response()
}

#[derive(Deserialize)]
struct Action {
    #[serde(default)]
    csrf: String,
    path: String,
    id: String,
}

/// `POST /queue/replay`: the dead letter back into its queue.
async fn replay(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(action): Form<Action>,
) -> Response {
    act(&shared, &headers, action, true).await
}

/// `POST /queue/purge`: the dead letter deleted.
async fn purge(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(action): Form<Action>,
) -> Response {
    act(&shared, &headers, action, false).await
}

async fn act(shared: &Shared, headers: &HeaderMap, action: Action, replay: bool) -> Response {
    if let Some(refused) = refuse_action(shared, headers, &action.csrf) {
        return refused;
    }
    let Some(station) = &shared.station else {
        return (StatusCode::NOT_FOUND, "no Redis station attached\n").into_response();
    };
    // On a task of its own: a replay is not cancel safe, and a client that goes away drops
    // its request's future.
    let (station, path, id) = (station.clone(), action.path.clone(), action.id.clone());
    let done = tokio::spawn(async move {
        if replay {
            station.replay_dead_letter(&path, &id).await.map(|found| {
                if found {
                    "replayed"
                } else {
                    "no such dead letter"
                }
            })
        } else {
            station.purge_dead_letters(&path, Some(&id)).await.map(|n| {
                if n > 0 {
                    "purged"
                } else {
                    "no such dead letter"
                }
            })
        }
    })
    .await;
    let Ok(done) = done else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the action failed\n").into_response();
    };
    match done {
        Ok(done) => {
            let notice = format!("{} {done}", action.id);
            tracing::info!(queue = %action.path, id = %action.id, done, "a dead letter, from the dashboard");
            Redirect::to(&format!(
                "{}&done={}",
                queue_link(&action.path),
                query_value(&notice)
            ))
            .into_response()
        }
        Err(error) => (StatusCode::BAD_GATEWAY, format!("Redis: {error}\n")).into_response(),
    }
}
