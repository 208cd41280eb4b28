// A live connection to one agent instance, through the vendored `agents` client (the same
// client a Cloudflare app uses; see src/test/e2e/agents/build-bundle.sh). Panels subscribe to
// its state and status and call the agent's methods through it.
import { AgentClient } from "../vendor/agents-client-0.32.0.js";

const TOKEN_KEY = "steadfast.demo.token";
const connections = new Set();

/**
 * The path prefix of the agent routes: `agents` under the context root the WAR is deployed at
 * (this module sits at <context root>/demo/), or `?prefix=` when the server sets
 * steadfast.agents.prefix to something else.
 */
export function agentsPrefix() {
  const trim = (s) => s.replace(/^\/+|\/+$/g, "");
  const asked = new URLSearchParams(location.search).get("prefix");
  if (asked) return trim(asked);
  const contextRoot = trim(new URL("../", import.meta.url).pathname);
  return contextRoot ? `${contextRoot}/agents` : "agents";
}

/** The demo token this tab signed in with (steadfast.agents.demo-token), or null. */
export function demoToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Remembers `token` for this tab and reconnects every connection the server refused. */
export function useDemoToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  for (const c of connections) {
    if (c.status === "refused") c.connect();
  }
}

/**
 * Events: "state" (detail: the agent's state, on connect and on every change by anyone),
 * "status" (detail: connecting | live | reconnecting | refused | closed) and "broadcast" (detail:
 * a JSON message with a "type" the agent sent to all its clients, e.g. from broadcastToClients).
 */
export class AgentConnection extends EventTarget {
  #client = null;

  constructor({ agent, name }) {
    super();
    this.agent = agent;
    this.name = name;
    this.status = "connecting";
    this.state = undefined;
    connections.add(this);
  }

  /** Opens (or reopens, e.g. with a new token) the WebSocket; the client reconnects by itself. */
  connect() {
    this.#client?.close();
    const token = demoToken();
    const client = new AgentClient({
      agent: this.agent,
      name: this.name,
      host: location.host,
      // the client guesses ws/wss from the host name; the page's own scheme is the right answer
      protocol: location.protocol === "https:" ? "wss" : "ws",
      prefix: agentsPrefix(),
      query: token ? { token } : {},
      onStateUpdate: (state) => {
        this.state = state;
        this.dispatchEvent(new CustomEvent("state", { detail: state }));
      },
      onIdentity: () => this.#setStatus("live"), // after the stored state was applied
      onConnectionError: (e) => this.#setStatus(e.code === 1008 ? "refused" : "closed"),
    });
    client.addEventListener("message", (e) => {
      // what the agent (or its workflows) broadcast besides the protocol's own messages
      if (typeof e.data !== "string") return;
      let message;
      try {
        message = JSON.parse(e.data);
      } catch {
        return;
      }
      if (message && typeof message.type === "string" && message.type !== "rpc"
          && !message.type.startsWith("cf_agent")) {
        this.dispatchEvent(new CustomEvent("broadcast", { detail: message }));
      }
    });
    client.addEventListener("close", () => {
      if (client === this.#client && !client.connectionError) this.#setStatus("reconnecting");
    });
    this.#client = client;
    this.#setStatus("connecting");
  }

  /** Calls a @Callable method of the agent; resolves with its result, rejects with its error. */
  call(method, args = []) {
    if (!this.#client) return Promise.reject(new Error("not connected"));
    return this.#client.call(method, args);
  }

  close() {
    connections.delete(this);
    this.#client?.close();
    this.#client = null;
    this.#setStatus("closed");
  }

  #setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.dispatchEvent(new CustomEvent("status", { detail: status }));
  }
}
