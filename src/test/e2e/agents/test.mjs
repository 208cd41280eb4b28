// End-to-end test of the Steadfast agent server with the unmodified `agents` client.
// Driven by AgentsE2EIT (env STEADFAST_HOST=127.0.0.1:port, STEADFAST_TOKEN, E2E_PHASE, E2E_NONCE);
// by hand: STEADFAST_HOST=127.0.0.1:8381 STEADFAST_TOKEN=secret node --test test.mjs
import { test, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { AgentClient, agentFetch } from "agents/client";

globalThis.WebSocket ??= WebSocket; // Node 20 has no WebSocket global
const host = process.env.STEADFAST_HOST ?? "127.0.0.1:8381";
const token = process.env.STEADFAST_TOKEN ?? "secret";
const phase = process.env.E2E_PHASE ?? "main";
const nonce = process.env.E2E_NONCE ?? "reminder";
const prefix = process.env.E2E_PREFIX; // the server's steadfast.agents.prefix in this phase
const run = Math.random().toString(36).slice(2, 8); // fresh instance names per run
const clients = [];

function connect(name, { query = {}, id, ...rest } = {}) {
  const updates = [];
  const errors = [];
  const c = new AgentClient({
    agent: "CounterAgent", name, host, id, WebSocket, ...(prefix ? { prefix } : {}),
    query: { token, ...query },
    onStateUpdate: (state, source) => updates.push({ state, source }),
    onStateUpdateError: (e) => errors.push(e),
    ...rest,
  });
  c.updates = updates;
  c.errors = errors;
  clients.push(c);
  return c;
}

async function until(cond, what, ms = 10_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

after(() => clients.forEach((c) => c.close()));

if (phase === "main") {
  test("ready, identity and initial state", async () => {
    const c = connect(`room-${run}-a`);
    await c.ready;
    assert.equal(c.identified, true);
    assert.equal(c.name, `room-${run}-a`);
    assert.equal(c.agent, "counter-agent");
    assert.deepEqual(c.state, { count: 0, lastReminder: null, messages: [], ticks: 0 });
  });

  test("client setState reaches the other client, not the sender; server setState reaches both", async () => {
    const a = connect(`room-${run}-b`);
    const b = connect(`room-${run}-b`);
    await Promise.all([a.ready, b.ready]);
    a.setState({ ...a.state, count: 5 });
    await until(() => b.state?.count === 5, "state on b");
    await sleep(300);
    assert.equal(a.updates.filter((u) => u.source === "server" && u.state.count === 5).length, 0,
      "the sender got its own state back");
    assert.equal(await a.call("increment", [1]), 6);
    await until(() => a.state.count === 6 && b.state.count === 6, "server state on both");
    assert.ok(a.updates.some((u) => u.source === "server" && u.state.count === 6));
  });

  test("call results: value, void, null, errors", async () => {
    const c = connect(`room-${run}-c`);
    await c.ready;
    assert.equal(await c.call("increment", [2]), 2);
    assert.equal(await c.call("say", ["ann", "hi"]), undefined);
    assert.equal(await c.call("nothing"), null);
    assert.equal(await c.call("greeting"), "hello", "from an @Inject-ed Config");
    await assert.rejects(c.call("fail", ["boom"]), { message: "boom" });
    await assert.rejects(c.call("secret"), { message: "Method secret is not callable" });
    await assert.rejects(c.call("nope"), { message: "Method nope does not exist" });
    await until(() => c.state.messages.includes("ann: hi"), "chat line in state");
    // garbage never closes the socket
    c.send("not json {");
    c.send("null");
    c.send(JSON.stringify({ type: "rpc", id: "x", method: "say", args: null }));
    assert.equal(await c.call("increment", [0]), 2);
  });

  test("streaming chunks then the final value", async () => {
    const c = connect(`room-${run}-d`);
    await c.ready;
    const chunks = [];
    let done;
    const result = await c.call("countTo", [4], {
      stream: { onChunk: (x) => chunks.push(x), onDone: (x) => (done = x) },
    });
    assert.deepEqual(chunks, [1, 2, 3, 4]);
    assert.equal(result, 10);
    assert.equal(done, 10);
  });

  test("concurrent calls are answered out of order", async () => {
    const c = connect(`room-${run}-e`);
    await c.ready;
    const order = [];
    const slow = c.call("slowEcho", ["slow", 800]).then((v) => order.push(v));
    const fast = c.call("increment", [1]).then(() => order.push("fast"));
    await Promise.all([slow, fast]);
    assert.deepEqual(order, ["fast", "slow"]);
  });

  test("readonly connection cannot set state but sees it", async () => {
    const w = connect(`room-${run}-f`);
    const r = connect(`room-${run}-f`, { query: { readonly: "true" } });
    await Promise.all([w.ready, r.ready]);
    r.setState({ ...r.state, count: 99 });
    await until(() => r.errors.includes("Connection is readonly"), "readonly error");
    w.setState({ ...w.state, count: 3 });
    await until(() => r.state.count === 3, "state on the readonly client");
    assert.equal(await w.call("increment", [0]), 3, "the readonly update was not stored");
    await assert.rejects(r.call("increment", [1]), { message: "Connection is readonly" });
  });

  test("reconnect keeps the connection id (_pk)", async () => {
    const c = connect(`room-${run}-g`, { id: `pk-${run}` });
    await c.ready;
    assert.equal(await c.call("whoami"), `pk-${run}`);
    c.reconnect();
    await until(() => !c.identified, "disconnect", 5_000).catch(() => {});
    await c.ready;
    assert.equal(await c.call("whoami"), `pk-${run}`);
    c.close();
    const again = connect(`room-${run}-g`, { id: `pk-${run}` });
    await again.ready;
    assert.equal(await again.call("whoami"), `pk-${run}`);
  });

  test("stopTicking cancels the instance's hourly tick, once", async () => {
    const c = connect(`room-${run}-tick`);
    await c.ready;
    assert.equal(await c.call("stopTicking"), true, "the tick scheduled at start was cancelled");
    assert.equal(await c.call("stopTicking"), false, "no tick left to cancel");
    c.close();
  });

  test("a refused token closes with 1008 and the client stops", async () => {
    let error;
    const c = connect(`room-${run}-h`, {
      query: { token: "wrong" },
      onConnectionError: (e) => (error = e),
    });
    await until(() => error !== undefined, "connection error");
    assert.equal(error.code, 1008);
    assert.ok(c.connectionError);
  });

  test("concurrent handshakes are admitted by their own Authorization header", async () => {
    // raw sockets: the client cannot set headers, but other clients (and proxies) do
    const n = 40;
    const outcomes = await Promise.all(Array.from({ length: n }, (_, i) => new Promise((resolve) => {
      const ws = new WebSocket(`ws://${host}/agents/counter-agent/room-${run}-hdr?_pk=h${i}`,
        { headers: { Authorization: `Bearer ${i % 2 === 0 ? token : `wrong-${i}`}` } });
      ws.on("message", (m) => {
        if (JSON.parse(m.toString()).type === "cf_agent_identity") {
          resolve("admitted");
          ws.close();
        }
      });
      ws.on("close", (code) => resolve(code === 1008 ? "refused" : `closed ${code}`));
      ws.on("error", (e) => resolve(`error ${e.message}`));
    })));
    outcomes.forEach((o, i) =>
      assert.equal(o, i % 2 === 0 ? "admitted" : "refused", `handshake ${i}`));
  });

  test("agentFetch reaches onRequest; unknown agents get 400", async () => {
    const ok = await agentFetch({ agent: "CounterAgent", name: `room-${run}-i`, host,
      path: "info", query: { token } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(),
      { agent: "counter-agent", name: `room-${run}-i`, count: 0, path: "/info" });
    const denied = await agentFetch({ agent: "CounterAgent", name: "x", host, query: { token: "no" } });
    assert.equal(denied.status, 401);
    const unknown = await agentFetch({ agent: "NoSuchAgent", name: "x", host, query: { token } });
    assert.equal(unknown.status, 400);
    assert.equal(await unknown.text(), "Invalid request");
  });

  test("set a schedule that must survive a server kill", async () => {
    const c = connect("restart-room");
    await c.ready;
    const s = await c.call("remindIn", [3, nonce]);
    assert.equal(s.type, "delayed");
    assert.equal(s.callback, "remind");
  });
} else {
  // the server restarted with steadfast.agents.prefix; the client sends //<prefix>/… for a
  // prefix given with a leading slash, so this also covers empty segments
  test("the schedule set before kill -9 fires after the restart", async () => {
    const c = connect("restart-room");
    await c.ready;
    await until(() => c.state?.lastReminder === nonce, "reminder from the schedule", 30_000);
  });

  test("the configured prefix routes WebSocket and HTTP; the default one no longer does", async () => {
    assert.ok(prefix, "E2E_PREFIX is set in this phase");
    const c = connect(`room-${run}-p`);
    await c.ready;
    assert.equal(await c.call("increment", [2]), 2);
    const ok = await agentFetch({ agent: "CounterAgent", name: `room-${run}-p`, host,
      prefix: prefix.replace(/^\/+/, ""), path: "info/x", query: { token } });
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).path, "/info/x");
    const old = await agentFetch({ agent: "CounterAgent", name: `room-${run}-p`, host,
      path: "info", query: { token } });
    assert.equal(old.status, 404);
  });
}
