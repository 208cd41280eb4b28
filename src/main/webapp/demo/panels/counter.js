// Panel: the CounterAgent demo (dev.steadfast.examples.CounterAgent). Shows its synced state
// live and calls its increment method; every tab in the same room sees the same count.
import { el, statusBadge } from "../dom.js";
import { AgentConnection } from "../connection.js";

/** Builds the panel into `parent` and connects it to the CounterAgent named `room`. */
export function mountCounterPanel(parent, { room }) {
  const connection = new AgentConnection({ agent: "CounterAgent", name: room });
  const count = el("output", { class: "count", "data-role": "count", "aria-live": "polite" }, "–");
  const lastCall = el("p", { class: "muted", "data-role": "last-call" }, "");
  const error = el("p", { class: "error", "data-role": "error", role: "alert", hidden: true });
  const state = el("pre", { class: "state", "data-role": "state" }, "");

  const increment = async (n) => {
    error.hidden = true;
    const started = performance.now();
    try {
      const result = await connection.call("increment", [n]);
      const ms = Math.round(performance.now() - started);
      lastCall.textContent = `increment(${n}) returned ${result} in ${ms} ms`;
    } catch (e) {
      error.textContent = `increment(${n}) failed: ${e.message}`;
      error.hidden = false;
    }
  };
  const buttons = [
    el("button", { class: "primary", "data-role": "increment", onclick: () => increment(1) }, "+1"),
    el("button", { class: "secondary", "data-role": "increment-5", onclick: () => increment(5) }, "+5"),
  ];

  connection.addEventListener("state", (e) => {
    count.textContent = String(e.detail?.count ?? 0);
    state.textContent = JSON.stringify(e.detail, null, 2);
  });
  connection.addEventListener("status", () => {
    for (const b of buttons) b.disabled = connection.status !== "live";
  });
  for (const b of buttons) b.disabled = true;

  parent.append(el("section", { class: "panel", id: "counter-panel", "aria-labelledby": "counter-title" },
    el("div", { class: "panel-head" },
      el("h2", { id: "counter-title" }, "Counter"), statusBadge(connection)),
    el("p", { class: "muted" }, "Agent ", el("code", {}, "counter-agent"), ", instance ",
      el("code", { "data-role": "instance" }, room)),
    el("div", { class: "counter" }, count, el("div", { class: "actions" }, buttons)),
    lastCall, error,
    el("details", {}, el("summary", {}, "Synced state"), state)));
  connection.connect();
  return connection;
}
