// One task of the TaskAgent's state as a list item: what was started, its status, a progress
// bar, its messages, its result or error, and for an approval that waits, approve and reject.
import { el } from "../dom.js";

/** The workflow names TaskAgent starts, as a person reads them. */
export const KINDS = {
  "agent-processing": "Processing",
  "expense-approval": "Approval",
  "data-processing": "Data processing",
  etl: "ETL",
  research: "Research",
};

const STATUS = {
  queued: "queued",
  running: "running",
  waiting: "waiting for approval",
  complete: "complete",
  rejected: "rejected",
  errored: "failed",
};

/**
 * Fills `row` (an <li>) from `task`. The parts are built once and then updated, so the reason a
 * person is typing and the focus stay while progress arrives. `decide(id, approve, reason)`
 * calls the agent.
 */
export function renderTask(row, task, decide, live) {
  let parts = row.parts;
  if (!parts) {
    parts = row.parts = buildParts(row, task.id, decide);
  }
  row.dataset.status = task.status;
  parts.kind.textContent = KINDS[task.kind] ?? task.kind ?? "task";
  parts.title.textContent = task.title ?? "";
  parts.status.textContent = STATUS[task.status] ?? task.status;
  parts.status.dataset.status = task.status;

  const percent = task.percent == null ? null : Math.round(Math.min(1, Math.max(0, task.percent)) * 100);
  parts.fill.style.width = `${percent ?? 0}%`;
  parts.bar.setAttribute("aria-valuenow", String(percent ?? 0));
  parts.percent.textContent = percent == null ? "–" : `${percent} %`;

  const failed = task.status === "errored" || task.status === "rejected";
  parts.message.textContent = failed ? "" : task.message ?? "";
  parts.message.hidden = failed || !task.message;
  parts.log.replaceChildren(...(task.messages ?? []).map((m) => el("li", {}, m)));
  parts.history.hidden = !(task.messages ?? []).length;
  parts.historyCount.textContent = `History (${(task.messages ?? []).length})`;

  parts.result.hidden = task.result == null;
  parts.result.replaceChildren(el("span", { class: "label" }, "Result "),
    el("code", {}, typeof task.result === "string" ? task.result : JSON.stringify(task.result)));
  parts.error.hidden = !failed;
  parts.error.textContent = failed ? task.message ?? task.status : "";

  const waiting = task.status === "waiting" && task.kind === "expense-approval";
  parts.decide.hidden = !waiting;
  for (const b of parts.decide.querySelectorAll("button")) b.disabled = !live;
}

function buildParts(row, id, decide) {
  const p = {
    kind: el("span", { class: "task-kind", "data-role": "task-kind" }),
    title: el("span", { class: "task-title", "data-role": "task-title" }),
    status: el("span", { class: "chip", "data-role": "task-status" }),
    fill: el("div", { class: "bar-fill" }),
    percent: el("span", { class: "task-percent", "data-role": "task-percent" }),
    message: el("p", { class: "task-message", "data-role": "task-message" }),
    log: el("ol", { class: "log", "data-role": "task-messages" }),
    historyCount: el("summary", {}),
    result: el("p", { class: "task-result", "data-role": "task-result" }),
    error: el("p", { class: "error task-error", "data-role": "task-error" }),
  };
  p.bar = el("div", { class: "bar", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100,
    "aria-label": "progress" }, p.fill);
  p.history = el("details", { class: "history" }, p.historyCount, p.log);
  const reason = el("input", { type: "text", placeholder: "Reason (optional)", "aria-label": "Reason",
    "data-role": "reason", autocomplete: "off" });
  const act = (approve) => async (e) => {
    const button = e.currentTarget;
    button.disabled = true;
    if (!(await decide(id, approve, reason.value.trim()))) button.disabled = false;
  };
  p.decide = el("div", { class: "decide", hidden: true }, reason,
    el("button", { type: "button", class: "primary", "data-role": "approve", onclick: act(true) }, "Approve"),
    el("button", { type: "button", class: "danger", "data-role": "reject", onclick: act(false) }, "Reject"));
  row.append(
    el("div", { class: "task-head" },
      el("div", { class: "task-what" }, p.kind, p.title), p.status),
    el("div", { class: "task-progress" }, p.bar, p.percent),
    p.message, p.result, p.error, p.decide,
    el("div", { class: "task-foot" }, p.history, el("code", { class: "task-id", title: "workflow instance id" }, id)));
  return p;
}
