// The demo page: one module per panel (panels/*.js), each with its own agent connection.
import { mountTokenForm } from "./token.js";
import { mountCounterPanel } from "./panels/counter.js";
import { mountTasksPanel } from "./panels/tasks.js";
import { el } from "./dom.js";

const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
const asked = new URLSearchParams(location.search).get("room");
const room = asked ?? "lobby";
document.getElementById("room").value = room;

const panels = document.getElementById("panels");
if (!ROOM.test(room)) {
  panels.append(el("p", { class: "error", role: "alert" },
    `"${room}" is not a room name: use 1 to 64 letters, digits, - or _.`));
} else {
  const connections = [mountTasksPanel(panels, { room }), mountCounterPanel(panels, { room })];
  mountTokenForm(document.getElementById("token-slot"), connections);
}
