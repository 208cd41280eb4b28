// Panel: the seeds' workflows, started from the page through the TaskAgent
// (dev.steadfast.examples.TaskAgent). The agent keeps every task in its state; this panel shows
// that state live (every tab in the room sees the same tasks) and calls the agent's @Callable
// methods: the five start methods, approve and reject.
import { el, statusBadge } from "../dom.js";
import { AgentConnection } from "../connection.js";
import { renderTask } from "./task-view.js";

const list = (text) => text.split(",").map((s) => s.trim()).filter((s) => s);

/** The flows a person can start: the fields they fill in and the agent method they call. */
const FLOWS = [
  { id: "processing", method: "startProcessing",
    help: "Seed 000: process the data in a step, report progress, save the result on the agent, broadcast.",
    fields: [{ name: "data", label: "Data", value: "hello, steadfast" }],
    args: (v) => [v.data] },
  { id: "approval", method: "startApproval",
    help: "Waits for a person to approve or reject; nobody deciding in time escalates.",
    fields: [
      { name: "title", label: "Expense", value: "laptop" },
      { name: "amount", label: "Amount", value: "1200", type: "number", min: 0 },
      { name: "timeout", label: "Time-out (s)", value: "600", type: "number", min: 1 }],
    args: (v) => [v.title, Number(v.amount), Number(v.timeout)] },
  { id: "data", method: "startDataProcessing",
    help: "One durable step per item (0.2 s each), progress after each.",
    fields: [{ name: "items", label: "Items (comma-separated)", value: "alpha, beta, gamma, delta, epsilon" }],
    args: (v) => [list(v.items)], check: (v) => list(v.items).length > 0 || "Give at least one item." },
  { id: "etl", method: "startEtl",
    help: "Extract, transform and load each table, with a progress type of its own.",
    fields: [{ name: "tables", label: "Tables (comma-separated)", value: "users, orders, invoices" }],
    args: (v) => [list(v.tables)], check: (v) => list(v.tables).length > 0 || "Give at least one table." },
  { id: "research", method: "startResearch",
    help: "A durable agent loop: each model turn and tool call is a step (local stand-ins, no external service).",
    fields: [{ name: "question", label: "Question", value: "How do workflows and agents work together?" }],
    args: (v) => [v.question] },
];
const FLOW_LABEL = { processing: "Processing", approval: "Expense approval", data: "Data processing",
  etl: "ETL", research: "Research" };

/**
 * Builds the Tasks panel and the TaskAgent's state panel into `parent`, connected to the
 * TaskAgent named `room`. For the latency benchmark, each progress stamped by its workflow
 * ("progressAt") that arrives while live is recorded in window.steadfastDemo.progressTimes.
 */
