// Benchmark of the agent server (prints figures, asserts nothing). Against a running server:
//   STEADFAST_HOST=127.0.0.1:8381 STEADFAST_TOKEN=secret SERVER_PID=<java pid> node bench.mjs
// SERVER_PID enables the memory figures (heap after a full GC, via jcmd; RSS from /proc).
import WebSocket from "ws";
import { AgentClient, agentFetch } from "agents/client";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

globalThis.WebSocket ??= WebSocket;
const host = process.env.STEADFAST_HOST ?? "127.0.0.1:8381";
const token = process.env.STEADFAST_TOKEN ?? "secret";
const pid = process.env.SERVER_PID;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const run = Math.random().toString(36).slice(2, 8);

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const ms = (ns) => (Number(ns) / 1e6).toFixed(2);

function memory() {
  if (!pid) return null;
  execFileSync("jcmd", [pid, "GC.run"]);
  const info = execFileSync("jcmd", [pid, "GC.heap_info"]).toString();
  const used = /used (\d+)K/.exec(info);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return { heapK: used ? Number(used[1]) : NaN, rssK: rss ? Number(rss[1]) : NaN };
}

async function rtt(method, args) {
  const c = new AgentClient({ agent: "CounterAgent", name: `bench-${run}`, host, query: { token } });
  await c.ready;
  for (let i = 0; i < 200; i++) await c.call(method, args); // warm-up
  const times = [];
  for (let i = 0; i < CALLS; i++) {
    const t = process.hrtime.bigint();
    await c.call(method, args);
    times.push(process.hrtime.bigint() - t);
  }
  times.sort((a, b) => (a < b ? -1 : 1));
  console.log(`RPC ${method}: ${CALLS} sequential calls, p50 ${ms(pct(times, 50))} ms, p99 ${ms(pct(times, 99))} ms`);
  if (method === "increment") await c.call("stopTicking", []);
  c.close();
}

function openRaw(name, i) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${host}/agents/counter-agent/${name}?_pk=b${i}&token=${token}`);
    ws.once("message", () => resolve(ws)); // the identity frame: admitted
    ws.once("error", reject);
  });
}

async function broadcast() {
  const name = `fan-${run}`;
  const before = memory();
  const sockets = [];
  for (let i = 0; i < CLIENTS; i += 50) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(50, CLIENTS - i) }, (_, j) => openRaw(name, i + j)))));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const after = memory();
  if (before && after) {
    console.log(`Memory per idle client: heap ${((after.heapK - before.heapK) / CLIENTS).toFixed(1)} KB, RSS ${((after.rssK - before.rssK) / CLIENTS).toFixed(1)} KB (${CLIENTS} clients)`);
  }
  const caller = new AgentClient({ agent: "CounterAgent", name, host, query: { token } });
  await caller.ready;
  for (let round = 0; round < 3; round++) {
    const marker = `m-${round}-${Date.now()}`;
    let pending = sockets.length;
    const t = process.hrtime.bigint();
    const done = new Promise((resolve) => {
      for (const ws of sockets) {
        const on = (d) => {
          if (d.toString().includes(marker)) {
            ws.off("message", on);
            if (--pending === 0) resolve();
          }
        };
        ws.on("message", on);
      }
    });
    await caller.call("say", ["bench", marker]);
    await done;
    console.log(`Broadcast of a state change to ${sockets.length} clients: ${ms(process.hrtime.bigint() - t)} ms (round ${round + 1})`);
  }
  await caller.call("stopTicking", []);
  caller.close();
  sockets.forEach((s) => s.close());
}

// what a run leaves: the instances' state rows, not their hourly ticks (the demo agent
// schedules one when an instance starts)
async function stopTicking(names) {
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(names.slice(i, i + 50).map(async (name) => {
      const c = new AgentClient({ agent: "CounterAgent", name, host, query: { token } });
      await c.ready;
      await c.call("stopTicking", []);
      c.close();
    }));
  }
}

async function instances() {
  const before = memory();
  const N = CLIENTS;
  for (let i = 0; i < N; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, j) =>
      agentFetch({ agent: "CounterAgent", name: `inst-${run}-${i + j}`, host, query: { token } }).then((r) => r.text())));
  }
  const after = memory();
  if (before && after) {
    console.log(`Memory per live instance: heap ${((after.heapK - before.heapK) / N).toFixed(1)} KB, RSS ${((after.rssK - before.rssK) / N).toFixed(1)} KB (${N} instances activated over HTTP)`);
  }
  await stopTicking(Array.from({ length: N }, (_, i) => `inst-${run}-${i}`));
}

await rtt("nothing", []);
await rtt("increment", [1]);
await broadcast();
await instances();
process.exit(0);
