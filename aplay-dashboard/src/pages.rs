//! The pages of the actors: the tree, one actor, the undelivered mail; and the tree for
//! scripts.

use std::fmt::Write as _;
use std::sync::Arc;

use aplay_core::{ActorState, TreeNode};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html as HtmlBody, IntoResponse, Response};
use serde::Deserialize;

use crate::Shared;
use crate::html::{Html, duration, esc, query_value, time};

/// The last segment of a type's path, generics kept: `my_app::Worker` -> `Worker`.
pub(crate) fn short_type(full: &str) -> &str {
    let head = full.split('<').next().unwrap_or(full);
    match head.rfind("::") {
        Some(i) => &full[i + 2..],
        None => full,
    }
}

fn state_name(state: ActorState) -> &'static str {
    match state {
        ActorState::Starting => "starting",
        ActorState::Running => "running",
        ActorState::Stopping => "stopping",
        ActorState::Restarting => "restarting",
        ActorState::Stopped => "stopped",
        _ => "unknown",
    }
}

/// `len/capacity`, `len` for an unbounded mailbox (`-`: not counted).
fn mailbox(node: &TreeNode) -> String {
    match (node.mailbox_len(), node.mailbox_capacity()) {
        (Some(len), Some(capacity)) => format!("{len}/{capacity}"),
        (Some(len), None) => len.to_string(),
        _ => "-".to_owned(),
    }
}

fn actor_link(path: &str) -> String {
    format!("/actor?path={}", query_value(path))
}

/// `/`: the tree, as a table the page's script keeps up to date from `/events`.
pub(crate) async fn tree(State(shared): State<Arc<Shared>>) -> HtmlBody<String> {
    let tree = shared.system.tree();
    let mut page = Html::page("Tree", "/", shared.has_queues());
    let _ = page.raw(&format!(
        "<h1>Supervision tree</h1><p class=\"summary\"><span id=\"actor-count\">{}</span> actors · \
         <a href=\"/undelivered\"><span id=\"undelivered-total\">{}</span> undelivered</a> · \
         <span id=\"live\" class=\"live\">connecting…</span></p>",
        tree.subtree_size(),
        shared.system.undelivered_total()
    ));
    page.raw(
        "<div class=\"scroll\"><table id=\"tree\" class=\"tree\"><thead><tr>\
         <th>Actor</th><th class=\"type\">Type</th><th>State</th><th class=\"num\">Restarts</th>\
         <th class=\"num\">Mailbox</th><th class=\"num\">Peak</th><th class=\"num\">Handled</th>\
         <th>Last error</th></tr></thead><tbody>",
    );
    for node in tree.walk() {
        let path = node.path().as_str();
        let depth = path.matches('/').count() - usize::from(path == "/");
        let error = node.last_error().map(|e| e.text.as_str()).unwrap_or("");
        let _ = page.raw(&format!(
            "<tr data-path=\"{p}\"><td class=\"name d{d}\"><a href=\"{link}\">{name}</a></td>\
             <td class=\"type\" title=\"{full}\">{short}</td>\
             <td class=\"state {state}\">{state}</td><td class=\"num restarts\">{restarts}</td>\
             <td class=\"num mailbox\">{mailbox}</td><td class=\"num peak\">{peak}</td>\
             <td class=\"num handled\">{handled}</td><td class=\"error\">{error}</td></tr>",
            p = esc(path),
            d = depth.min(10),
            link = esc(&actor_link(path)),
            name = esc(if node.name().is_empty() {
                "/"
            } else {
                node.name()
            }),
            full = esc(node.actor_type()),
            short = esc(short_type(node.actor_type())),
            state = state_name(node.state()),
            restarts = node.restarts(),
            mailbox = esc(&mailbox(&node)),
            peak = node
                .mailbox_high_water()
                .map_or("-".to_owned(), |p| p.to_string()),
            handled = node.messages_handled(),
            error = esc(error),
        ));
    }
    page.raw("</tbody></table></div>");
    HtmlBody(page.finish())
}

#[derive(Deserialize)]
pub(crate) struct PathQuery {
    #[serde(default)]
    path: String,
}

