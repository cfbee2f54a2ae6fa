// aplay dashboard: keeps the tree page up to date from /events (server-sent events).
// Every text from the system is set with textContent, never as markup.
"use strict";

(function () {
  const table = document.getElementById("tree");
  if (!table) return;
  const body = table.tBodies[0];
  const live = document.getElementById("live");
  const count = document.getElementById("actor-count");
  const undelivered = document.getElementById("undelivered-total");

  function shortType(full) {
    const head = full.split("<")[0];
    const i = head.lastIndexOf("::");
    return i < 0 ? full : full.slice(i + 2);
  }

  function cell(row, className, text) {
    const td = document.createElement("td");
    td.className = className;
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function mailbox(m) {
    if (m.len === null) return "-";
    return m.capacity === null ? String(m.len) : m.len + "/" + m.capacity;
  }

  function row(actor) {
    const tr = document.createElement("tr");
    tr.dataset.path = actor.path;
    const depth = actor.path === "/" ? 0 : actor.path.split("/").length - 1;
    const name = cell(tr, "name d" + Math.min(depth, 10), "");
    const link = document.createElement("a");
    link.href = "/actor?path=" + encodeURIComponent(actor.path);
    link.textContent = actor.name === "" ? "/" : actor.name;
    name.appendChild(link);
    cell(tr, "type", shortType(actor.type)).title = actor.type;
    cell(tr, "state " + actor.state, actor.state);
    cell(tr, "num restarts", String(actor.restarts));
    cell(tr, "num mailbox", mailbox(actor.mailbox));
    cell(tr, "num peak", actor.mailbox.high_water === null ? "-" : String(actor.mailbox.high_water));
    cell(tr, "num handled", String(actor.messages_handled));
    const error = cell(tr, "error", actor.last_error ? actor.last_error.text : "");
    if (actor.last_error) error.title = new Date(actor.last_error.at_ms).toLocaleString();
    return tr;
  }

  function show(snapshot) {
    const actors = snapshot.tree.actors;
    const rows = document.createDocumentFragment();
    for (const actor of actors) rows.appendChild(row(actor));
    body.replaceChildren(rows);
    count.textContent = String(actors.length);
    undelivered.textContent = String(snapshot.undelivered_total);
    live.textContent = "live · " + new Date().toLocaleTimeString();
    live.className = "live on";
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
  }

  const events = new EventSource("/events");
  events.addEventListener("tree", (event) => show(JSON.parse(event.data)));
  events.onerror = () => {
    live.textContent = "disconnected; retrying…";
    live.className = "live off";
  };
})();
