// A small element builder, so each panel module builds its own markup without a framework.

/**
 * el("button", { class: "primary", onclick: f }, "Add") → <button class="primary">Add</button>.
 * Attributes starting with "on" become listeners; children are nodes or text (never HTML).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined));
  return node;
}

const STATUS_TEXT = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  refused: "needs the demo token",
  closed: "disconnected",
};

/** A badge that follows an AgentConnection's status. */
export function statusBadge(connection) {
  const badge = el("span", { class: "badge", "data-role": "status", role: "status" });
  const show = () => {
    badge.dataset.status = connection.status;
    badge.textContent = STATUS_TEXT[connection.status] ?? connection.status;
  };
  connection.addEventListener("status", show);
  show();
  return badge;
}