/// `/actor?path=..`: one actor's counters, recent restarts and children.
pub(crate) async fn actor(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<PathQuery>,
) -> Response {
    let queues = shared.has_queues();
    let Some(actor) = shared.system.lookup_any(&query.path) else {
        let mut page = Html::page("No such actor", "", queues);
        page.raw("<h1>No such actor</h1><p>Nothing runs at <code>")
            .text(&query.path)
            .raw("</code> (it may have stopped). <a href=\"/\">The tree</a>.</p>");
        return (StatusCode::NOT_FOUND, HtmlBody(page.finish())).into_response();
    };
    let node = actor.tree();
    let path = actor.path().as_str();
    let mut page = Html::page(path, "", queues);
    page.raw("<h1 class=\"path\">").text(path).raw("</h1>");
    page.raw("<p class=\"summary\">")
        .text(node.actor_type())
        .raw("</p>");
    let mut facts = String::new();
    let mut fact = |name: &str, value: String| {
        let _ = write!(facts, "<dt>{name}</dt><dd>{}</dd>", esc(&value));
    };
    fact("State", state_name(node.state()).to_owned());
    fact(
        "Stopped by a person",
        if node.stopped_by_person() {
            "yes"
        } else {
            "no"
        }
        .to_owned(),
    );
    fact("Messages handled", node.messages_handled().to_string());
    fact("Mailbox", mailbox(&node));
    fact(
        "Mailbox peak",
        node.mailbox_high_water()
            .map_or("- (not metered)".into(), |p| p.to_string()),
    );
    if let Some(time) = node.handler_time() {
        let handled = u32::try_from(node.messages_handled().max(1)).unwrap_or(u32::MAX);
        fact(
            "Handler time",
            format!(
                "{} in all, {} the longest, {} on average",
                duration(time.total),
                duration(time.max),
                duration(time.total / handled)
            ),
        );
    }
    fact("Restarts", node.restarts().to_string());
    fact("Panics", node.panics().to_string());
    fact("Asks timed out", node.asks_timed_out().to_string());
    match node.last_error() {
        Some(error) => fact("Last error", format!("{} ({})", error.text, time(error.at))),
        None => fact("Last error", "none".into()),
    }
    page.raw("<dl class=\"facts\">").raw(&facts).raw("</dl>");

    page.raw("<h2>Recent restarts</h2>");
    let restarts = actor.recent_restarts();
    if restarts.is_empty() {
        page.raw("<p class=\"empty\">None.</p>");
    } else {
        page.raw("<div class=\"scroll\"><table id=\"restarts\"><thead><tr><th>When</th><th class=\"num\">#</th><th>Why the instance before ended</th></tr></thead><tbody>");
        for restart in restarts.iter().rev() {
            let _ = page.raw(&format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"error\">{}</td></tr>",
                time(restart.at),
                restart.restarts,
                esc(&restart.reason.to_string())
            ));
        }
        page.raw("</tbody></table></div>");
    }

    page.raw("<h2>Children</h2>");
    if node.children().len() == 0 {
        page.raw("<p class=\"empty\">None.</p>");
    } else {
        page.raw("<ul class=\"children\">");
        for child in node.children() {
            let _ = page.raw(&format!(
                "<li><a href=\"{}\">{}</a> <span class=\"state {state}\">{state}</span> {} handled</li>",
                esc(&actor_link(child.path().as_str())),
                esc(child.name()),
                child.messages_handled(),
                state = state_name(child.state()),
            ));
        }
        page.raw("</ul>");
    }
    if let Some(parent) = node.path().parent() {
        let _ = page.raw(&format!(
            "<p>Parent: <a href=\"{}\">{}</a></p>",
            esc(&actor_link(parent.as_str())),
            esc(parent.as_str())
        ));
    }
    HtmlBody(page.finish()).into_response()
}

/// `/undelivered`: the mail the mailboxes refused, newest first.
pub(crate) async fn undelivered(State(shared): State<Arc<Shared>>) -> HtmlBody<String> {
    let mut page = Html::page("Undelivered", "/undelivered", shared.has_queues());
    let recent = shared.system.recent_undelivered();
    let _ = page.raw(&format!(
        "<h1>Undelivered mail</h1><p class=\"summary\">{} refused since the system started; \
         the last {} below, newest first. Each went back to its sender inside the error.</p>",
        shared.system.undelivered_total(),
        recent.len()
    ));
    if recent.is_empty() {
        page.raw("<p class=\"empty\">None.</p>");
    } else {
        page.raw("<div class=\"scroll\"><table id=\"undelivered\"><thead><tr><th>When</th><th>To</th><th>Message</th><th class=\"type\">Type</th><th>Why</th></tr></thead><tbody>");
        for note in recent.iter().rev() {
            let _ = page.raw(&format!(
                "<tr><td>{}</td><td><a href=\"{}\">{}</a></td><td>{}</td><td class=\"type\" title=\"{}\">{}</td><td>{}</td></tr>",
                time(note.at),
                esc(&actor_link(note.to.as_str())),
                esc(note.to.as_str()),
                esc(note.message),
                esc(note.message_type),
                esc(short_type(note.message_type)),
                esc(note.why.as_str()),
            ));
        }
        page.raw("</tbody></table></div>");
    }
    HtmlBody(page.finish())
}

/// `/tree.json`: the tree as `TreeNode` serializes.
pub(crate) async fn tree_json(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let json = serde_json::to_string(&shared.system.tree()).unwrap_or_else(|_| "null".into());
    ([(header::CONTENT_TYPE, "application/json")], json)
}

/// `/tree.txt`: the tree's text rendering.
pub(crate) async fn tree_text(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        shared.system.tree().to_string(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_types_keep_generics() {
        assert_eq!(super::short_type("my_app::Worker"), "Worker");
        assert_eq!(super::short_type("a::Pool<b::Job>"), "Pool<b::Job>");
        assert_eq!(super::short_type("Kernel"), "Kernel");
    }
}
