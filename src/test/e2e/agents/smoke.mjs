// The agents cross-section of OtherServersIT (WildFly, Payara Server) and TwoNodesBehindProxyIT
// (two nodes behind nginx): the unmodified `agents`
// client connects over WebSocket, calls methods, sees state synced to a second client, and a
// schedule fires from the server's EJB timer; after a kill -9 and restart the state is still
// there. Env: STEADFAST_HOST, STEADFAST_TOKEN, E2E_PHASE (before|after), E2E_NAME, E2E_NONCE.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { AgentClient } from "agents/client";

globalThis.WebSocket ??= WebSocket;
const host = process.env.STEADFAST_HOST;
const token = process.env.STEADFAST_TOKEN;
const name = process.env.E2E_NAME;
const nonce = process.env.E2E_NONCE;
const clients = [];
after(() => clients.forEach((c) => c.close()));

function connect() {
  const c = new AgentClient({ agent: "CounterAgent", name, host, WebSocket, query: { token },
    debug: process.env.E2E_DEBUG === "1" });
  clients.push(c);
  return c;
}

async function until(cond, what, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

if (process.env.E2E_PHASE === "before") {
  test("connect, call, state on a second client, a schedule fires", async () => {
    const a = connect();
    const b = connect();
    await Promise.all([a.ready, b.ready]);
    assert.equal(a.agent, "counter-agent");
    assert.equal(await a.call("increment", [3]), 3);
    await until(() => b.state?.count === 3, "the state on the second client");
    await assert.rejects(a.call("nope"), { message: "Method nope does not exist" });
    // 2 s: past the 1.5 s under which wake-ups bypass the EJB timer
    const s = await a.call("remindIn", [2, `${nonce}-timer`]);
    assert.equal(s.type, "delayed");
    await until(() => b.state?.lastReminder === `${nonce}-timer`, "the scheduled reminder");
  });
} else {
  test("after kill -9 and restart: the agent's state is still there", async () => {
    const c = connect();
    await c.ready;
    assert.equal(c.state.count, 3);
    assert.equal(c.state.lastReminder, `${nonce}-timer`);
    assert.equal(await c.call("increment", [1]), 4);
  });
}