export function mountTasksPanel(parent, { room }) {
  const connection = new AgentConnection({ agent: "TaskAgent", name: room });
  const timing = (window.steadfastDemo ??= { progressTimes: [] });
  const error = el("p", { class: "error", "data-role": "tasks-error", role: "alert", hidden: true });
  const showError = (text) => {
    error.textContent = text;
    error.hidden = !text;
  };
  const call = async (what, method, args) => {
    showError("");
    try {
      return await connection.call(method, args);
    } catch (e) {
      showError(`${what} failed: ${e.message}`);
      return undefined;
    }
  };

  // the start form: one <select> of flows, the chosen flow's fields, one Start button
  const select = el("select", { id: "flow", "data-role": "flow" },
    FLOWS.map((f) => el("option", { value: f.id }, FLOW_LABEL[f.id])));
  const help = el("p", { class: "muted flow-help", "data-role": "flow-help" });
  const fieldsets = new Map(FLOWS.map((f) => [f.id, el("div", { class: "fields", "data-flow": f.id },
    f.fields.map((x) => el("label", { class: "field" }, el("span", {}, x.label),
      el("input", { name: x.name, value: x.value, type: x.type ?? "text", min: x.min, required: true,
        step: x.type === "number" ? 1 : null, "data-role": `field-${x.name}`, autocomplete: "off" }))))]));
  const startButton = el("button", { type: "submit", class: "primary", "data-role": "start" }, "Start");
  const showFlow = () => {
    const flow = FLOWS.find((f) => f.id === select.value);
    for (const [id, fs] of fieldsets) {
      fs.hidden = id !== flow.id;
      for (const input of fs.querySelectorAll("input")) input.disabled = id !== flow.id;
    }
    help.textContent = flow.help;
  };
  select.addEventListener("change", showFlow);
  const form = el("form", { class: "start", "data-role": "start-form", onsubmit: async (e) => {
    e.preventDefault();
    const flow = FLOWS.find((f) => f.id === select.value);
    const values = Object.fromEntries(
      [...fieldsets.get(flow.id).querySelectorAll("input")].map((i) => [i.name, i.value.trim()]));
    const problem = flow.check?.(values);
    if (typeof problem === "string") {
      showError(problem);
      return;
    }
    startButton.disabled = true;
    try {
      await call(`Starting ${FLOW_LABEL[flow.id]}`, flow.method, flow.args(values));
    } finally {
      startButton.disabled = connection.status !== "live";
    }
  } },
  el("label", { class: "field" }, el("span", {}, "Workflow"), select),
  [...fieldsets.values()],
  el("div", { class: "start-action" }, startButton));
  showFlow();

  // not aria-live: progress changes several times a second; the status chips say what matters
  const tasks = el("ol", { class: "tasks", "data-role": "tasks" });
  const empty = el("p", { class: "muted", "data-role": "no-tasks" }, "No tasks yet: start one above.");
  const broadcast = el("p", { class: "muted", "data-role": "broadcast", hidden: true });
  const rows = new Map(); // task id → its <li>, updated in place so a typed reason survives
  const decide = async (id, approve, reason) => {
    await (approve ? call("Approve", "approve", [id, reason])
      : call("Reject", "reject", [id, reason || "rejected from the demo page"]));
    return error.hidden; // true: the agent took it
  };

  // the agent's state: a summary and the whole JSON
  const facts = el("dl", { class: "facts", "data-role": "agent-facts" });
  const json = el("pre", { class: "state", "data-role": "agent-state" }, "");
  const fact = (label, value, role) =>
    [el("dt", {}, label), el("dd", { "data-role": role }, value)];

  const seenProgress = new Map(); // task id → the progressAt last recorded
  connection.addEventListener("state", (e) => {
    const state = e.detail ?? {};
    const all = Object.values(state.tasks ?? {}).reverse(); // newest first
    for (const task of all) {
      let row = rows.get(task.id);
      if (!row) {
        row = el("li", { class: "task", "data-role": "task", "data-id": task.id });
        rows.set(task.id, row);
      }
      renderTask(row, task, decide, connection.status === "live");
    }
    tasks.replaceChildren(...all.map((t) => rows.get(t.id)));
    empty.hidden = all.length > 0;

    const count = (s) => all.filter((t) => t.status === s).length;
    facts.replaceChildren(
      ...fact("Tasks", `${all.length} (${count("running")} running, ${count("waiting")} waiting, `
        + `${count("complete")} complete)`, "fact-tasks"),
      ...fact("Saved by seed 000", String((state.saved ?? []).length), "fact-saved"),
      ...fact("Escalations", String(state.escalations ?? 0), "fact-escalations"),
      ...fact("Research answer", state.research ?? "none yet", "fact-research"));
    json.textContent = JSON.stringify(state, null, 2);

    // arrival times of stamped progress (not the state a (re)connect replays)
    const now = performance.timeOrigin + performance.now();
    for (const task of all) {
      if (task.progressAt == null || seenProgress.get(task.id) === task.progressAt) continue;
      seenProgress.set(task.id, task.progressAt);
      if (connection.status !== "live") continue;
      const sample = { id: task.id, at: task.progressAt, dom: now, frame: null };
      requestAnimationFrame(() => { sample.frame = performance.timeOrigin + performance.now(); });
      timing.progressTimes.push(sample);
      if (timing.progressTimes.length > 10000) timing.progressTimes.shift();
    }
  });
  connection.addEventListener("broadcast", (e) => {
    const m = e.detail;
    broadcast.textContent = `Broadcast from the agent: ${m.type}${m.taskId ? ` (task ${m.taskId})` : ""}`;
    broadcast.hidden = false;
  });
  connection.addEventListener("status", () => {
    startButton.disabled = connection.status !== "live";
    for (const b of tasks.querySelectorAll("button")) b.disabled = connection.status !== "live";
  });
  startButton.disabled = true;

  parent.append(
    el("section", { class: "panel wide", id: "tasks-panel", "aria-labelledby": "tasks-title" },
      el("div", { class: "panel-head" }, el("h2", { id: "tasks-title" }, "Workflows"),
        statusBadge(connection)),
      el("p", { class: "muted" }, "Agent ", el("code", {}, "task-agent"), ", instance ",
        el("code", {}, room), ". Each task is a durable workflow; its progress reaches every tab."),
      form, help, error, broadcast, empty, tasks),
    el("section", { class: "panel", id: "task-state-panel", "aria-labelledby": "task-state-title" },
      el("h2", { id: "task-state-title" }, "Task agent's state"),
      facts,
      el("details", {}, el("summary", {}, "Synced state"), json)));
  connection.connect();
  return connection;
}
