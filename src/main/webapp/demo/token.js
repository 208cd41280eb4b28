// The sign-in form shown when the server admits demo agents only with a token
// (steadfast.agents.demo-token): the token is kept for this tab only (sessionStorage), never put
// in the page's URL.
import { el } from "./dom.js";
import { useDemoToken } from "./connection.js";

/** Shows the form in `slot` while any of `connections` is refused; hides it once they connect. */
export function mountTokenForm(slot, connections) {
  const input = el("input", { id: "demo-token", type: "password", required: true,
    autocomplete: "current-password", "data-role": "token" });
  const form = el("form", { class: "panel token", hidden: true,
    onsubmit: (e) => {
      e.preventDefault();
      useDemoToken(input.value.trim());
    } },
  el("h2", {}, "This server needs the demo token"),
  el("p", {}, "It was started with ", el("code", {}, "steadfast.agents.demo-token"),
    ". Enter that token to connect."),
  el("div", { class: "row" },
    el("label", { for: "demo-token" }, "Token"), input,
    el("button", { type: "submit", class: "primary" }, "Connect")));
  const update = () => {
    form.hidden = !connections.some((c) => c.status === "refused");
  };
  for (const c of connections) c.addEventListener("status", update);
  update();
  slot.append(form);
}
